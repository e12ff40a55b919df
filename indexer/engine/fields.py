"""What every engine indexes of a document, in the same meaning: facet values, the day.

Pure functions over a stored Document, shared by the Whoosh and the PostgreSQL engines
(and the benchmarks' FTS5 baseline), so a facet or a day filter matches the same documents
whichever engine answers.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from corpus.document import Document, local_day

UNDATED_DAY = 0     # the day number of a document dated only by its ingest time


def facet_values(doc: Document) -> dict[str, list[str]]:
    """Return each facet's display values for a document."""
    return {
        "country": list(doc.countries),
        "entity": [e["name"] for e in doc.entities if e.get("name")],
        "lang": [doc.lang] if doc.lang else [],
        "source": [doc.source] if doc.source else [],
        "kind": [doc.kind],
    }


def is_dated(doc: Document) -> bool:
    """Tell whether a document has a real date rather than its ingest time."""
    return doc.published is not None and doc.date_source != "ingested"


def indexed_day(doc: Document) -> date | None:
    """The day a document is filtered and counted on: the publisher's local day when the
    input gave its offset, else the UTC day; None for a document with no real date."""
    if not is_dated(doc):
        return None
    day = local_day(doc)
    assert day is not None      # is_dated checked published, so local_day has a day
    return day


def day_number(day: date) -> int:
    """The YYYYMMDD number an index keeps for a day."""
    return day.year * 10000 + day.month * 100 + day.day


def month_key(day: date) -> str:
    """The YYYY-MM an index keeps for a day's month."""
    return f"{day.year:04d}-{day.month:02d}"


def epoch_seconds(value: datetime | None) -> int:
    """Seconds since 1970 (UTC); 0 for no date."""
    if value is None:
        return 0
    return int(value.astimezone(timezone.utc).timestamp())
