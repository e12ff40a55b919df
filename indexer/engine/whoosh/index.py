"""The Whoosh index, derived from the store: catch up by seq, rebuild and swap, search.

The index records the last store seq it holds in `seq.json`, written atomically after
each Whoosh commit. A crash between the two only makes the next catch-up index some
documents again, which update_document (keyed by id) makes harmless. `seq.json` also
says where the store is (relative to the index folder): the index holds no documents,
and an engine opened on the folder alone reads them from there.

A catch-up of a large backlog commits every COMMIT_EVERY documents without merging
segments (a killed run keeps what it committed); only its last commit lets Whoosh merge
(its default policy, small segments only), so a bulk build writes each posting once or
twice, not once per intermediate commit.

A backlog of PARALLEL_FROM documents or more is written by one worker process per core,
each writing a segment of its own that this process commits (segments.py); a catch-up
then commits every COMMIT_EVERY documents per worker.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
from contextlib import contextmanager
from math import ceil
from pathlib import Path
from typing import Callable, Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import RamStorage

from corpus.document import Document
from indexer.engine import IndexBusy
from indexer.engine.whoosh.codec import InliningCodec
from indexer.engine.whoosh.schema import SCHEMA_VERSION, build_schema, document_fields
from indexer.engine.whoosh.segments import commit_with, runs_of, write_segments
from indexer.processes import default_workers
from indexer.store import Store
from indexer.store.stored import stored_seq

SEQ_FILE = "seq.json"
COMMIT_EVERY = 10_000     # per catch-up commit: a killed run keeps what it committed
PARALLEL_FROM = 2_000     # documents to index from which worker processes write them
# WHOOSH.md: procs>1 loses documents. compound=False: Whoosh 2.7.4 opens each file of a
# compound segment by copying it into memory (BufferFile wraps BytesIO(mmap slice)), stored
# texts included; as plain files they are read in place. Measured on 8,000 documents: a
# serving process held 45 MB of private memory instead of 144 MB, opened in 223 ms not 364.
# codec: short posting lists inlined (codec.py).
WRITER_OPTIONS = {"procs": 1, "limitmb": 256, "compound": False, "codec": InliningCodec()}
SEGMENT_OPTIONS = {key: value for key, value in WRITER_OPTIONS.items() if key != "procs"}

Progress = Callable[[int], None]     # called with the seq of each document indexed


class SearchIndex:
    """The index folder of an instance, its writer lock beside it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.new_path = self.path.with_name(self.path.name + ".new")
        self.old_path = self.path.with_name(self.path.name + ".old")

    def exists(self) -> bool:
        """Tell whether an index has been created."""
        return self.path.is_dir() and whoosh_index.exists_in(str(self.path))

    def store_path(self) -> Path | None:
        """The store the index was last written from, None when it does not say."""
        relative = read_state(self.path).get("store")
        return (self.path / relative).resolve() if relative else None

    def seq(self) -> int | None:
        """Return the last store seq the index holds; None while there is no index."""
        if not self.exists():
            return None
        state = read_state(self.path)
        return state["seq"] if state.get("schema") == SCHEMA_VERSION else 0

    @contextmanager
    def searcher(self) -> Iterator:
        """Open a searcher on the index, or on an empty one while there is none."""
        ix = whoosh_index.open_dir(str(self.path)) if self.exists() else empty_index()
        with ix.searcher() as searcher:
            yield searcher

    def catch_up(self, store: Store, progress: Progress | None = None, wait: bool = True,
                 workers: int | None = None) -> int:
        """Index the documents changed since the recorded seq; return how many.

        workers: processes that write a large backlog (default: one per core).
        """
        with self.writing(wait):
            state, target = read_state(self.path), store.last_seq()
            if not self.exists() or state.get("schema") != SCHEMA_VERSION or state["seq"] > target:
                # No index, another schema, or an index ahead of its store: start afresh.
                return self._rebuild_locked(store, progress, workers)
            start: int = state["seq"]       # write_state records the seq beside the schema
            if start == target:
                return 0
            ix = whoosh_index.open_dir(str(self.path))
            fresh = ix.doc_count_all() == 0
            return write_range(ix, self.path, store, start, target, update=not fresh,
                               progress=progress, commit_every=COMMIT_EVERY, workers=workers,
                               store_name=self._relative(store))

    def refresh(self, docs: list[Document]) -> None:
        """Rewrite documents whose enriched fields changed; the recorded seq stays."""
        with self.writing(wait=True):
            if self.exists():
                commit_batch(whoosh_index.open_dir(str(self.path)), None, docs, True, None)

    def rebuild(self, store: Store, progress: Progress | None = None,
                workers: int | None = None) -> int:
        """Build a fresh index from the whole store beside the old one, then swap them."""
        with self.writing(wait=True):
            return self._rebuild_locked(store, progress, workers)

    def _rebuild_locked(self, store: Store, progress: Progress | None,
                        workers: int | None) -> int:
        shutil.rmtree(self.new_path, ignore_errors=True)
        self.new_path.mkdir(parents=True)
        ix = whoosh_index.create_in(str(self.new_path), build_schema())
        target = store.last_seq()
        write_state(self.new_path, 0, store=self._relative(store))
        # One commit (one segment per worker): a killed rebuild is thrown away whole anyway.
        count = write_range(ix, self.new_path, store, 0, target, update=False,
                            progress=progress, workers=workers, store_name=self._relative(store))
        self._swap()
        return count

    def _relative(self, store: Store) -> str:
        """Where the store is seen from the index folder (both move with their instance)."""
        return os.path.relpath(Path(store.path).resolve(), self.path.resolve())

    def _swap(self) -> None:
        """Put the new folder in place of the old one (finished by _recover if cut short)."""
        shutil.rmtree(self.old_path, ignore_errors=True)
        if self.path.exists():
            self.path.rename(self.old_path)
        self.new_path.rename(self.path)
        shutil.rmtree(self.old_path, ignore_errors=True)

    def _recover(self) -> None:
        """Finish a swap a crash interrupted, and drop a half-built new index."""
        if not self.path.exists() and read_state(self.new_path).get("complete"):
            self.new_path.rename(self.path)
        shutil.rmtree(self.new_path, ignore_errors=True)
        shutil.rmtree(self.old_path, ignore_errors=True)

    @contextmanager
    def writing(self, wait: bool = True) -> Iterator[None]:
        """Hold the instance's index lock: one writer at a time, released if killed."""
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                raise IndexBusy(f"{self.path} is being written by another process") from None
            try:
                self._recover()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def write_range(ix, folder: Path, store: Store, after: int, target: int, update: bool,
                progress: Progress | None = None, commit_every: int | None = None,
                workers: int | None = None, store_name: str | None = None) -> int:
    """Index the store's documents with a seq in (after, target]; return how many.

    In worker processes when there are PARALLEL_FROM or more, more than one worker, and
    may_fork() says so.
    """
    workers = workers or default_workers()
    if workers > 1 and target - after >= PARALLEL_FROM and may_fork():   # seqs bound it: cheap
        backlog = store.count_between(after, target)
        if backlog >= PARALLEL_FROM:
            return write_in_workers(ix, folder, store, after, target, update, progress,
                                    commit_every, workers, backlog, store_name)
    return write_documents(ix, folder, store.iter_between(after, target), target, update,
                           progress, commit_every, store_name)


