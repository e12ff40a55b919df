"""The seam between the store modules' SQL and psycopg: a connection that takes `?`
placeholders, gives rows addressable by name and by position (as sqlite3.Row does), and
says which id an INSERT gave.

The store modules (users, alerts, sources, queries, rowid) are written once against this
surface: `execute(sql, params)`, `executemany`, a cursor with fetchone/fetchall/iteration,
`rowcount` and `lastrowid`. Their SQL keeps to what both engines read (ON CONFLICT, CASE,
lower()); only the placeholders and the ids differ, and those are handled here.
"""
from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterable, Iterator, Sequence

import psycopg
from psycopg import errors

# Tables whose rows have a generated id: an INSERT into them returns it (sqlite's lastrowid).
ID_TABLES = {"users", "api_tokens", "saved_searches", "alert_hits", "outbox", "sources",
             "source_runs"}
_INSERT = re.compile(r"\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)


class Row(Sequence):
    """A result row read by position, by column name, or as a mapping (dict(row))."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]):
        self._index, self._values = index, tuple(values)

    def __getitem__(self, key):
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, (Row, tuple)) else other)

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._index, self._values, strict=True))!r})"


def named_rows(cursor: psycopg.Cursor) -> Any:
    """psycopg row factory making Rows."""
    names = [column.name for column in cursor.description or ()]
    index = {name: position for position, name in enumerate(names)}
    return lambda values: Row(index, values)


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """`?` placeholders to psycopg's `%s` (and a literal `%` to `%%`), outside quotes."""
    out, quote = [], ""
    for char in sql:
        if char == "%":
            out.append("%%")
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        out.append(char)
    return "".join(out)


@lru_cache(maxsize=1024)
def with_returning(sql: str) -> str | None:
    """The INSERT with `RETURNING id` added when its table has generated ids, else None."""
    match = _INSERT.match(sql)
    if not match or match.group(1).lower() not in ID_TABLES or "RETURNING" in sql.upper():
        return None
    return sql.rstrip().rstrip(";") + " RETURNING id"


class PgCursor:
    """What an execute() gives back: the rows, how many changed, the id inserted."""

    def __init__(self, cursor: Any, lastrowid: int | None = None, rows: list | None = None):
        self._cursor, self.lastrowid = cursor, lastrowid
        self._rows = rows

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Row | None:
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection (autocommit) speaking the store modules' `?` SQL."""

    def __init__(self, conn: psycopg.Connection, url: str = ""):
        self.conn, self.url = conn, url

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> PgCursor:
        returning = with_returning(sql)
        cursor = self.conn.cursor()
        with translated_errors(self):
            cursor.execute(translate(returning or sql), without_nul(params or ()))
        if returning is None:
            return PgCursor(cursor)
        row = cursor.fetchone()
        # An INSERT ... ON CONFLICT DO NOTHING that inserted nothing has no id to give.
        return PgCursor(cursor, row[0] if row else None, [])

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> PgCursor:
        cursor = self.conn.cursor()
        with translated_errors(self):
            cursor.executemany(translate(sql), [without_nul(p) for p in params])
        return PgCursor(cursor)


def without_nul(params: Sequence[Any]) -> list[Any]:
    """The parameters with NUL taken out of their text: PostgreSQL refuses it in text (a
    name or a query typed with one is kept without it, as a document's text is)."""
    return [p.replace("\x00", "") if isinstance(p, str) and "\x00" in p else p for p in params]


@contextmanager
def translated_errors(db: PgConnection) -> Iterator[None]:
    """Turn psycopg's errors into what the store's callers already handle.

    A unique key taken (or another constraint broken) becomes sqlite3.IntegrityError (the
    store modules' promise: "taken in any case"); a connection that broke becomes
    StoreUnavailable (one line, a 503 page).
    """
    try:
        yield
    except errors.IntegrityError as exc:
        # sqlite3's own class, so callers catching it (a taken name) need no second case.
        raise sqlite3.IntegrityError(str(exc).splitlines()[0]) from exc
    except psycopg.OperationalError as exc:
        if not db.conn.broken:      # a deadlock, a cancelled statement: not the server gone
            raise
        from indexer.store.postgres.pool import unreachable

        raise unreachable(db.url, exc) from exc
