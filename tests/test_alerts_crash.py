"""Exactly once through crashes: ingest batches of documents that match, do not match, are
updated, re-ingested and arrive late, then reindex and reenrich; SIGKILL matching and the
delivery worker at random points and start them again: every expected hit and webhook
delivery comes exactly once and nothing else does.

A message the worker sent but was killed before recording goes out once more with the
same delivery id (X-Media-Monitor-Delivery), which the receiver keeps: that is how
exactly-once reaches the other side of a network, and the test holds the ids to it.
"""
from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import accounts
from indexer.instance import Instance
from indexer.service import Monitor
from indexer.store import alerts as rows
from tests.alerts_support import news, webhook_server
from tests.helpers import ROOT, write_jsonl
from tests.killed_run import NOT_KILLED

STORY = ("The oil ministry said exports through the southern terminals would rise next month "
         "after repairs to the pipeline were finished ahead of schedule and tankers returned")
FILES = {
    "one": [news("a", "Oil exports to rise", STORY), news("b", "Gold price", "Gold rose."),
            news("c", "Weather", "Rain in the north."), news("d", "Oil and gold", "Oil, gold."),
            news("e", "Football", "A match was won.")],
    "two": [news("a", "Oil exports to rise", STORY + " Officials confirmed it."),  # updated
            news("b", "Gold price", "Gold rose."),                                 # unchanged
            news("c", "Weather", "Rain in the north delayed oil tankers."),        # now matches
            news("f", "Oil in 1990", "An oil report.", "1990-05-01T00:00:00Z"),     # late
            news("g", "Cinema", "A film opened.")],
    "three": [news("h", "Oil exports to rise", STORY + " on Monday", source="Beta Times"),  # copy
              news("i", "Gold mines", "Gold mines reopened.")],
}
EXPECTED_HITS = [("gold", "b", None), ("gold", "d", None), ("gold", "i", None),
                 ("oil", "a", None), ("oil", "c", None), ("oil", "d", None), ("oil", "f", None),
                 ("oil", "h", "a")]
EXPECTED_SENT = {"gold": ["b", "d", "i"], "oil": ["a", "c", "d", "f"]}
MATCHING_POINTS = ("hit", "message", "batch")
WORKER_POINTS = ("leased", "sent", "recorded")


def child(home: Path, operation: str, point: str, number: int, minutes: int, *paths) -> int:
    done = subprocess.run([sys.executable, "-m", "tests.killed_alerts", str(home), operation,
                           point, str(number), str(minutes), *map(str, paths)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (-signal.SIGKILL, NOT_KILLED), done.stderr[-2000:]
    return done.returncode


def hits_of(home: Path) -> list[tuple[str, str, str | None]]:
    monitor = Monitor(Instance(home))
    with monitor.store() as store:
        names = {row["id"]: row["name"] for row in rows.searches_of(store.db)}
        by_hit = dict(store.db.execute("SELECT id, doc_id FROM alert_hits").fetchall())
        pairs = rows.all_hit_pairs(store.db)
        docs = store.get_many(doc_id for _, doc_id, _ in pairs)
    external = lambda doc_id: docs[doc_id].external_id  # noqa: E731
    return sorted((names[s], external(d), external(by_hit[lead]) if lead else None)
                  for s, d, lead in pairs)


def one_run(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    home = tmp_path / f"home{seed}"
    paths = {name: write_jsonl(tmp_path / f"{seed}-{name}.jsonl", items)
             for name, items in FILES.items()}
    with webhook_server() as (url, receiver):
        monitor = Monitor(Instance(home))
        with monitor.store() as store:
            ana = accounts.add_user(store, "ana", "password1", "ana@example.org")
        monitor.alerts.create(ana, "oil", {"q": "oil"}, webhook_url=url)
        monitor.alerts.create(ana, "gold", {"q": "gold"}, webhook_url=url)
        monitor.close()
        killed = minutes = 0
        for step in ("one", "worker", "two", "reindex", "worker", "three", "worker", "worker"):
            if step == "reindex":
                monitor = Monitor(Instance(home))
                monitor.reindex()
                monitor.reenrich()
                monitor.close()
                continue
            operation = "worker" if step == "worker" else "ingest"
            points = WORKER_POINTS if step == "worker" else MATCHING_POINTS
            args = () if step == "worker" else (paths[step],)
            if rng.random() < 0.8:
                code = child(home, operation, rng.choice(points), rng.randint(1, 4), minutes, *args)
                killed += code == -signal.SIGKILL
            minutes += 11                           # past the 10-minute lease of a killed worker
            child(home, operation, "none", 1, minutes, *args)   # the restart finishes the step
        assert killed, "no kill came in this run"
        assert hits_of(home) == EXPECTED_HITS
        sent: dict[str, list[str]] = {}
        bodies: dict[int, dict] = {}
        for _headers, body in receiver.accepted():
            # A resend after a kill carries the same id and the same payload.
            assert bodies.setdefault(body["delivery"], body) == body
        for body in bodies.values():
            sent.setdefault(body["alert"]["name"], []).extend(
                hit["document"]["external_id"] for hit in body["hits"])
        assert {name: sorted(ids) for name, ids in sent.items()} == EXPECTED_SENT


@pytest.mark.parametrize("seed", [1, 2])
def test_exactly_once_through_random_kills(tmp_path, seed):
    one_run(tmp_path, seed)


@pytest.mark.long
@pytest.mark.parametrize("seed", range(100, 120))
def test_exactly_once_through_random_kills_twenty_runs(tmp_path, seed):
    one_run(tmp_path, seed)