def may_fork() -> bool:
    """Whether worker processes may be forked from this process: only while it runs one
    thread. A fork copies the locks other threads hold (SQLite's, the logging module's)
    as they are, and a worker could wait on one forever; the source poller, for one,
    catches up from a thread beside the alert worker's."""
    return threading.active_count() == 1


def write_in_workers(ix, folder: Path, store: Store, after: int, target: int, update: bool,
                     progress: Progress | None, commit_every: int | None, workers: int,
                     backlog: int, store_name: str | None) -> int:
    """write_range's worker processes: one commit per `workers` runs, each recording its
    last seq; the last commit merges small segments (write_documents's rule)."""
    rounds = ceil(backlog / (commit_every * workers)) if commit_every else 1
    runs = runs_of(store, after, target, workers * rounds)
    count = 0
    for at in range(0, len(runs), workers):
        share = runs[at:at + workers]
        writer = ix.writer(**WRITER_OPTIONS)
        try:
            if update:        # the older versions of documents stored again
                with writer.searcher() as searcher:
                    for doc_id in store.ids_between(share[0].after, share[-1].upto):
                        writer.delete_by_term("id", doc_id, searcher=searcher)
            segments = write_segments(folder, store, share, SEGMENT_OPTIONS, progress)
            commit_with(writer, segments, merge=at + workers >= len(runs))
        except BaseException:
            writer.cancel()
            raise
        count += sum(segment.doc_count_all() for segment in segments if segment is not None)
        write_state(folder, share[-1].upto, store=store_name)
    write_state(folder, target, complete=True, store=store_name)
    return count


def write_documents(ix, folder: Path, docs: Iterable[Document], target: int, update: bool,
                    progress: Progress | None = None, commit_every: int | None = None,
                    store: str | None = None) -> int:
    """Write documents (those up to seq target), committing every so often and recording
    each seq; the index then holds target.

    Intermediate commits leave their segments unmerged; the last one merges (see above).
    """
    count, batch = 0, []
    for doc in docs:
        batch.append(doc)
        if commit_every and len(batch) >= commit_every:
            count += commit_batch(ix, folder, batch, update, progress, merge=False, store=store)
            batch = []
    count += commit_batch(ix, folder, batch, update, progress, store=store)
    write_state(folder, target, complete=True, store=store)
    return count


def commit_batch(ix, folder: Path | None, batch: list[Document], update: bool,
                 progress: Progress | None, merge: bool = True, store: str | None = None) -> int:
    """Add or update a batch in one Whoosh commit, then record its last seq (if folder)."""
    if not batch:
        return 0
    writer = ix.writer(**WRITER_OPTIONS)
    try:
        add = writer.update_document if update else writer.add_document
        for doc in batch:
            add(**document_fields(doc))
            if progress:
                progress(stored_seq(doc))
    except BaseException:
        # WHOOSH.md: a writer is unusable after add_document raises; drop it whole.
        writer.cancel()
        raise
    writer.commit(merge=merge)
    if folder is not None:
        write_state(folder, stored_seq(batch[-1]), store=store)
    return len(batch)


def read_state(folder: Path) -> dict:
    """Read the folder's seq.json ({} when absent or unreadable)."""
    try:
        return json.loads((folder / SEQ_FILE).read_text())
    except (OSError, ValueError):
        return {}


def write_state(folder: Path, seq: int, complete: bool = False, store: str | None = None
                ) -> None:
    """Record the seq, schema version and store atomically: write aside, then rename.

    Without a store given, the one recorded before stays (refresh knows none).
    """
    temporary = folder / (SEQ_FILE + ".tmp")
    state = {"seq": seq, "schema": SCHEMA_VERSION, "complete": complete,
             "store": store or read_state(folder).get("store")}
    temporary.write_text(json.dumps(state))
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, folder / SEQ_FILE)


def empty_index():
    """An in-memory index with the schema and no documents."""
    return RamStorage().create_index(build_schema())
