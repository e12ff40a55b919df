"""A child process for the alert crash tests: matching or delivery that SIGKILLs itself
at a chosen point, reached through the library's own callbacks, never through a timer.

    python -m tests.killed_alerts HOME OPERATION POINT N MINUTES [PATH...]

MINUTES moves the child's clock that far past NOW: a restarted worker runs after the
leases a killed one left have run out, as it would in life.

OPERATION is `ingest` (store the paths, catch the index up, match, as an ingest does),
`run` (match only), `worker` (one delivery round) or `none` with POINT `none`. POINT:

  hit        as matching writes its Nth hit, inside the batch's transaction
  message    as matching queues its Nth message, inside the batch's transaction
  batch      after matching committed its Nth batch
  leased     after the worker took the lease of its Nth message, before sending it
  sent       after the Nth message went out, before the outbox records it
  recorded   after the outbox recorded the Nth message as sent

Reaching the end without meeting its kill point exits 3.
"""
from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from indexer.alerts.delivery import Deliverer
from indexer.alerts.matching import run_matching
from indexer.alerts.settings import DeliverySettings
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance
from tests.killed_run import NOT_KILLED, die

NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
BATCH = 3          # small matching batches: more places to be killed between


class KillPoint:
    """Counts the events of one kind and kills the process at the Nth."""

    def __init__(self, point: str, number: int):
        self.point, self.number, self.seen = point, number, 0

    def event(self, name: str) -> None:
        if name == self.point:
            self.seen += 1
            if self.seen >= self.number:
                die()

    def on_statement(self, sql: str) -> None:
        text = sql.lstrip().upper()
        if text.startswith("INSERT OR IGNORE INTO ALERT_HITS"):
            self.event("hit")
        elif text.startswith("INSERT INTO OUTBOX"):
            self.event("message")


def run(home: Path, operation: str, point: str, number: int, now: datetime,
        paths: list[str]) -> None:
    instance = Instance(home)
    store = instance.open_store()
    kill = KillPoint(point, number)
    store.db.set_trace_callback(kill.on_statement)
    if operation in ("ingest", "run"):
        if operation == "ingest":
            Ingester(store, detect_language=False).ingest(paths)
        engine = instance.open_engine()
        engine.catch_up(store)
        run_matching(store, engine, now, batch_size=BATCH, on_batch=lambda seq: kill.event("batch"))
        engine.close()
    elif operation == "worker":
        Deliverer(DeliverySettings(base_url="http://monitor.example"),
                  on_event=lambda name, message_id: kill.event(name)).run_once(store, now)
    store.close()


def main(argv: list[str]) -> int:
    home, operation, point, number, minutes, *paths = argv
    run(Path(home), operation, point, int(number), NOW + timedelta(minutes=int(minutes)), paths)
    return NOT_KILLED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
