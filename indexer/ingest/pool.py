"""Enrichment's store-free analysis in worker processes, handed back in input order.

langdetect, text dates, countries and names are CPU-bound Python: worker processes analyse
the batches read ahead while the main process stores the current one. The main process
alone finishes each document (store hints for the language, names resolved against the
entity table), writes the store and the index, in input order, so what is stored does not
depend on how many workers there are.

One worker means no pool: the analysis runs in the main process when its batch is stored,
as it always did. Whoosh's own multi-process writer is not used (it lost documents).
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

from corpus.document import Document
from indexer.enrich.analysis import Analysis, analyse
from indexer.processes import start_worker

CHUNK = 128                  # documents a worker analyses per task: pays the pickling
AHEAD_DOCS = 1_000           # documents read and analysed ahead of the batch being stored...
AHEAD_CHARS = 64_000_000     # ...holding at most this much text (memory stays bounded)

Analyses = Callable[[], list[Analysis]]     # waits for a batch's analyses, in its order
Prepare = Callable[[Document], Any]         # a store's own work on a document (Store.prepare)


class WorkerFault(RuntimeError):
    """A worker process died or failed outside a rule: the ingest stops (one line)."""


class Analyser(Protocol):
    """Starts the analysis of a batch and hands it back when asked."""

    ahead: int        # documents that may wait analysed (or being analysed) before storing

    def start(self, docs: list[Document], now: datetime) -> Analyses: ...

    def close(self) -> None: ...


class InProcess:
    """No pool: each batch is analysed in this process when it is stored."""

    ahead = 0

    def __init__(self, detect: bool, full: bool):
        self.detect, self.full = detect, full

    def start(self, docs: list[Document], now: datetime) -> Analyses:
        return lambda: analyse_chunk(docs, now, self.detect, self.full)

    def close(self) -> None:
        """Nothing to stop."""


class WorkerPool:
    """Worker processes that analyse chunks of a batch while the main process stores.

    The processes start with the run's CHUNK-th document: a small ingest (a feed, a page)
    is analysed in this process and pays for no pool.
    """

    ahead = AHEAD_DOCS

    def __init__(self, workers: int, detect: bool, full: bool, prepare: Prepare | None = None):
        self.workers, self.detect, self.full, self.prepare = workers, detect, full, prepare
        self.executor: ProcessPoolExecutor | None = None
        self.seen = 0      # documents analysed in this process before the pool started

    def start(self, docs: list[Document], now: datetime) -> Analyses:
        if self.executor is None and self.seen + len(docs) < CHUNK:
            self.seen += len(docs)
            return lambda: analyse_chunk(docs, now, self.detect, self.full, self.prepare)
        executor = self.executor or self.start_processes()
        futures = [executor.submit(analyse_chunk, docs[at:at + CHUNK], now, self.detect,
                                   self.full, self.prepare) for at in range(0, len(docs), CHUNK)]
        return lambda: gather(futures)

    def start_processes(self) -> ProcessPoolExecutor:
        """Fork the workers: in milliseconds, with the modules (and monkeypatches) loaded
        and the rules' tables built once here, not once per worker (seconds each)."""
        warm_up(self.detect, self.full)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.executor = ProcessPoolExecutor(self.workers, mp_context=context,
                                            initializer=start_worker, initargs=(os.getpid(),))
        return self.executor

    def close(self) -> None:
        """Stop the workers; chunks not started are dropped (their batch is not stored)."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def analyser(workers: int, detect: bool, full: bool, prepare: Prepare | None = None) -> Analyser:
    """A pool of `workers` processes, or the main process alone for one worker.

    prepare: the store's own work on each document (Store.prepare), done by the workers
    too, so the process that writes the store does not (the search rows of PostgreSQL);
    without workers the store does it itself when it writes."""
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, not {workers}")
    if workers == 1 or not (detect or full or prepare):   # nothing CPU-bound to hand out
        return InProcess(detect, full)
    return WorkerPool(workers, detect, full, prepare)


def gather(futures: list[Future]) -> list[Analysis]:
    """The chunks' analyses in order; a dead or failing worker is a WorkerFault."""
    try:
        return [analysis for future in futures for analysis in future.result()]
    except BrokenProcessPool as exc:
        raise WorkerFault("an enrichment worker process stopped unexpectedly (killed, or out "
                          "of memory); what was stored before is kept: run the ingest again"
                          ) from exc
    except Exception as exc:   # outside a rule (rules' failures come back as Failure)
        raise WorkerFault(f"an enrichment worker failed ({type(exc).__name__}: {exc})") from exc


def analyse_chunk(docs: list[Document], now: datetime, detect: bool, full: bool,
                  prepare: Prepare | None = None) -> list[Analysis]:
    """What a worker does with one task."""
    analyses = [analyse(doc, now, detect, full) for doc in docs]
    if prepare is None:
        return analyses
    return [replace(analysis, prepared=prepare(doc)) for analysis, doc in zip(analyses, docs, strict=True)]


@dataclass
class Waiting:
    """A batch being analysed, and what stores it once analysed."""

    analyses: Analyses
    store: Callable[[list[Analysis]], None]
    docs: int
    chars: int


class Pipeline:
    """Batches analysed ahead, each handed to `store` in the order they were put."""

    def __init__(self, analyses: Analyser):
        self.analyser = analyses
        self.pending: deque[Waiting] = deque()
        self.docs = self.chars = 0      # what the pending batches hold

    def put(self, docs: list[Document], now: datetime,
            store: Callable[[list[Analysis]], None]) -> None:
        """Start a batch's analysis; store the oldest batches while too much waits."""
        chars = sum(len(doc.text) + len(doc.title or "") for doc in docs)
        self.pending.append(Waiting(self.analyser.start(docs, now), store, len(docs), chars))
        self.docs, self.chars = self.docs + len(docs), self.chars + chars
        while self.pending and (self.analyser.ahead == 0 or self.docs > self.analyser.ahead
                                or self.chars > AHEAD_CHARS):
            self.store_next()

    def mark(self, then: Callable[[], None]) -> None:
        """Run then once every batch put before is stored."""
        self.pending.append(Waiting(lambda: [], lambda _: then(), 0, 0))
        if self.analyser.ahead == 0:
            self.drain()

    def store_next(self) -> None:
        """Wait for the oldest batch's analyses and store it."""
        oldest = self.pending.popleft()
        self.docs, self.chars = self.docs - oldest.docs, self.chars - oldest.chars
        oldest.store(oldest.analyses())

    def drain(self) -> None:
        """Store every batch still waiting, in order."""
        while self.pending:
            self.store_next()

    def drop(self) -> None:
        """Forget the batches still waiting (the ingest stops: they are not stored)."""
        self.pending.clear()
        self.docs = self.chars = 0


# A line of each script the rules treat apart: analysing them builds every table they use.
WARM_UP = ("The minister of finance said on Monday in Paris that talks with the International "
           "Monetary Fund would resume next week.",
           "قال وزير الخارجية السعودي الأمير فيصل بن فرحان اليوم في الرياض إن المملكة تدعم الحوار.",
           "به گزارش خبرگزاری فارس، وزیر امور خارجه ایران امروز در مسکو با همتای روسی خود دیدار کرد.")


def warm_up(detect: bool, full: bool) -> None:
    """Build the rules' tables (langdetect's profiles, gazetteer, lexicon) in this process."""
    now = datetime(2000, 1, 1, tzinfo=timezone.utc)
    for text in WARM_UP:
        analyse(Document(title=None, text=text), now, detect, full)
