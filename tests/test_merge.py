"""Same or changed: the rules of INTERFACES.md as a pure function, then through the store."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from corpus.document import Document, format_local, local_day
from indexer.enrich import enrich
from indexer.ingest.merge import merge
from indexer.store import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
DAY = datetime(2020, 7, 1, tzinfo=timezone.utc)


def stored(**fields) -> Document:
    base = dict(title="Title", text="A long saved page text.", url="https://x.org/a", source="X")
    return enrich(Document(**{**base, **fields}), NOW, detect=False)


def test_new_document():
    incoming = Document(title="T", text="x")
    assert merge(None, incoming) == (incoming, "new")


def test_identical_raw_fields_are_unchanged_even_after_enrichment():
    doc = stored()
    again = Document(title="Title", text="A long saved page text.", url="https://x.org/a", source="X")
    assert merge(doc, again)[1] == "unchanged"


def test_shorter_text_only_fills_empty_fields():
    page = stored(title=None, published=None)
    summary = Document(title="Feed title", text="Short", url="https://x.org/a", source="X",
                       published=DAY)
    kept, outcome = merge(page, summary)
    assert outcome == "updated"
    assert kept.text == page.text and kept.title == "Feed title" and kept.published == DAY
    assert merge(enrich(kept, NOW, detect=False), summary)[1] == "unchanged"


def test_shorter_text_with_nothing_to_fill_is_unchanged():
    page = stored()
    summary = Document(title="Other title", text="Short", url="https://x.org/a", source="X")
    assert merge(page, summary) == (page, "unchanged")


def test_longer_or_equal_text_replaces_raw_fields_and_keeps_first_ingest_time():
    page = stored()
    edited = Document(title="Corrected title", text="A long saved page text, corrected.",
                      url="https://x.org/a", source="X")
    kept, outcome = merge(page, edited)
    assert outcome == "updated" and kept.title == "Corrected title"
    assert kept.ingested_at == page.ingested_at and kept.id == page.id


def test_ingest_time_fallback_is_not_a_raw_field():
    doc = stored(published=None)
    assert doc.date_source == "ingested" and doc.published == NOW
    again = Document(title="Title", text="A long saved page text.", url="https://x.org/a", source="X")
    assert merge(doc, again)[1] == "unchanged"


def test_store_round_trip_and_seq(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert store.last_seq() == 0 and store.count_by_kind() == {"article": 0, "brief": 0}
    doc = replace(stored(countries=["IR", "SY"], entities=[{"name": "UN", "type": "org"}]))
    with store.transaction():
        doc.seq = store.next_seq()
        store.save(doc)
    assert store.get(doc.id) == doc
    assert [d.id for d in store.iter_since(0)] == [doc.id] and list(store.iter_since(1)) == []
    store.close()
    reopened = Store(tmp_path / "s.sqlite3")
    assert reopened.last_seq() == 1 and reopened.get(doc.id) == doc


def test_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    with pytest.raises(RuntimeError):
        with store.transaction():
            doc = stored()
            doc.seq = store.next_seq()
            store.save(doc)
            raise RuntimeError("crash halfway")
    assert store.last_seq() == 0 and store.get(doc.id) is None


def test_an_item_that_only_lacks_values_never_erases_them():
    page = stored(title=None)
    summary = Document(title="A title", text="Short.", url="https://x.org/a", source="X")
    filled, outcome = merge(page, summary)
    assert outcome == "updated" and filled.title == "A title"
    untitled_again = Document(title=None, text=page.text, url="https://x.org/a", source="X")
    assert merge(enrich(filled, NOW, detect=False), untitled_again)[1] == "unchanged"


def test_reingesting_an_unchanged_item_fills_the_offset_a_stored_copy_lacks():
    # Stored before migration 7: the UTC instant only; the same item again gives its offset.
    local = datetime(2020, 2, 15, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    old = stored(published=local.astimezone(timezone.utc))
    assert old.published_local is None and old.date_source == "metadata"
    again = Document(title="Title", text="A long saved page text.", url="https://x.org/a",
                     source="X", published=local.astimezone(timezone.utc), published_local=local)
    filled, outcome = merge(old, again)
    assert (outcome, filled.id, filled.published_local) == ("updated", old.id, local)
    assert filled.ingested_at == old.ingested_at and filled.text == old.text
    assert merge(enrich(filled, NOW, detect=False), again)[1] == "unchanged"
    # An offset naming another instant is not the same date: the item stays as stored.
    other = replace(again, published_local=local + timedelta(hours=1))
    assert merge(old, other) == (old, "unchanged")


def test_a_reingest_through_the_store_fills_the_local_day_without_a_second_document(tmp_path):
    from indexer.ingest.ingester import Ingester

    page = tmp_path / "items.jsonl"
    page.write_text('{"title": "Late vote", "text": "The council voted after midnight.", '
                    '"url": "https://x.org/vote", "published": "2020-02-15T00:30:00+01:00"}\n',
                    encoding="utf-8")
    store = Store(tmp_path / "s.sqlite3")
    Ingester(store, clock=lambda: NOW).ingest([str(page)])
    # Make it look stored before migration 7: no offset, so its day is the UTC day.
    store.db.execute("UPDATE documents SET published_local = NULL")
    store.db.commit()
    [before] = store.get_many([row[0] for row in store.db.execute("SELECT id FROM documents")]
                              ).values()
    assert before.published_local is None and local_day(before).isoformat() == "2020-02-14"
    report = Ingester(store, clock=lambda: NOW).ingest([str(page)])
    assert (report.files[0].updated, report.files[0].new) == (1, 0)
    docs = store.get_many([row[0] for row in store.db.execute("SELECT id FROM documents")])
    [after] = docs.values()
    assert (after.id, local_day(after).isoformat()) == (before.id, "2020-02-15")
    assert format_local(after.published_local) == "2020-02-15T00:30:00+01:00"
    assert Ingester(store, clock=lambda: NOW).ingest([str(page)]).files[0].unchanged == 1
