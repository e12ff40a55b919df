"""The alerts' exactly-once promises on PostgreSQL: two delivery workers (processes) on one
database send each outbox message once; matching run twice, or by two processes at once,
records each hit once; a checkpoint never moves backwards.

Each test takes a new database on the session's throwaway server (tests/conftest.py).
Documents are stored without matching, so the tests decide when and by whom matching runs;
matching takes batches of one document, so every matching document queues its own message.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from indexer import accounts
from indexer.alerts.delivery import Deliverer
from indexer.alerts.matching import run_matching
from indexer.alerts.settings import DeliverySettings
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance
from indexer.service import Monitor
from indexer.store import alerts as rows
from tests.alerts_support import news, webhook_server
from tests.helpers import ROOT, write_jsonl

pytest.importorskip("psycopg", reason="PostgreSQL tests skipped: psycopg is not installed")

NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
OIL = [news(f"oil{n:02}", f"Oil report {n}", f"Crude oil story number {n}.") for n in range(14)]
GOLD = [news(f"gold{n}", f"Gold report {n}", f"Gold miners story {n}.") for n in range(4)]
OTHER = [news("wheat", "Wheat", "Wheat fell."), news("rain", "Weather", "Rain in the north.")]
# Interleaved so both alerts have hits in most stretches of seq.
RECORDS = [record for group in zip(OIL[:4], GOLD, OIL[4:8], strict=True) for record in group] \
    + OIL[8:] + OTHER
EXPECTED_HITS = sorted([("gold", r["id"]) for r in GOLD] + [("oil", r["id"]) for r in OIL])


def prepared(home: Path, url: str, webhook_url: str | None = None) -> Instance:
    """An instance on url with two alerts (oil, gold) saved first, then RECORDS stored
    without matching them."""
    instance = Instance(home, url)
    monitor = Monitor(instance, clock=lambda: NOW)
    with monitor.store() as store:
        ana = accounts.add_user(store, "ana", "password1", "ana@example.org")
    monitor.alerts.create(ana, "oil", {"q": "oil"}, webhook_url=webhook_url)
    monitor.alerts.create(ana, "gold", {"q": "gold"}, webhook_url=webhook_url)
    monitor.close()
    path = write_jsonl(home.parent / f"{home.name}.jsonl", RECORDS)
    store = instance.open_store()
    try:
        report = Ingester(store, detect_language=False).ingest([str(path)])
        assert not report.count_status("failed")
    finally:
        store.close()
    return instance


def match(instance: Instance) -> int:
    """One matching run in batches of one document; the hits it recorded."""
    store, engine = instance.open_store(), instance.open_engine()
    try:
        return run_matching(store, engine, NOW, batch_size=1).hits
    finally:
        engine.close()
        store.close()


def deliver(instance: Instance, owner: str) -> dict:
    """One delivery round as worker `owner`."""
    store = instance.open_store()
    try:
        settings = DeliverySettings(base_url="http://monitor.example")
        return Deliverer(settings, owner=owner).run_once(store, NOW)
    finally:
        store.close()


def child_main(home: str, url: str, operation: str, name: str, go: str) -> None:
    """A child process: say it is ready, wait for the go file (so children start their
    work together), then match or deliver and print the outcome as JSON."""
    instance = Instance(Path(home), url)
    print("ready", flush=True)
    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    outcome = match(instance) if operation == "match" else deliver(instance, name)
    print(json.dumps(outcome), flush=True)


def at_once(tmp_path: Path, instance: Instance, operation: str, count: int = 2) -> list:
    """Run `operation` in `count` processes started together; their outcomes."""
    go = tmp_path / f"go-{operation}"
    code = "import sys; from tests.test_pg_alerts import child_main; child_main(*sys.argv[1:])"
    children = [subprocess.Popen([sys.executable, "-c", code, str(instance.home),
                                  str(instance.database_url), operation, f"worker{n}", str(go)],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for n in range(count)]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    go.touch()
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]
        outcomes.append(json.loads(out))
    return outcomes


def hits_of(instance: Instance) -> list[tuple[str, str]]:
    """(alert name, document external id) of every hit recorded."""
    store = instance.open_store()
    try:
        names = {row["id"]: row["name"] for row in rows.searches_of(store.db)}
        pairs = rows.all_hit_pairs(store.db)
        docs = store.get_many(doc_id for _, doc_id, _ in pairs)
        return sorted((names[search], docs[doc].external_id) for search, doc, _ in pairs)
    finally:
        store.close()


def checkpoints_of(instance: Instance) -> dict[str, int]:
    store = instance.open_store()
    try:
        return {row["name"]: row["checkpoint"] for row in rows.searches_of(store.db)}
    finally:
        store.close()


def test_matching_twice_records_each_hit_once(tmp_path, pg_url):
    instance = prepared(tmp_path / "home", pg_url)
    assert match(instance) == 18
    assert match(instance) == 0
    assert hits_of(instance) == EXPECTED_HITS
    assert checkpoints_of(instance) == {"gold": 20, "oil": 20}


def test_two_matching_processes_at_once_record_each_hit_and_message_once(tmp_path, pg_url):
    instance = prepared(tmp_path / "home", pg_url, webhook_url="http://127.0.0.1:9/hook")
    outcomes = at_once(tmp_path, instance, "match")
    assert sum(outcomes) == 18
    assert hits_of(instance) == EXPECTED_HITS
    store = instance.open_store()
    try:
        queued = [rows.message_row(store.db, m)["hit_ids"]
                  for m in rows.due_messages(store.db, "9999", 100)]
        hit_ids = [row[0] for row in store.db.execute("SELECT id FROM alert_hits ORDER BY id")]
    finally:
        store.close()
    # One message per hit (batches of one document), and no hit in two messages.
    assert sorted(hit for ids in queued for hit in ids) == hit_ids and len(queued) == 18


def test_a_checkpoint_never_moves_backwards(tmp_path, pg_url):
    instance = prepared(tmp_path / "home", pg_url)
    match(instance)
    assert checkpoints_of(instance) == {"gold": 20, "oil": 20}
    store = instance.open_store()
    try:
        ids = [row["id"] for row in rows.searches_of(store.db)]
        with store.transaction():       # a slower run that read an older seq commits late
            rows.advance_checkpoints(store.db, ids, 7, "2026-03-10T12:00:00Z")
    finally:
        store.close()
    assert checkpoints_of(instance) == {"gold": 20, "oil": 20}
    assert match(instance) == 0 and hits_of(instance) == EXPECTED_HITS


def test_two_delivery_workers_at_once_send_every_message_once(tmp_path, pg_url):
    with webhook_server() as (url, receiver):
        instance = prepared(tmp_path / "home", pg_url, webhook_url=url)
        assert match(instance) == 18
        outcomes = at_once(tmp_path, instance, "deliver")
        assert sum(outcome["sent"] for outcome in outcomes) == 18
        assert [outcome["failed"] for outcome in outcomes] == [0, 0]
        assert deliver(instance, "late") == {"digests": 0, "sent": 0, "failed": 0}
    assert receiver.delivery_ids() == list(range(1, 19)) and len(receiver.posts) == 18
    sent = sorted(hit["document"]["external_id"] for _, body in receiver.accepted()
                  for hit in body["hits"])
    assert sent == sorted(r["id"] for r in GOLD + OIL)
    store = instance.open_store()
    try:
        assert rows.message_counts(store.db) == {"sent": 18}
    finally:
        store.close()


def test_a_claim_passes_over_a_message_another_transaction_holds(tmp_path, pg_url):
    import psycopg

    instance = prepared(tmp_path / "home", pg_url, webhook_url="http://127.0.0.1:9/hook")
    match(instance)
    store = instance.open_store()
    other = psycopg.connect(pg_url)
    try:
        other.execute("SELECT id FROM outbox WHERE id = 1 FOR UPDATE")   # held, uncommitted
        with store.transaction():
            # Without SKIP LOCKED the claim would wait on message 1: fail, do not hang.
            store.db.execute("SET LOCAL lock_timeout = '10s'")
            assert rows.take_lease(store.db, 1, "w1", "2026-03-10T12:00:00Z",
                                   "2026-03-10T12:10:00Z") is False
            assert rows.take_lease(store.db, 2, "w1", "2026-03-10T12:00:00Z",
                                   "2026-03-10T12:10:00Z") is True
        other.rollback()
        with store.transaction():
            assert rows.take_lease(store.db, 1, "w2", "2026-03-10T12:00:00Z",
                                   "2026-03-10T12:10:00Z") is True
            assert rows.take_lease(store.db, 2, "w2", "2026-03-10T12:00:00Z",
                                   "2026-03-10T12:10:00Z") is False   # w1's lease is live
    finally:
        other.close()
        store.close()
