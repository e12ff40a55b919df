"""Polled sources, their runs and their fetched article pages, over a Store's `db`.

The SQL of indexer/sources/. Writes run inside the caller's transaction where they go
together; a single statement commits on its own (the store runs in autocommit mode).
Its SQL reads the same on SQLite and PostgreSQL (indexer/store/postgres/connection.py).
"""
from __future__ import annotations

import sqlite3

from indexer.store.rowid import inserted_id, update_row

# Migration 6 (indexer/store/sqlite.py runs it).
MIGRATION = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    url TEXT NOT NULL,                      -- the feed polled
    page_url TEXT,                          -- the page it was discovered from, if any
    every_seconds INTEGER NOT NULL,
    lang TEXT,                              -- declared language for items that lack one
    fetch_articles INTEGER NOT NULL DEFAULT 0,
    paused INTEGER NOT NULL DEFAULT 0,
    etag TEXT,                              -- validators of the last stored answer
    last_modified TEXT,
    next_due_at TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,    -- consecutive failed runs (backoff)
    last_error TEXT,
    last_run_at TEXT,
    last_ok_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sources_due ON sources (paused, next_due_at);
CREATE TABLE source_runs (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    status TEXT NOT NULL,                   -- ok | not_modified | failed
    http_status INTEGER,
    bytes INTEGER NOT NULL DEFAULT 0,
    fetched INTEGER NOT NULL DEFAULT 0,     -- items read from the feed
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX source_runs_source ON source_runs (source_id, id);
CREATE TABLE source_articles (
    doc_id TEXT PRIMARY KEY,                -- the feed item whose page was fetched (once)
    source_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    error TEXT                              -- why the page could not fill the item
);
"""

SETTABLE = {"name", "url", "page_url", "every_seconds", "lang", "fetch_articles", "paused",
            "etag", "last_modified", "next_due_at", "failures", "last_error", "last_run_at",
            "last_ok_at"}
RUN_FIELDS = ("source_id", "started_at", "finished_at", "status", "http_status", "bytes",
              "fetched", "new", "updated", "unchanged", "errors", "error")


def insert_source(db: sqlite3.Connection, **values) -> int:
    """Add a source; sqlite3.IntegrityError when its name is taken (in any case)."""
    names, marks = ", ".join(values), ", ".join("?" * len(values))
    return inserted_id(db.execute(f"INSERT INTO sources ({names}) VALUES ({marks})",
                                  tuple(values.values())))


def all_sources(db: sqlite3.Connection) -> list[dict]:
    """Every source by name, with its last run's counts (None before the first run)."""
    rows = db.execute(
        "SELECT s.*, r.status AS run_status, r.fetched AS run_fetched, r.new AS run_new, "
        "r.updated AS run_updated, r.unchanged AS run_unchanged, r.errors AS run_errors "
        "FROM sources s LEFT JOIN source_runs r ON r.id = "
        "(SELECT MAX(id) FROM source_runs WHERE source_id = s.id) "
        "ORDER BY lower(s.name), s.id")
    return [dict(row) for row in rows]


def source_by_name(db: sqlite3.Connection, name: str) -> dict | None:
    """The source of that name (any case), or None."""
    row = db.execute("SELECT * FROM sources WHERE lower(name) = lower(?)", (name,)).fetchone()
    return dict(row) if row else None


def source_by_id(db: sqlite3.Connection, source_id: int) -> dict | None:
    """The source with that id, or None."""
    row = db.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
    return dict(row) if row else None


def due_sources(db: sqlite3.Connection, now: str) -> list[dict]:
    """The sources not paused whose next poll is at or before now, the most overdue first."""
    rows = db.execute("SELECT * FROM sources WHERE paused = 0 AND next_due_at <= ? "
                      "ORDER BY next_due_at, id", (now,))
    return [dict(row) for row in rows]


def active_sources(db: sqlite3.Connection) -> list[dict]:
    """Every source not paused, in the order they were added."""
    return [dict(row) for row in db.execute("SELECT * FROM sources WHERE paused = 0 ORDER BY id")]


def update_source(db: sqlite3.Connection, source_id: int, **values) -> None:
    """Change some of a source's fields (names from SETTABLE only)."""
    update_row(db, "sources", source_id, SETTABLE, values)


def delete_source(db: sqlite3.Connection, source_id: int) -> None:
    """Remove a source and its runs (its documents stay: they are news already read)."""
    db.execute("DELETE FROM source_runs WHERE source_id = ?", (source_id,))
    db.execute("DELETE FROM source_articles WHERE source_id = ?", (source_id,))
    db.execute("DELETE FROM sources WHERE id = ?", (source_id,))


def insert_run(db: sqlite3.Connection, run: dict) -> int:
    """Record one poll of a source."""
    marks = ", ".join("?" * len(RUN_FIELDS))
    return inserted_id(db.execute(
        f"INSERT INTO source_runs ({', '.join(RUN_FIELDS)}) VALUES ({marks})",
        tuple(run.get(name) for name in RUN_FIELDS)))


def runs_of(db: sqlite3.Connection, source_id: int, limit: int = 20) -> list[dict]:
    """A source's latest runs, newest first."""
    rows = db.execute("SELECT * FROM source_runs WHERE source_id = ? ORDER BY id DESC LIMIT ?",
                      (source_id, limit))
    return [dict(row) for row in rows]


def article_fetched(db: sqlite3.Connection, doc_id: str) -> dict | None:
    """The record of an item's article page fetch, or None when it was never tried."""
    row = db.execute("SELECT * FROM source_articles WHERE doc_id = ?", (doc_id,)).fetchone()
    return dict(row) if row else None


def record_article(db: sqlite3.Connection, doc_id: str, source_id: int, url: str,
                   fetched_at: str, error: str | None) -> None:
    """Keep that an item's page was fetched (and why it did not fill the item, if not)."""
    db.execute("INSERT INTO source_articles VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO "
               "UPDATE SET source_id = excluded.source_id, url = excluded.url, "
               "fetched_at = excluded.fetched_at, error = excluded.error",
               (doc_id, source_id, url, fetched_at, error))
