"""The outbox: messages queued by matching (instant) or by the digest schedule, sent by
whichever worker takes them first.

A worker takes a message under a lease (a row update only one worker can win), sends it,
then records it sent; a failed send is tried again with doubling waits until `retry_for`
has passed, then the message is marked failed and its channel shows as failing. Two
workers never send one message: the lease is taken in a write transaction and outlasts
any send's timeouts many times over.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Callable

from corpus.document import format_time, parse_time
from indexer.accounts import get_user
from indexer.alerts import channels
from indexer.alerts.compose import Outgoing, email_message, webhook_body
from indexer.alerts.matching import channels_of
from indexer.alerts.messages import hit_view
from indexer.alerts.saved import SavedSearch
from indexer.alerts.schedule import digest_due
from indexer.alerts.settings import DeliverySettings
from indexer.store import Store
from indexer.store import alerts as rows

LEASE = timedelta(minutes=10)
TAKEN_AT_ONCE = 50


def worker_name() -> str:
    """A name for this process, as lease owner."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Deliverer:
    """Schedules digests and sends due messages for one store.

    `senders` maps a channel to a function (settings, user, search, message) -> None that
    raises channels.SendFailed; `on_event(name, message_id)` is called after "leased",
    "sent" and "recorded" (the crash tests kill the process there).
    """

    def __init__(self, settings: DeliverySettings, owner: str | None = None,
                 senders: dict | None = None,
                 on_event: Callable[[str, int], None] | None = None):
        self.settings, self.owner = settings, owner or worker_name()
        self.senders = senders or {"email": send_by_email, "webhook": send_by_webhook}
        self.on_event = on_event or (lambda name, message_id: None)

    def run_once(self, store: Store, now: datetime) -> dict:
        """Queue the digests that are due, then send what is due; say how many of each."""
        digests = schedule_digests(store, now)
        sent, failed = self.deliver_due(store, now)
        return {"digests": digests, "sent": sent, "failed": failed}

    def deliver_due(self, store: Store, now: datetime) -> tuple[int, int]:
        """Send every message due now; (sent, failed tries)."""
        sent = failed = 0
        while True:
            due = rows.due_messages(store.db, format_time(now), TAKEN_AT_ONCE)
            taken = [message_id for message_id in due if self.lease(store, message_id, now)]
            if not taken:
                return sent, failed
            for message_id in taken:
                if self.send(store, message_id, now):
                    sent += 1
                else:
                    failed += 1

    def lease(self, store: Store, message_id: int, now: datetime) -> bool:
        with store.transaction():
            won = rows.take_lease(store.db, message_id, self.owner, format_time(now),
                                  format_time(now + LEASE))
        if won:
            self.on_event("leased", message_id)
        return won

    def send(self, store: Store, message_id: int, now: datetime) -> bool:
        """Send one leased message and record the outcome; True when it went out."""
        row = rows.message_row(store.db, message_id)
        search_row = rows.search_row(store.db, row["search_id"])
        try:
            if search_row is None:
                raise channels.SendFailed("the alert was deleted")
            search = SavedSearch.from_row(search_row)
            user = get_user(store, search.user_id)
            self.senders[row["channel"]](self.settings, user, search,
                                         outgoing(store, row, search, self.settings))
        except channels.SendFailed as exc:
            retry = retry_at(self.settings, row, now)
            with store.transaction():
                rows.mark_attempt_failed(store.db, message_id, self.owner, str(exc),
                                         format_time(retry) if retry else None)
            return False
        self.on_event("sent", message_id)
        with store.transaction():
            rows.mark_sent(store.db, message_id, self.owner, format_time(now))
        self.on_event("recorded", message_id)
        return True


def outgoing(store: Store, row: dict, search: SavedSearch, settings: DeliverySettings) -> Outgoing:
    """The message's hits with their documents, at most hits_per_message of them shown."""
    shown_ids = row["hit_ids"][:settings.hits_per_message]
    hits = rows.hits_by_id(store.db, shown_ids)
    docs = store.get_many(hit["doc_id"] for hit in hits)
    views = [hit_view(hit, docs.get(hit["doc_id"])) for hit in hits]
    return Outgoing(row["id"], row["kind"], search, views, len(row["hit_ids"]) - len(shown_ids))


def retry_at(settings: DeliverySettings, row: dict, now: datetime) -> datetime | None:
    """When to try a failed message again (waits double), None once retry_for has passed."""
    wait = min(settings.first_retry * 2 ** row["attempts"], settings.max_retry)
    again = now + timedelta(seconds=wait)
    if again > column_time(row["created_at"]) + timedelta(seconds=settings.retry_for):
        return None
    return again


def column_time(value: str) -> datetime:
    """A time read from a NOT NULL column, which format_time always filled."""
    moment = parse_time(value)
    assert moment is not None, "a NOT NULL time column holds an empty string"
    return moment


def send_by_email(settings: DeliverySettings, user, search: SavedSearch, message: Outgoing) -> None:
    """Mail the message to the alert's owner."""
    if user is None or not user.email:
        raise channels.SendFailed("the account has no email address")
    channels.send_email(settings, email_message(message, user.email, settings))


def send_by_webhook(settings: DeliverySettings, user, search: SavedSearch,
                    message: Outgoing) -> None:
    """POST the message to the alert's webhook, signed with its secret."""
    if not search.webhook_url:
        raise channels.SendFailed("the alert has no webhook URL any more")
    channels.post_webhook(search.webhook_url, search.webhook_secret,
                          webhook_body(message, settings), message.id, message.kind,
                          settings.timeout)


def schedule_digests(store: Store, now: datetime) -> int:
    """Queue a digest for each daily or weekly alert whose time has come; how many."""
    queued = 0
    for search_row in rows.matchable_searches(store.db):
        search = SavedSearch.from_row(search_row)
        if search.frequency not in ("daily", "weekly"):
            continue
        user = get_user(store, search.user_id)
        # saved_searches.user_id references users, and an account is disabled, never deleted.
        assert user is not None, f"saved search {search.id} has no account"
        last = column_time(search_row["last_digest_at"])
        if not digest_due(last, now, search.frequency, user.timezone, user.digest_hour,
                          user.digest_weekday):
            continue
        queued += queue_digest(store, search, search_row["last_digest_at"], now)
    return queued


def queue_digest(store: Store, search: SavedSearch, last: str, now: datetime) -> int:
    """Put the hits gathered since the last digest in one message per channel (once: the
    digest time is moved in the same transaction, only if no one moved it meanwhile)."""
    with store.transaction():
        current = rows.search_row(store.db, search.id)
        if current is None or current["last_digest_at"] != last:
            return 0
        rows.update_search(store.db, search.id, last_digest_at=format_time(now))
        hit_ids = rows.unqueued_hits(store.db, search.id)
        rows.mark_queued(store.db, search.id)
        if not hit_ids:
            return 0
        for channel in channels_of(search):
            rows.insert_message(store.db, search.id, channel, search.frequency, hit_ids,
                                format_time(now))
    return 1
