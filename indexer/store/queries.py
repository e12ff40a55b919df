"""Read-only questions the web's pages ask of the store, over a Store's `db` connection.

Kept apart from store/sqlite.py (writes and the schema) so pages can grow their reads
without touching the store's core; still the only place outside it that holds SQL.
"""
from __future__ import annotations

import sqlite3

from corpus.document import Document
from indexer.store.sqlite import row_to_document


def children(db: sqlite3.Connection, parent_id: str) -> list[Document]:
    """The briefs whose page is parent_id, in the order they were stored."""
    rows = db.execute("SELECT * FROM documents WHERE parent_id = ? ORDER BY seq", (parent_id,))
    return [row_to_document(row) for row in rows]


def entity_type(db: sqlite3.Connection, name: str) -> str | None:
    """The type recorded for a canonical entity name, None when the table lacks it."""
    row = db.execute("SELECT type FROM entities WHERE name = ? LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def entity_variants(db: sqlite3.Connection, name: str) -> list[str]:
    """Every variant key recorded for a canonical entity name, sorted."""
    rows = db.execute("SELECT variant FROM entities WHERE name = ? ORDER BY variant", (name,))
    return [row[0] for row in rows]
