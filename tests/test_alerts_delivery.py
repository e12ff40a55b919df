"""Delivery: email over a real SMTP server (aiosmtpd on loopback), webhooks to a real HTTP
server, signed, retried with backoff and never sent twice; digests at the user's hour."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from indexer import accounts
from indexer.alerts.channels import verify
from indexer.alerts.delivery import Deliverer, schedule_digests
from indexer.alerts.schedule import next_digest
from indexer.alerts.settings import DeliverySettings
from indexer.instance import Instance
from indexer.service import Monitor
from indexer.store import alerts as rows
from tests.alerts_support import Clock, news, signature_of, smtp_server, webhook_server
from tests.helpers import write_jsonl


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def monitor(tmp_path, clock):
    monitor = Monitor(Instance(tmp_path / "home"), clock=clock)
    yield monitor
    monitor.close()


def ana(monitor, **profile):
    with monitor.store() as store:
        user = accounts.add_user(store, "ana", "password1", "ana@example.org")
        if profile:
            accounts.update_profile(store, user.id, "ana@example.org", **profile)
        return accounts.get_user(store, user.id)


def ingest(monitor, tmp_path, name, records):
    monitor.ingest([str(write_jsonl(tmp_path / f"{name}.jsonl", records))])


def deliver(monitor, settings, owner="w1"):
    with monitor.store() as store:
        return Deliverer(settings, owner=owner).run_once(store, monitor.clock())


def test_an_instant_email_carries_text_and_html_at_most_n_hits_and_why_each_fired(monitor, tmp_path):
    user = ana(monitor)
    monitor.alerts.create(user, "Oil <watch>", {"q": "oil", "country": "IR"}, email=True)
    ingest(monitor, tmp_path, "many", [news(f"d{n}", f"Oil report {n}", f"Iran oil exports, part {n}.")
                                       for n in range(5)] + [news("x", "Wheat", "Iran wheat.")])
    with smtp_server() as (port, mailbox):
        settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=port, hits_per_message=3,
                                    base_url="http://monitor.example")
        assert deliver(monitor, settings) == {"digests": 0, "sent": 1, "failed": 0}
        assert deliver(monitor, settings) == {"digests": 0, "sent": 0, "failed": 0}
    [mail] = mailbox.messages
    assert mail["Subject"] == "New for “Oil <watch>”: 5" and mail["To"] == "ana@example.org"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.count("Matched: Oil") == 3 and "2 more: http://monitor.example/alerts/1" in text
    assert html.count("<mark>oil</mark>") == 3 and "Oil &lt;watch&gt;" in html
    assert "http://monitor.example/?q=oil&amp;country=IR" in html
    assert mail["Message-ID"].startswith("<alert-1.1.")


def test_a_failing_mail_server_is_retried_with_backoff_then_marked_failed(monitor, tmp_path, clock):
    user = ana(monitor)
    alert = monitor.alerts.create(user, "oil", {"q": "oil"}, email=True)
    ingest(monitor, tmp_path, "one", [news("a", "Oil", "oil news")])
    settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=1, retry_for=60,
                                first_retry=30, timeout=2)
    assert deliver(monitor, settings)["failed"] == 1
    assert deliver(monitor, settings)["failed"] == 0              # not due before 30 s
    clock.advance(seconds=30)
    assert deliver(monitor, settings)["failed"] == 1              # the next wait (60 s) ends past retry_for
    state = monitor.alerts.get(user, alert.id)
    assert state.channels["email"]["status"] == "failed" and state.failing == ["email"]
    assert "did not take the message" in state.channels["email"]["last_error"]


def test_a_webhook_that_fails_three_times_then_recovers_gets_each_payload_once(monitor, tmp_path, clock):
    user = ana(monitor)
    with webhook_server(failures=3) as (url, receiver):
        alert = monitor.alerts.create(user, "oil", {"q": "oil"}, webhook_url=url)
        ingest(monitor, tmp_path, "one", [news("a", "Oil up", "oil rose")])
        ingest(monitor, tmp_path, "two", [news("b", "Oil down", "oil fell")])
        settings = DeliverySettings(first_retry=10, base_url="http://monitor.example")
        for _ in range(8):
            deliver(monitor, settings)
            clock.advance(seconds=60)
    assert len(receiver.posts) == 5 and receiver.delivery_ids() == [1, 2]
    bodies = {body["hits"][0]["document"]["external_id"] for _, body in receiver.accepted()}
    assert bodies == {"a", "b"}
    secret = monitor.alerts.get(user, alert.id).webhook_secret
    for headers, body, _status in receiver.posts:
        assert verify(secret, body, signature_of(headers))
        assert not verify("another secret", body, signature_of(headers))
    headers, body = receiver.accepted()[0]
    assert body["alert"] == {"id": alert.id, "name": "oil", "search": {"q": ["oil"]},
                             "url": f"http://monitor.example/alerts/{alert.id}"}
    assert body["hits"][0]["words"] == ["Oil"] and "<mark>oil</mark>" in body["hits"][0]["snippet"]


def test_two_workers_at_once_never_send_one_message_twice(monitor, tmp_path):
    user = ana(monitor)
    with webhook_server() as (url, receiver):
        monitor.alerts.create(user, "oil", {"q": "oil"}, webhook_url=url)
        for n in range(12):
            ingest(monitor, tmp_path, f"n{n}", [news(f"d{n}", f"Oil {n}", f"oil story {n}")])
        settings = DeliverySettings()
        workers = [threading.Thread(target=deliver, args=(monitor, settings, f"w{n}"))
                   for n in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert receiver.delivery_ids() == list(range(1, 13)) and len(receiver.posts) == 12


def test_a_daily_digest_goes_at_the_users_hour_in_their_time_zone(monitor, tmp_path, clock):
    user = ana(monitor, timezone="Asia/Tehran", digest_hour=8, digest_weekday=0)
    with webhook_server() as (url, receiver):
        monitor.alerts.create(user, "oil daily", {"q": "oil"}, frequency="daily", webhook_url=url)
        ingest(monitor, tmp_path, "one", [news("a", "Oil", "oil one"), news("b", "Oil", "oil two")])
        assert deliver(monitor, DeliverySettings())["digests"] == 0   # 15:30 in Tehran
        clock.now = datetime(2026, 3, 11, 4, 29, tzinfo=timezone.utc)
        assert deliver(monitor, DeliverySettings())["digests"] == 0   # 07:59
        clock.now = datetime(2026, 3, 11, 4, 30, tzinfo=timezone.utc)
        assert deliver(monitor, DeliverySettings()) == {"digests": 1, "sent": 1, "failed": 0}
        ingest(monitor, tmp_path, "two", [news("c", "Oil", "oil three")])
        clock.now = datetime(2026, 3, 12, 4, 30, tzinfo=timezone.utc)
        assert deliver(monitor, DeliverySettings())["digests"] == 1
        clock.now = datetime(2026, 3, 13, 4, 30, tzinfo=timezone.utc)
        assert deliver(monitor, DeliverySettings())["digests"] == 0   # nothing new: nothing sent
    events = [(body["event"], sorted(h["document"]["external_id"] for h in body["hits"]))
              for _, body in receiver.accepted()]
    assert events == [("daily", ["a", "b"]), ("daily", ["c"])]


@pytest.mark.parametrize("after, frequency, zone, expected", [
    (datetime(2026, 3, 28, 12, tzinfo=timezone.utc), "daily", "Europe/Paris",
     datetime(2026, 3, 29, 6, tzinfo=timezone.utc)),            # 8:00 summer time
    (datetime(2026, 3, 27, 12, tzinfo=timezone.utc), "daily", "Europe/Paris",
     datetime(2026, 3, 28, 7, tzinfo=timezone.utc)),            # 8:00 winter time
    (datetime(2026, 3, 10, 12, tzinfo=timezone.utc), "weekly", "America/New_York",
     datetime(2026, 3, 16, 12, tzinfo=timezone.utc)),           # next Monday, 8:00 EDT
    (datetime(2026, 3, 10, 12, tzinfo=timezone.utc), "instant", "UTC", None),
])
def test_next_digest(after, frequency, zone, expected):
    assert next_digest(after, frequency, zone, 8, 0) == expected


def test_off_keeps_hits_in_the_inbox_and_sends_nothing(monitor, tmp_path, clock):
    user = ana(monitor)
    alert = monitor.alerts.create(user, "oil", {"q": "oil"}, frequency="off", email=True)
    ingest(monitor, tmp_path, "one", [news("a", "Oil", "oil one")])
    clock.advance(days=8)
    with monitor.store() as store:
        assert schedule_digests(store, clock()) == 0 and rows.message_counts(store.db) == {}
    assert monitor.alerts.get(user, alert.id).unread == 1
