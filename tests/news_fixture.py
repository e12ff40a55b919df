"""A small news collection the search tests know field by field (stored, not enriched)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from corpus.document import Document
from indexer.instance import Instance

INGESTED = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def when(text: str) -> datetime:
    """A naive ISO time read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def doc(key: str, title, text, *, source, published=None, kind="article", countries=(),
        entities=(), lang="en") -> Document:
    """A stored document; without `published` it is dated by ingest time (undated)."""
    dated = published is not None
    return Document(
        title=title, text=text, kind=kind, source=source, url=f"https://news.example/{key}",
        published=when(published) if dated else INGESTED - timedelta(hours=len(key)),
        date_source="metadata" if dated else "ingested", lang=lang, countries=list(countries),
        entities=[{"name": n, "type": t} for n, t in entities], ingested_at=INGESTED)


OPEC = ("OPEC", "org")
BASE = [
    doc("a1", "Iran oil exports rise", "Iran oil exports rose in July, officials said.",
        source="Alpha News", published="2020-07-01T00:00:00", countries=["IR"],
        entities=[("Bijan Zanganeh", "person"), OPEC]),
    doc("a2", "Syria and Iran talk", "Officials from Syria and Iran met to discuss oil & gas.",
        source="Beta Times", published="2020-07-31T23:59:59", countries=["IR", "SY"],
        entities=[("Bashar al-Assad", "person")]),
    doc("a3", None, "Brief: an oil tanker was seized near Syria.", source="Alpha News",
        published="2020-08-01T00:00:00", kind="brief", countries=["SY"], lang="fr"),
    doc("a4", "Wheat harvest", "The wheat harvest in France is good this year.",
        source="Gamma Daily", published="2020-06-30T23:59:59", countries=["FR"], lang="fr",
        entities=[OPEC]),
    doc("a5", "Oil minister resigns", "The oil minister of Iraq resigned on Tuesday.",
        source="alpha news", published="2019-12-31T12:00:00", countries=["IQ"],
        entities=[("opec", "org")]),
    doc("u1", "Undated oil report", "An oil report that carries no date of its own.",
        source="Beta Times", countries=["IR"]),
    doc("u2", None, "Another undated note, about wheat.", source="Gamma Daily", kind="brief",
        lang=None),
]
SERIES = [doc(f"s{n:02d}", f"Market update {n}", f"Shares moved in market update number {n}.",
              source="Delta Wire", published=(when("2021-01-01T06:00:00") + timedelta(days=3 * n))
              .isoformat()[:19], countries=["US"] if n % 3 else ["GB"]) for n in range(24)]
# Same title and text lengths, so the same score: relevance must fall back to newest, then
# id. The texts differ in one word, so they are not near-duplicates to be collapsed.
TIES = [doc(f"t{n}", "Copper tie", f"Tie text about copper, lot {n}.", source="Epsilon",
            published=stamp) for n, stamp in enumerate(
                ["2022-03-01T10:00:00", "2022-03-02T10:00:00", "2022-03-02T10:00:00",
                 "2022-01-15T08:00:00", None, None])]
DOCS = BASE + SERIES + TIES


def save_documents(instance: Instance, docs: list[Document]) -> None:
    """Put documents in the store as they are (the enrichment has not come yet)."""
    store = instance.open_store()
    try:
        with store.transaction():
            for document in docs:
                document.seq = store.next_seq()
                store.save(document)
    finally:
        store.close()
