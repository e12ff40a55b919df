"""Accounts and their API tokens, over a Store's `db` (the SQL of indexer/accounts.py).

Its SQL reads the same on SQLite and PostgreSQL (indexer/store/postgres/connection.py)."""
from __future__ import annotations

import sqlite3

from indexer.store.rowid import inserted_id, update_row

USER_FIELDS = ("id", "username", "email", "password_hash", "is_admin", "disabled", "timezone",
               "digest_hour", "digest_weekday", "created_at")
SETTABLE = {"email", "password_hash", "is_admin", "disabled", "timezone", "digest_hour",
            "digest_weekday"}


def insert_user(db: sqlite3.Connection, username: str, email: str | None, password_hash: str,
                is_admin: bool, created_at: str) -> int:
    """Add a user; sqlite3.IntegrityError when the name is taken (in any case)."""
    cursor = db.execute(
        "INSERT INTO users (username, email, password_hash, is_admin, created_at) "
        "VALUES (?, ?, ?, ?, ?)", (username, email, password_hash, int(is_admin), created_at))
    return inserted_id(cursor)


def user_by_name(db: sqlite3.Connection, username: str) -> dict | None:
    """The user of that name (any case), or None."""
    # lower() on both sides: SQLite's NOCASE column and PostgreSQL's lower() index agree.
    row = db.execute("SELECT * FROM users WHERE lower(username) = lower(?)",
                     (username,)).fetchone()
    return dict(row) if row else None


def user_by_id(db: sqlite3.Connection, user_id: int) -> dict | None:
    """The user with that id, or None."""
    row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    return dict(row) if row else None


def all_users(db: sqlite3.Connection) -> list[dict]:
    """Every user, by name."""
    return [dict(row) for row in db.execute("SELECT * FROM users ORDER BY lower(username), id")]


def update_user(db: sqlite3.Connection, user_id: int, **values) -> None:
    """Change some of a user's fields (names from SETTABLE only)."""
    update_row(db, "users", user_id, SETTABLE, values)


def insert_token(db: sqlite3.Connection, user_id: int, token_hash: str, label: str,
                 created_at: str) -> int:
    """Keep a token's hash for a user."""
    return inserted_id(db.execute("INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                                  "VALUES (?, ?, ?, ?)", (user_id, token_hash, label, created_at)))


def user_by_token(db: sqlite3.Connection, token_hash: str) -> dict | None:
    """The enabled user a token hash belongs to, or None."""
    row = db.execute("SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
                     "WHERE token_hash = ? AND users.disabled = 0", (token_hash,)).fetchone()
    return dict(row) if row else None


def tokens_of(db: sqlite3.Connection, user_id: int) -> list[dict]:
    """A user's tokens (without their hashes), newest first."""
    rows = db.execute("SELECT id, label, created_at, last_used_at FROM api_tokens "
                      "WHERE user_id = ? ORDER BY id DESC", (user_id,))
    return [dict(row) for row in rows]


def delete_token(db: sqlite3.Connection, user_id: int, token_id: int) -> bool:
    """Revoke one of a user's tokens; False when the user has no such token."""
    cursor = db.execute("DELETE FROM api_tokens WHERE id = ? AND user_id = ?", (token_id, user_id))
    return cursor.rowcount > 0
