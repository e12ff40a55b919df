"""The alert use cases every front end calls (web pages, JSON API, command line, worker).

Every call names the user it acts for, and a saved search that is not theirs is
AlertNotFound, exactly as one that does not exist: no one learns another user's ids.
"""
from __future__ import annotations

import builtins
import json
from datetime import datetime
from types import EllipsisType
from typing import Mapping, Sequence

from corpus.document import format_time
from indexer.accounts import User, get_user
from indexer.alerts.delivery import Deliverer
from indexer.alerts.matching import MatchReport, run_matching
from indexer.alerts.messages import HitView, hit_view
from indexer.alerts.saved import (
    AlertError,
    AlertNotFound,
    SavedSearch,
    check_frequency,
    check_name,
    check_webhook_url,
    new_secret,
    saved_args,
)
from indexer.alerts.settings import DeliverySettings
from indexer.store import alerts as rows

PAGE = 50


class Alerts:
    """Saved searches of one instance, over a Monitor (its store, engine and clock)."""

    def __init__(self, monitor):
        self.monitor = monitor

    def now(self) -> datetime:
        return self.monitor.clock()

    # --- saved searches ------------------------------------------------------------------

    def create(self, user: User, name: str, args: Mapping[str, Sequence[str] | str | None],
               frequency: str = "instant", email: bool = False,
               webhook_url: str | None = None) -> SavedSearch:
        """Save a search (args as the search page reads them) from now on: documents
        stored before it are not alerted. ParamError/QueryError for a bad search."""
        params = self.monitor.params(args)
        name, frequency = check_name(name), check_frequency(frequency)
        webhook_url = check_webhook_url(webhook_url)
        when = format_time(self.now())
        with self.monitor.store() as store:
            with store.transaction():
                search_id = rows.insert_search(
                    store.db, user_id=user.id, name=name, args=json_args(saved_args(params)),
                    frequency=frequency, checkpoint=store.last_seq(), email=int(bool(email)),
                    webhook_url=webhook_url, webhook_secret=new_secret(), feed_token=new_secret(),
                    last_digest_at=when, created_at=when)
        return self.get(user, search_id)

    def list(self, user: User) -> list[SavedSearch]:
        """The user's saved searches with unread counts and channel health."""
        with self.monitor.store() as store:
            return [SavedSearch.from_row(row, rows.channel_states(store.db, row["id"]))
                    for row in rows.searches_of(store.db, user.id)]

    def get(self, user: User, search_id: int) -> SavedSearch:
        """One of the user's saved searches; AlertNotFound when it is not theirs."""
        for search in self.list(user):
            if search.id == search_id:
                return search
        raise AlertNotFound(f"no alert {search_id}")

    def update(self, user: User, search_id: int, name: str | None = None,
               args: Mapping | None = None, frequency: str | None = None,
               email: bool | None = None,
               webhook_url: str | None | EllipsisType = ...) -> SavedSearch:
        """Change what is given; a changed search is matched from its checkpoint on."""
        self.get(user, search_id)
        values: dict = {}
        if name is not None:
            values["name"] = check_name(name)
        if args is not None:
            values["args"] = json_args(saved_args(self.monitor.params(args)))
            values["broken"] = None
        if frequency is not None:
            values["frequency"] = check_frequency(frequency)
        if email is not None:
            values["email"] = int(bool(email))
        if webhook_url is not ...:
            values["webhook_url"] = check_webhook_url(webhook_url)
        self._write(search_id, **values)
        return self.get(user, search_id)

    def pause(self, user: User, search_id: int) -> SavedSearch:
        """Stop matching; the checkpoint stays, so resuming catches up."""
        self.get(user, search_id)
        self._write(search_id, paused=1)
        return self.get(user, search_id)

    def resume(self, user: User, search_id: int) -> SavedSearch:
        """Match again, from where it stopped."""
        self.get(user, search_id)
        self._write(search_id, paused=0)
        return self.get(user, search_id)

    def delete(self, user: User, search_id: int) -> None:
        """Remove the saved search, its hits and its unsent messages."""
        self.get(user, search_id)
        with self.monitor.store() as store:
            with store.transaction():
                rows.delete_search(store.db, search_id)

    def new_feed_url(self, user: User, search_id: int) -> SavedSearch:
        """Revoke the feed's secret address and make a new one."""
        self.get(user, search_id)
        self._write(search_id, feed_token=new_secret())
        return self.get(user, search_id)

    def revoke_feed(self, user: User, search_id: int) -> SavedSearch:
        """Revoke the feed's secret address (no feed until a new one is made)."""
        self.get(user, search_id)
        self._write(search_id, feed_token=None)
        return self.get(user, search_id)

    def new_webhook_secret(self, user: User, search_id: int) -> SavedSearch:
        """Make a new signing secret for the webhook."""
        self.get(user, search_id)
        self._write(search_id, webhook_secret=new_secret())
        return self.get(user, search_id)

    def _write(self, search_id: int, **values) -> None:
        with self.monitor.store() as store:
            with store.transaction():
                rows.update_search(store.db, search_id, **values)

    # --- hits ----------------------------------------------------------------------------

    def hits(self, user: User, search_id: int, page: int = 1, unread_only: bool = False
             ) -> builtins.list[HitView]:
        """A page of the alert's hits (copies folded under their first), newest first."""
        self.get(user, search_id)
        return self._hits(search_id, page, unread_only)

    def _hits(self, search_id: int, page: int = 1, unread_only: bool = False,
              limit: int = PAGE) -> builtins.list[HitView]:
        with self.monitor.store() as store:
            found = rows.hit_rows(store.db, search_id, limit, (max(1, page) - 1) * limit,
                                  unread_only)
            docs = store.get_many(hit["doc_id"] for hit in found)
        return [hit_view(hit, docs.get(hit["doc_id"])) for hit in found]

    def mark_read(self, user: User, search_id: int, hit_id: int | None = None) -> int:
        """Mark one hit, or all of them, read; how many changed."""
        self.get(user, search_id)
        with self.monitor.store() as store:
            with store.transaction():
                return rows.mark_read(store.db, search_id, hit_id)

    def feed(self, token: str, limit: int = PAGE) -> tuple[SavedSearch, builtins.list[HitView]] | None:
        """The alert and newest hits behind a feed's secret address; None if revoked."""
        if not token:
            return None
        with self.monitor.store() as store:
            row = rows.search_by_feed_token(store.db, token)
        if row is None:
            return None
        search = SavedSearch.from_row(row)
        return search, self._hits(search.id, limit=limit)

    # --- running -------------------------------------------------------------------------

    def run(self) -> MatchReport:
        """Match every active alert against what arrived since its checkpoint."""
        with self.monitor.store() as store:
            return run_matching(store, self.monitor.engine, self.now())

    def deliver(self, settings: DeliverySettings | None = None) -> dict:
        """Queue due digests and send what is due, once (the worker loops on this)."""
        with self.monitor.store() as store:
            return Deliverer(settings or DeliverySettings.from_env()).run_once(store, self.now())

    def owner_of(self, search_id: int) -> User | None:
        """Whose alert this is (the command line acts for the owner)."""
        with self.monitor.store() as store:
            row = rows.search_row(store.db, search_id)
            return get_user(store, row["user_id"]) if row else None


def json_args(args: dict) -> str:
    """Saved args as the store keeps them."""
    return json.dumps(args, ensure_ascii=False)


__all__ = ["Alerts", "AlertError", "AlertNotFound"]
