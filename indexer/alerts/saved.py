"""A saved search as the front ends see it, and the rules for what one may hold."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from indexer.search.params import SearchParams

FREQUENCIES = ("instant", "daily", "weekly", "off")
MAX_NAME = 200
# Paging says nothing about what an alert watches; sort only how its search page opens.
NOT_SAVED = ("page", "limit", "facet_limit")


class AlertError(ValueError):
    """A saved search cannot be made or changed as asked; the message says why."""


class AlertNotFound(LookupError):
    """No saved search with that id belongs to the user asking (or none exists)."""


@dataclass(frozen=True)
class SavedSearch:
    """One saved search with its health: last run, broken query, channel states."""

    id: int
    user_id: int
    name: str
    args: dict
    frequency: str
    paused: bool
    checkpoint: int
    email: bool
    webhook_url: str | None
    webhook_secret: str
    feed_token: str | None
    broken: str | None
    last_run_at: str | None
    created_at: str
    unread: int = 0
    hits: int = 0
    channels: dict = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: dict, channels: dict | None = None) -> "SavedSearch":
        return cls(row["id"], row["user_id"], row["name"], json.loads(row["args"]),
                   row["frequency"], bool(row["paused"]), row["checkpoint"], bool(row["email"]),
                   row["webhook_url"], row["webhook_secret"], row["feed_token"], row["broken"],
                   row["last_run_at"], row["created_at"], row.get("unread", 0),
                   row.get("hits", 0), channels or {})

    @property
    def params(self) -> SearchParams:
        """The saved search's params, relative dates still relative (ParamError if bad)."""
        return SearchParams.from_args(self.args)

    def params_on(self, today: date) -> SearchParams:
        """The params a match on `today` runs."""
        return self.params.resolved(today)

    @property
    def failing(self) -> list[str]:
        """The channels whose newest message keeps failing."""
        return sorted(name for name, state in self.channels.items()
                      if state["status"] == "failed" or (state["status"] == "pending"
                                                         and state["attempts"] > 0))

    def to_json(self) -> dict:
        """The API's view of it (the webhook secret and feed token are not repeated)."""
        return {"id": self.id, "name": self.name, "search": self.args,
                "frequency": self.frequency, "paused": self.paused, "email": self.email,
                "webhook_url": self.webhook_url, "feed": self.feed_token is not None,
                "broken": self.broken, "last_run_at": self.last_run_at,
                "created_at": self.created_at, "unread": self.unread, "hits": self.hits,
                "failing_channels": self.failing}


def saved_args(params: SearchParams) -> dict[str, list[str]]:
    """What a saved search keeps of params: every filter and bound, not the paging."""
    return {name: values for name, values in params.to_args().items() if name not in NOT_SAVED}


def check_name(name: str) -> str:
    """A saved search's name, trimmed; AlertError when empty or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise AlertError("give the alert a name")
    if len(name) > MAX_NAME:
        raise AlertError(f"the name is longer than {MAX_NAME} characters")
    return name


def check_frequency(frequency: str) -> str:
    """instant, daily, weekly or off."""
    frequency = (frequency or "").strip().lower()
    if frequency not in FREQUENCIES:
        raise AlertError(f"unknown frequency {frequency!r} (use {', '.join(FREQUENCIES)})")
    return frequency


def check_webhook_url(url: str | None) -> str | None:
    """An http(s) URL with a host, or None for no webhook."""
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertError(f"the webhook URL {url!r} must be http:// or https:// with a host")
    return url


def new_secret() -> str:
    """A fresh secret for a feed URL or a webhook signature."""
    return secrets.token_urlsafe(24)
