"""Checks of a store's own consistency, and the repairs `manage.py check --repair` makes."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from corpus.document import Document, format_time, parse_local, parse_time
from indexer.store.sqlite import Store, UnreadableRow, row_to_document


def store_problems(store: Store) -> list[str]:
    """What is wrong inside the store: SQLite's own check, unreadable rows, seq order.

    On PostgreSQL the pages are the server's to check (data checksums, amcheck); the
    rows, their times and the seq order are checked alike.
    """
    problems = []
    if isinstance(store.db, sqlite3.Connection):
        verdict = store.db.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            problems.append(f"SQLite reports damage: {verdict}")
    problems += [str(exc) for exc in unreadable(store)]
    problems += [f"stored document {doc_id} has a local time ({local}) that is not its "
                 f"published time ({published}): run `manage.py check --repair`"
                 for doc_id, published, local in wrong_local_times(store)]
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


def wrong_local_times(store: Store) -> list[tuple[str, str | None, str]]:
    """(id, published, published_local) of every document whose local time (the publisher's
    offset, which gives its day) is unreadable or names another instant than `published`,
    or that keeps one for a date that is not the input's own."""
    rows = store.db.execute("SELECT id, published, published_local, date_source FROM documents "
                            "WHERE published_local IS NOT NULL").fetchall()
    return [(doc_id, published, local) for doc_id, published, local, source in rows
            if source != "metadata" or not same_instant(readable(published), local)]


def same_instant(published: datetime | None, local: str) -> bool:
    """Tell whether a stored local time is readable and the same instant as published."""
    try:
        parsed = parse_local(local)
    except (ValueError, TypeError):
        return False
    return published is not None and parsed is not None and parsed.utcoffset() is not None \
        and parsed == published


def repair_times(store: Store, now: datetime) -> list[Document]:
    """Make every unreadable stored time readable; return the documents repaired.

    An unreadable ingest time becomes now; an unreadable published time counts as no date,
    as it would at ingest: the document is dated by its ingest time. Seq stays (not news).
    A local time that is not the published instant is dropped: the day is then the UTC
    day of `published`, the one time the rest of the store agrees on.
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
        # after the fixes above: a published time just made readable is the ingest time
        for doc_id, _published, _local in wrong_local_times(store):
            store.db.execute("UPDATE documents SET published_local = NULL WHERE id = ?",
                             (doc_id,))
            repaired.append(doc_id)
    return list(store.get_many(list(dict.fromkeys(repaired))).values())


def readable(value: str | None) -> datetime | None:
    """The time a stored value holds, or None when absent or unreadable."""
    try:
        return parse_time(value)
    except (ValueError, TypeError):
        return None
