"""Accounts: users with hashed passwords, and API tokens kept only as hashes.

Passwords go through werkzeug.security (salted, slow); an API token is 32 random bytes,
so a plain SHA-256 of it is safe to keep and quick to look up on every API request.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from werkzeug.security import check_password_hash, generate_password_hash

from corpus.document import format_time
from indexer.store import Store
from indexer.store import users as rows

TOKEN_PREFIX = "mm_"
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[\w.@+-]{1,64}$")
# A hash to check against when the user does not exist: the same time either way.
_NOBODY = generate_password_hash("no such user")


class AccountError(ValueError):
    """A user asked for something about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    """An account as the front ends see it (never its password hash)."""

    id: int
    username: str
    email: str | None
    is_admin: bool
    disabled: bool
    timezone: str
    digest_hour: int
    digest_weekday: int

    @classmethod
    def from_row(cls, row: dict) -> "User":
        return cls(row["id"], row["username"], row["email"], bool(row["is_admin"]),
                   bool(row["disabled"]), row["timezone"], row["digest_hour"],
                   row["digest_weekday"])


def check_password(password: str) -> None:
    """Refuse a password too short to keep anyone out."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")


def check_timezone(name: str) -> str:
    """An IANA time zone name, checked."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountError(f"unknown time zone {name!r} (use a name such as Europe/Paris)") from None
    return name


def add_user(store: Store, username: str, password: str, email: str | None = None,
             is_admin: bool = False, now: datetime | None = None) -> User:
    """Create an account; AccountError when the name is taken or the password too short."""
    username = username.strip()
    if not _USERNAME.match(username):
        raise AccountError(f"invalid user name {username!r} (letters, digits and . @ + - _)")
    check_password(password)
    with store.transaction():
        try:
            rows.insert_user(store.db, username, (email or "").strip() or None,
                             generate_password_hash(password), is_admin,
                             format_time(now or datetime.now().astimezone()))
        except sqlite3.IntegrityError:
            raise AccountError(f"the user name {username!r} is taken") from None
    return require_user(store, username)


def find_user(store: Store, username: str) -> User | None:
    """The account of that name, or None."""
    row = rows.user_by_name(store.db, username)
    return User.from_row(row) if row else None


def get_user(store: Store, user_id: int) -> User | None:
    """The account with that id, or None."""
    row = rows.user_by_id(store.db, user_id)
    return User.from_row(row) if row else None


def list_users(store: Store) -> list[User]:
    """Every account, by name."""
    return [User.from_row(row) for row in rows.all_users(store.db)]


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The enabled account these credentials open, else None (same work either way)."""
    row = rows.user_by_name(store.db, username.strip())
    ok = check_password_hash(row["password_hash"] if row else _NOBODY, password)
    if not row or not ok or row["disabled"]:
        return None
    return User.from_row(row)


def require_user(store: Store, username: str) -> User:
    """The account of that name; AccountError when there is none."""
    user = find_user(store, username)
    if user is None:
        raise AccountError(f"no user named {username!r}")
    return user


def set_password(store: Store, username: str, password: str) -> None:
    """Give an account a new password."""
    check_password(password)
    user = require_user(store, username)
    with store.transaction():
        rows.update_user(store.db, user.id, password_hash=generate_password_hash(password))


def set_disabled(store: Store, username: str, disabled: bool = True) -> None:
    """Disable (or enable again) an account: no login, no tokens, no alerts."""
    user = require_user(store, username)
    with store.transaction():
        rows.update_user(store.db, user.id, disabled=int(disabled))


def update_profile(store: Store, user_id: int, email: str | None, timezone: str,
                   digest_hour: int, digest_weekday: int) -> None:
    """Change where and when a user's digests go."""
    if not 0 <= digest_hour <= 23 or not 0 <= digest_weekday <= 6:
        raise AccountError("the digest hour is 0-23 and the weekday 0 (Monday) to 6 (Sunday)")
    with store.transaction():
        rows.update_user(store.db, user_id, email=(email or "").strip() or None,
                         timezone=check_timezone(timezone), digest_hour=digest_hour,
                         digest_weekday=digest_weekday)


def token_hash(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(store: Store, user_id: int, label: str = "", now: datetime | None = None) -> str:
    """Make an API token for a user and return it: it is shown this once, kept only hashed."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction():
        rows.insert_token(store.db, user_id, token_hash(token), label.strip()[:100],
                          format_time(now or datetime.now().astimezone()))
    return token


def user_for_token(store: Store, token: str) -> User | None:
    """The enabled account a token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = rows.user_by_token(store.db, token_hash(token))
    return User.from_row(row) if row else None


def list_tokens(store: Store, user_id: int) -> list[dict]:
    """A user's tokens: id, label, created_at (never the token)."""
    return rows.tokens_of(store.db, user_id)


def revoke_token(store: Store, user_id: int, token_id: int) -> bool:
    """Revoke one of a user's tokens; False when it is not theirs."""
    with store.transaction():
        return rows.delete_token(store.db, user_id, token_id)
