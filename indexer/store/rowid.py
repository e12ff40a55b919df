"""Row helpers the store modules share: the id an INSERT gave, an UPDATE of allowed columns."""
from __future__ import annotations

import sqlite3


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid of the row the cursor's INSERT added."""
    # sqlite3 types lastrowid as optional (None before any INSERT); after one it is the new id.
    rowid = cursor.lastrowid
    if rowid is None:
        raise sqlite3.InterfaceError("the statement inserted no row")
    return rowid


def update_row(db: sqlite3.Connection, table: str, row_id: int, settable: set[str],
               values: dict) -> None:
    """Set some columns of one row by id; only names in `settable` (they become SQL)."""
    unknown = set(values) - settable
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    if values:
        names = ", ".join(f"{name} = ?" for name in values)
        db.execute(f"UPDATE {table} SET {names} WHERE id = ?", (*values.values(), row_id))
