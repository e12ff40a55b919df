"""Saved searches, their hits and the outbox of messages to send, over a Store's `db`.

The SQL of indexer/alerts/. Every function runs inside the caller's transaction where it
writes: the alerts package decides what goes together (hits with their checkpoint).
Its SQL reads the same on SQLite and PostgreSQL (indexer/store/postgres/connection.py).
"""
from __future__ import annotations

import json
import sqlite3
from typing import Iterable

from indexer.store.rowid import inserted_id, update_row

SEARCH_SETTABLE = {"name", "args", "frequency", "paused", "email", "webhook_url",
                   "webhook_secret", "feed_token", "broken", "last_digest_at", "checkpoint"}


# --- saved searches ----------------------------------------------------------------------

def insert_search(db: sqlite3.Connection, **values) -> int:
    """Add a saved search; values name its columns."""
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    return inserted_id(db.execute(f"INSERT INTO saved_searches ({names}) VALUES ({marks})",
                                  tuple(values.values())))


def search_row(db: sqlite3.Connection, search_id: int, user_id: int | None = None) -> dict | None:
    """One saved search (only if it is user_id's, when given), or None."""
    sql, args = "SELECT * FROM saved_searches WHERE id = ?", [search_id]
    if user_id is not None:
        sql, args = sql + " AND user_id = ?", args + [user_id]
    row = db.execute(sql, args).fetchone()
    return dict(row) if row else None


def searches_of(db: sqlite3.Connection, user_id: int | None = None) -> list[dict]:
    """A user's saved searches (everyone's when None), by name, with unread and hit counts."""
    sql = ("SELECT s.*, "
           "(SELECT COUNT(*) FROM alert_hits h WHERE h.search_id = s.id AND h.read = 0 "
           " AND h.duplicate_of IS NULL) AS unread, "
           "(SELECT COUNT(*) FROM alert_hits h WHERE h.search_id = s.id "
           " AND h.duplicate_of IS NULL) AS hits "
           "FROM saved_searches s")
    args: list = []
    if user_id is not None:
        sql, args = sql + " WHERE s.user_id = ?", [user_id]
    return [dict(row) for row in db.execute(sql + " ORDER BY lower(s.name), s.id", args)]


def matchable_searches(db: sqlite3.Connection) -> list[dict]:
    """The searches a matching run takes: not paused, their owner not disabled."""
    rows = db.execute("SELECT s.* FROM saved_searches s JOIN users u ON u.id = s.user_id "
                      "WHERE s.paused = 0 AND u.disabled = 0 ORDER BY s.id")
    return [dict(row) for row in rows]


def search_by_feed_token(db: sqlite3.Connection, token: str) -> dict | None:
    """The saved search whose feed has this secret (its owner enabled), or None."""
    row = db.execute("SELECT s.* FROM saved_searches s JOIN users u ON u.id = s.user_id "
                     "WHERE s.feed_token = ? AND u.disabled = 0", (token,)).fetchone()
    return dict(row) if row else None


def update_search(db: sqlite3.Connection, search_id: int, **values) -> None:
    """Change some columns of a saved search (names from SEARCH_SETTABLE)."""
    update_row(db, "saved_searches", search_id, SEARCH_SETTABLE, values)


def delete_search(db: sqlite3.Connection, search_id: int) -> None:
    """Remove a saved search with its hits and its messages."""
    for table in ("outbox", "alert_hit_bands", "alert_hits"):
        db.execute(f"DELETE FROM {table} WHERE search_id = ?", (search_id,))
    db.execute("DELETE FROM saved_searches WHERE id = ?", (search_id,))


def checkpoints(db: sqlite3.Connection, search_ids: Iterable[int]) -> dict[int, int]:
    """The checkpoint of each search still there and not paused."""
    ids = list(search_ids)
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(db.execute(f"SELECT id, checkpoint FROM saved_searches WHERE paused = 0 "
                                f"AND id IN ({marks})", chunk).fetchall())
    return found


def advance_checkpoints(db: sqlite3.Connection, search_ids: Iterable[int], seq: int,
                        when: str) -> None:
    """Move checkpoints forward to seq (never back) and note the run."""
    db.executemany("UPDATE saved_searches SET checkpoint = CASE WHEN checkpoint > ? "
                   "THEN checkpoint ELSE ? END, last_run_at = ? WHERE id = ?",
                   [(seq, seq, when, search_id) for search_id in search_ids])


