"""The id SQLite gave the row an INSERT just added."""
from __future__ import annotations

import sqlite3


def inserted_id(cursor: sqlite3.Cursor) -> int:
    """The rowid of the row the cursor's INSERT added."""
    # sqlite3 types lastrowid as optional (None before any INSERT); after one it is the new id.
    rowid = cursor.lastrowid
    if rowid is None:
        raise sqlite3.InterfaceError("the statement inserted no row")
    return rowid
