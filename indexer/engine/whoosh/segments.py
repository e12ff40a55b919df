"""A bulk build on every core: worker processes write segments, the one writer commits them.

Whoosh analyses and writes in one Python thread, so a rebuild or the catch-up of a large
backlog used one core. Here the seqs to index are cut into contiguous runs holding about
as much text each (Store.seq_splits); a worker process per run reads its documents from
the store itself and writes them as one new segment, without the index lock and without
touching the table of contents, as Whoosh's MpWriter does in its subprocesses. The
parent holds the lock throughout, deletes the older versions of updated documents, and
commits one table of contents that names the workers' segments in seq order, so document
numbers follow seq as in a one-process build and searches answer alike, ties included.

Whoosh's MpWriter itself is not used (WHOOSH.md: it lost documents): it waits one second
for each worker's result and goes on without it, and its workers share one temporary
folder that the first to finish deletes. A worker here has a temporary folder of its own,
and any worker that fails or dies fails the whole commit (IndexWorkerFault); the segments
written are then never named in a table of contents, and Whoosh's next commit deletes
their files. A worker ends soon after its parent is gone (indexer.processes).
"""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.writing import PostingPool, SegmentWriter

from indexer.engine import IndexWorkerFault
from indexer.engine.whoosh.schema import document_fields
from indexer.processes import start_worker
from indexer.store import Store
from indexer.store.stored import stored_seq

PER_DOCUMENT = 700         # characters a document's own cost weighs, beside its text's
REPORT_EVERY = 50          # documents between a worker's progress reports
WAIT = 0.2                 # seconds between the parent's looks at its workers


@dataclass
class Run:
    """One worker's share: the documents whose seq is in (after, upto]."""

    after: int
    upto: int


def runs_of(store: Store, after: int, upto: int, parts: int) -> list[Run]:
    """(after, upto] cut into `parts` contiguous runs of about equal work."""
    cuts = store.seq_splits(after, upto, parts, per_document=PER_DOCUMENT)
    return [Run(low, high) for low, high in zip(cuts[:-1], cuts[1:], strict=True) if high > low]


def write_segments(folder: Path, store: Store, runs: list[Run], options: dict,
                   progress: Callable[[int], None] | None = None) -> list:
    """Write each run as a segment in a worker process; return the segments in run order.

    The caller holds the index lock; `progress` is called with a seq for each document a
    worker has indexed (the latest seq that worker reached).
    """
    context = multiprocessing.get_context("fork")
    workers = []
    try:
        for run in runs:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=worker_main, daemon=True,
                                      args=(os.getpid(), str(folder), str(store.path), run,
                                            options, sending))
            process.start()
            sending.close()
            workers.append((process, receiving))
        return [collect(process, receiving, progress) for process, receiving in workers]
    finally:
        for process, receiving in workers:
            if process.is_alive():
                process.kill()
            process.join()
            receiving.close()


def collect(process, receiving: Connection, progress: Callable[[int], None] | None):
    """Pass on one worker's progress until it hands back its segment (None when empty)."""
    while True:
        try:
            if not receiving.poll(WAIT):
                if not process.is_alive() and not receiving.poll():
                    break
                continue
            kind, value = receiving.recv()
        except EOFError:
            break
        if kind == "progress":
            seq, count = value
            for _ in range(count):
                if progress:
                    progress(seq)
        elif kind == "segment":
            return value
        elif isinstance(value, OSError):      # a full disk says so, as in this process
            raise value
        else:
            raise IndexWorkerFault(f"an index worker failed ({value}); nothing of this "
                                   "commit was kept: run it again")
    process.join()
    raise IndexWorkerFault(f"an index worker process stopped unexpectedly (exit code "
                           f"{process.exitcode}; killed, or out of memory); nothing of "
                           "this commit was kept: run it again")


def worker_main(parent: int, folder: str, store_path: str, run: Run, options: dict,
                sending: Connection) -> None:
    """In the worker: write the run's documents as one segment and send it back."""
    start_worker(parent)
    try:
        sending.send(("segment", write_run(folder, store_path, run, options, sending)))
    except OSError as exc:
        sending.send(("error", exc))
    except BaseException as exc:
        sending.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sending.close()
        os._exit(0)      # nothing of the parent's (its store connection) is closed here


def write_run(folder: str, store_path: str, run: Run, options: dict, sending: Connection):
    """Add the run's documents to a segment of their own; return it (None if empty)."""
    ix = whoosh_index.open_dir(folder)
    writer = SegmentWriter(ix, _lk=False, **options)
    # Every writer of an index sorts its postings in the same temporary folder and deletes
    # the folder when it finishes: this worker's postings sort in a folder of its own (the
    # shared one, which its column files use too, goes when the parent commits).
    sorting = ix.storage.temp_storage(f"worker-{os.getpid()}.tmp")
    writer.pool = PostingPool(sorting, writer.newsegment, limitmb=options.get("limitmb", 128))
    store = Store(store_path, readonly=True)
    try:
        count, seq = 0, run.after
        for doc in store.iter_between(run.after, run.upto):
            writer.add_document(**document_fields(doc))
            count, seq = count + 1, stored_seq(doc)
            if count % REPORT_EVERY == 0:
                sending.send(("progress", (seq, REPORT_EVERY)))
        if count % REPORT_EVERY:
            sending.send(("progress", (seq, count % REPORT_EVERY)))
        if count == 0:
            writer._close_segment()
            return None
        return writer._finalize_segment()
    finally:
        sorting.destroy()
        store.close()


def commit_with(writer: SegmentWriter, segments: list, merge: bool) -> None:
    """Commit the writer's own changes (deletions, merges) and the workers' segments.

    SegmentWriter.commit's steps, with the workers' segments named after the writer's.
    """
    writer._check_state()
    final = writer._merge_segments(None, None, merge)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + [segment for segment in segments if segment is not None])
    writer._finish()