# --- hits --------------------------------------------------------------------------------

def insert_hit(db: sqlite3.Connection, search_id: int, doc_id: str, seq: int, words: list[str],
               duplicate_of: int | None, signature: bytes, matched_at: str,
               queued: bool) -> int | None:
    """Record a hit; None when the search already has one for the document."""
    cursor = db.execute(
        "INSERT INTO alert_hits (search_id, doc_id, seq, words, duplicate_of, signature, "
        "matched_at, queued) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (search_id, doc_id, seq, json.dumps(words, ensure_ascii=False), duplicate_of,
         signature, matched_at, int(queued)))
    return cursor.lastrowid if cursor.rowcount else None


def insert_bands(db: sqlite3.Connection, search_id: int, hit_id: int,
                 bands: Iterable[bytes]) -> None:
    """Remember a leading hit's near-duplicate band keys."""
    db.executemany("INSERT INTO alert_hit_bands VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                   [(search_id, band, hit_id) for band in bands])


def hits_sharing_bands(db: sqlite3.Connection, search_id: int,
                       bands: list[bytes]) -> list[tuple[int, bytes]]:
    """(hit id, signature) of a search's leading hits that share a band key, oldest first."""
    if not bands:
        return []
    marks = ",".join("?" * len(bands))
    rows = db.execute(
        f"SELECT DISTINCT h.id, h.signature FROM alert_hit_bands b JOIN alert_hits h "
        f"ON h.id = b.hit_id WHERE b.search_id = ? AND b.band IN ({marks}) ORDER BY h.id",
        (search_id, *bands))
    return [(row[0], row[1]) for row in rows]


def hit_rows(db: sqlite3.Connection, search_id: int, limit: int = 50, offset: int = 0,
             unread_only: bool = False) -> list[dict]:
    """A search's leading hits, newest first, each with how many copies it gathered."""
    sql = ("SELECT h.id, h.search_id, h.doc_id, h.seq, h.words, h.matched_at, h.read, "
           "(SELECT COUNT(*) FROM alert_hits c WHERE c.duplicate_of = h.id) AS copies "
           "FROM alert_hits h WHERE h.search_id = ? AND h.duplicate_of IS NULL")
    if unread_only:
        sql += " AND h.read = 0"
    rows = db.execute(sql + " ORDER BY h.id DESC LIMIT ? OFFSET ?", (search_id, limit, offset))
    return [hit_dict(row) for row in rows]


def hits_by_id(db: sqlite3.Connection, hit_ids: list[int]) -> list[dict]:
    """The hits of a message, in the order given."""
    found: dict[int, dict] = {}
    for start in range(0, len(hit_ids), 500):
        chunk = hit_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
                f"SELECT h.id, h.search_id, h.doc_id, h.seq, h.words, h.matched_at, h.read, "
                f"(SELECT COUNT(*) FROM alert_hits c WHERE c.duplicate_of = h.id) AS copies "
                f"FROM alert_hits h WHERE h.id IN ({marks})", chunk):
            found[row["id"]] = hit_dict(row)
    return [found[i] for i in hit_ids if i in found]


def hit_dict(row: sqlite3.Row) -> dict:
    """A hit row with its words read back from JSON."""
    hit = dict(row)
    hit["words"] = json.loads(hit["words"])
    return hit


def all_hit_pairs(db: sqlite3.Connection) -> list[tuple[int, str, int | None]]:
    """Every (search id, document id, duplicate_of) recorded: what tests compare."""
    return [tuple(row) for row in
            db.execute("SELECT search_id, doc_id, duplicate_of FROM alert_hits ORDER BY id")]


def mark_read(db: sqlite3.Connection, search_id: int, hit_id: int | None = None) -> int:
    """Mark one hit (or all of a search's hits) read; how many changed."""
    if hit_id is None:
        cursor = db.execute("UPDATE alert_hits SET read = 1 WHERE search_id = ? AND read = 0",
                            (search_id,))
    else:
        cursor = db.execute("UPDATE alert_hits SET read = 1 WHERE search_id = ? AND id = ?",
                            (search_id, hit_id))
    return cursor.rowcount


