"""Checks of a store's own consistency, and the repairs `manage.py check --repair` makes."""
from __future__ import annotations

from datetime import datetime

from corpus.document import Document, format_time, parse_time
from indexer.store.sqlite import Store, UnreadableRow, row_to_document


def store_problems(store: Store) -> list[str]:
    """What is wrong inside the store: SQLite's own check, unreadable rows, seq order."""
    problems = []
    verdict = store.db.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        problems.append(f"SQLite reports damage: {verdict}")
    problems += [str(exc) for exc in unreadable(store)]
    highest = store.db.execute("SELECT max(seq) FROM documents").fetchone()[0] or 0
    if highest > store.last_seq():
        problems.append(f"a document has seq {highest}, past the store's last seq "
                        f"{store.last_seq()}")
    return problems


def unreadable(store: Store) -> list[UnreadableRow]:
    """The error of every row that cannot be read back into a Document."""
    errors = []
    for row in store.db.execute("SELECT * FROM documents ORDER BY seq"):
        try:
            row_to_document(row)
        except UnreadableRow as exc:
            errors.append(exc)
    return errors


def repair_times(store: Store, now: datetime) -> list[Document]:
    """Make every unreadable stored time readable; return the documents repaired.

    An unreadable ingest time becomes now; an unreadable published time counts as no date,
    as it would at ingest: the document is dated by its ingest time. Seq stays (not news).
    """
    repaired = []
    rows = store.db.execute("SELECT id, published, ingested_at FROM documents").fetchall()
    with store.transaction():
        for doc_id, published, ingested_at in rows:
            ingested, stamp = readable(ingested_at), readable(published)
            bad_published = published is not None and stamp is None
            if ingested is not None and not bad_published:
                continue
            ingested = ingested or now
            store.db.execute("UPDATE documents SET ingested_at = ? WHERE id = ?",
                             (format_time(ingested), doc_id))
            if bad_published:
                store.db.execute("UPDATE documents SET published = ?, date_source = 'ingested' "
                                 "WHERE id = ?", (format_time(ingested), doc_id))
            repaired.append(doc_id)
    return list(store.get_many(repaired).values())


def readable(value: str | None) -> datetime | None:
    """The time a stored value holds, or None when absent or unreadable."""
    try:
        return parse_time(value)
    except (ValueError, TypeError):
        return None
