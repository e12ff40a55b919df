"""A child process for the crash tests: one library operation that SIGKILLs itself at a
chosen point, reached through the library's own callbacks and never through a timer.

    python -m tests.killed_run HOME OPERATION POINT N [PATH...]

OPERATION is `ingest` (an Ingester with two enrichment workers over each path, then the
index catch-up, as `manage.py ingest` does), `reindex` or `reenrich` (as their commands
do). POINT is one of:

  committed   after the store commits the batch that leaves it holding N documents or more
  writing     as the store starts writing its Nth document, inside that batch's transaction
  indexing    as the index writer takes the Nth document of this run, before it commits
  reenriched  after the Nth re-enriched batch reached the index, before the store commits it

It prints `committed COUNT` (documents in the store) when it starts and after every batch
the store commits, so a test knows what the store held when the kill came. Reaching the
end without meeting its kill point exits 3: a test that expects a kill then fails.

With KILLED_RUN_PARALLEL_FROM=N in the environment, a backlog of N documents or more is
indexed by two worker processes (indexer/engine/whoosh/segments.py), as a large one is:
the kill then comes while they write their segments.
"""
from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from indexer.engine.whoosh import index as index_module
from indexer.engine.whoosh.index import SearchIndex
from indexer.ingest.ingester import Ingester, store_enricher, utc_now
from indexer.ingest.reenrich import reenrich
from indexer.instance import Instance

POINTS = ("committed", "writing", "indexing", "reenriched")
NOT_KILLED = 3


def die() -> None:
    """SIGKILL this process: no handler, no cleanup, no flush of anything unwritten."""
    os.kill(os.getpid(), signal.SIGKILL)


def document_count(store) -> int:
    return sum(store.count_by_kind().values())


class KillPoint:
    """Counts the events of one kind and kills the process at the Nth."""

    def __init__(self, point: str, number: int, store):
        self.point, self.number, self.store = point, number, store
        self.held = document_count(store)       # documents before this run wrote any
        self.writes = self.indexed = self.reenriched = 0
        report(self.held)

    def on_batch(self, _report) -> None:
        """Ingester callback: the batch is committed."""
        held = document_count(self.store)
        report(held)
        if self.point == "committed" and held >= self.number:
            die()

    def on_statement(self, sql: str) -> None:
        """SQLite trace callback: a statement is about to run."""
        if sql.lstrip().upper().startswith("INSERT OR REPLACE INTO DOCUMENTS"):
            self.writes += 1
            if self.point == "writing" and self.held + self.writes >= self.number:
                die()

    def on_indexed(self, _seq: int) -> None:
        """Index progress callback: a document went to the index writer."""
        self.indexed += 1
        if self.point == "indexing" and self.indexed >= self.number:
            die()

    def on_reenriched(self) -> None:
        """A re-enriched batch reached the index; the store has not committed it yet."""
        self.reenriched += 1
        if self.point == "reenriched" and self.reenriched >= self.number:
            die()


def report(held: int) -> None:
    print(f"committed {held}", flush=True)


def run(home: Path, operation: str, point: str, number: int, paths: list[str]) -> None:
    instance = Instance(home)
    store = instance.open_store()
    index = SearchIndex(instance.index_path)
    kill = KillPoint(point, number, store)
    store.db.set_trace_callback(kill.on_statement)
    workers = None
    if os.environ.get("KILLED_RUN_PARALLEL_FROM"):
        index_module.PARALLEL_FROM, workers = int(os.environ["KILLED_RUN_PARALLEL_FROM"]), 2
    if operation == "ingest":
        # two enrichment workers, as `manage.py ingest` has on two cores: a kill must leave
        # the store as it leaves it without a pool, and no worker behind
        with Ingester(store, on_batch=kill.on_batch, workers=2) as ingester:
            ingester.ingest_files(paths, lambda *_: None)
        index.catch_up(store, progress=kill.on_indexed, workers=workers)
    elif operation == "reindex":
        index.rebuild(store, progress=kill.on_indexed, workers=workers)
    elif operation == "reenrich":
        index.catch_up(store, progress=kill.on_indexed)

        def refresh(docs) -> None:
            index.refresh(docs)
            kill.on_reenriched()
        reenrich(store, store_enricher(store), utc_now(), on_batch=refresh)
    else:
        raise SystemExit(f"unknown operation {operation!r}")
    store.close()


def main(argv: list[str]) -> int:
    home, operation, point, number, *paths = argv
    if point not in POINTS:
        raise SystemExit(f"unknown kill point {point!r} (use {', '.join(POINTS)})")
    run(Path(home), operation, point, int(number), paths)
    return NOT_KILLED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