def unqueued_hits(db: sqlite3.Connection, search_id: int) -> list[int]:
    """A search's leading hits not yet put in any message, oldest first."""
    rows = db.execute("SELECT id FROM alert_hits WHERE search_id = ? AND queued = 0 "
                      "AND duplicate_of IS NULL ORDER BY id", (search_id,))
    return [row[0] for row in rows]


def mark_queued(db: sqlite3.Connection, search_id: int) -> None:
    """Mark every hit of a search as put in a message."""
    db.execute("UPDATE alert_hits SET queued = 1 WHERE search_id = ? AND queued = 0", (search_id,))


# --- the outbox --------------------------------------------------------------------------

def insert_message(db: sqlite3.Connection, search_id: int, channel: str, kind: str,
                   hit_ids: list[int], now: str) -> int:
    """Queue one message of a channel."""
    return inserted_id(db.execute(
        "INSERT INTO outbox (search_id, channel, kind, hit_ids, next_try_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (search_id, channel, kind, json.dumps(hit_ids), now, now)))


def due_messages(db: sqlite3.Connection, now: str, limit: int) -> list[int]:
    """Ids of pending messages whose time has come and that no live lease holds."""
    rows = db.execute("SELECT id FROM outbox WHERE status = 'pending' AND next_try_at <= ? "
                      "AND (lease_until IS NULL OR lease_until < ?) ORDER BY id LIMIT ?",
                      (now, now, limit))
    return [row[0] for row in rows]


LEASE_FREE = "status = 'pending' AND (lease_until IS NULL OR lease_until < ?)"


def take_lease(db: sqlite3.Connection, message_id: int, owner: str, now: str,
               until: str) -> bool:
    """Hold a message for one sender; False when another holds it or it is done.

    The conditional UPDATE is what makes the claim exactly-once: of two senders, only one
    finds the lease free. On PostgreSQL the row is chosen with FOR UPDATE SKIP LOCKED, so
    a claim passes over a message another transaction is changing instead of waiting on it
    (SQLite has no row locks: its write transaction already holds the whole file).
    """
    if isinstance(db, sqlite3.Connection):
        where = f"id = ? AND {LEASE_FREE}"
    else:
        where = f"id = (SELECT id FROM outbox WHERE id = ? AND {LEASE_FREE} FOR UPDATE SKIP LOCKED)"
    cursor = db.execute(f"UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE {where}",
                        (owner, until, message_id, now))
    return cursor.rowcount == 1


def message_row(db: sqlite3.Connection, message_id: int) -> dict:
    """One outbox message with its hit ids."""
    row = dict(db.execute("SELECT * FROM outbox WHERE id = ?", (message_id,)).fetchone())
    row["hit_ids"] = json.loads(row["hit_ids"])
    return row


def mark_sent(db: sqlite3.Connection, message_id: int, owner: str, when: str) -> None:
    """Record that a message went out (only by the sender holding it)."""
    db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, "
               "lease_owner = NULL, lease_until = NULL, last_error = NULL "
               "WHERE id = ? AND lease_owner = ?", (when, message_id, owner))


def mark_attempt_failed(db: sqlite3.Connection, message_id: int, owner: str, error: str,
                        next_try_at: str | None) -> None:
    """Record a failed try: try again at next_try_at, or give up (failed) when None."""
    status = "pending" if next_try_at else "failed"
    db.execute("UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
               "next_try_at = COALESCE(?, next_try_at), lease_owner = NULL, lease_until = NULL "
               "WHERE id = ? AND lease_owner = ?", (status, error, next_try_at, message_id, owner))


def channel_states(db: sqlite3.Connection, search_id: int) -> dict[str, dict]:
    """The newest message of each channel of a search: status, attempts, last error."""
    rows = db.execute(
        "SELECT channel, status, attempts, last_error, created_at, sent_at FROM outbox o "
        "WHERE search_id = ? AND id = (SELECT MAX(id) FROM outbox WHERE search_id = o.search_id "
        "AND channel = o.channel)", (search_id,))
    return {row["channel"]: dict(row) for row in rows}


def message_counts(db: sqlite3.Connection) -> dict[str, int]:
    """Messages per status, for the worker's summary."""
    return dict(db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall())
