"""Read files into the store, exactly once per document, in crash-safe batches."""
from __future__ import annotations

import io
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from corpus.document import Document
from corpus.formats import Refused, choose_format, reader_for
from corpus.problems import ItemWarning, Problem, ReadError
from corpus.sources import open_input
from indexer.clock import utc_now
from indexer.enrich import Enricher
from indexer.enrich.analysis import Analysis, failure_of
from indexer.enrich.entity_table import EntityTable
from indexer.ingest.merge import merge
from indexer.ingest.pool import Pipeline, WorkerFault, analyser
from indexer.store import Store
from indexer.store.stored import stored_id

BATCH_SIZE = 500
BATCH_CHARS = 32_000_000  # and at most this much text: items may be 10 MB each
KEPT_WARNINGS = 20       # a file can warn once a line: the report keeps the first ones
P = TypeVar("P", bound="str | Refused")     # a path as given, or refused while walking


@dataclass
class FileReport:
    """What one file gave: the keys of INTERFACES.md's `files` entries."""

    path: str
    format: str | None = None
    status: str = "ok"
    documents: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_items: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)   # the first KEPT_WARNINGS of them
    warning_count: int = 0

    def warn(self, message: str) -> None:
        """Note an item read with a warning (a field dropped): the file stays ok."""
        self.warning_count += 1
        if len(self.warnings) < KEPT_WARNINGS:
            self.warnings.append(message)


class StoreFault(RuntimeError):
    """The store could not take a batch (its cause is chained): the ingest stops."""


@dataclass
class IngestReport:
    """The summary of one ingest over many files."""

    files: list[FileReport] = field(default_factory=list)

    def total(self, key: str) -> int:
        """Sum a per-file count over all files."""
        return sum(getattr(f, key) for f in self.files)

    def count_status(self, status: str) -> int:
        """Count the files that ended with a status."""
        return sum(f.status == status for f in self.files)

    def to_json(self) -> dict:
        """Return the `ingest --json` object."""
        data: dict[str, Any] = {"files": [asdict(f) for f in self.files]}
        for key in ("documents", "new", "updated", "unchanged"):
            data[key] = self.total(key)
        for status in ("ok", "partial", "failed", "skipped"):
            data[f"{status}_files"] = self.count_status(status)
        return data



class Ingester:
    """Feeds documents from readers into a store, batch by batch.

    With workers > 1, worker processes analyse the batches read ahead (pool.py); this
    process alone finishes their enrichment and writes them, in input order. Close the
    ingester (or use it in a with block) to stop its workers.
    """

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now,
                 detect_language: bool = True, batch_size: int = BATCH_SIZE,
                 on_batch: Callable[[FileReport], None] | None = None, enrich: bool = True,
                 workers: int = 1):
        self.store, self.clock = store, clock
        self.batch_size, self.on_batch = batch_size, on_batch
        self.outlets = OutletLanguages(store)
        self.unsettled: set[str] = set()     # ids whose language leaned on the store
        self.enricher = store_enricher(store, detect_language, enrich, self.outlets,
                                       self.unsettled)
        self.pipeline = Pipeline(analyser(workers, detect_language, enrich, store.prepare))

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self.pipeline.analyser.close()

    def __enter__(self) -> "Ingester":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def ingest(self, paths: Iterable[str | Refused]) -> IngestReport:
        """Ingest every path in order, settle the run's languages and report per file."""
        report = IngestReport()
        self.ingest_files(paths, lambda _, file_report: report.files.append(file_report))
        self.settle()
        return report

    def ingest_files(self, paths: Iterable[P], on_stored: Callable[[P, FileReport], None]
                     ) -> None:
        """Ingest paths in order; on_stored gets each path and its report once all of the
        file is stored (a fault that stops the ingest leaves the files stored before it).

        A file is read while the workers still analyse the ones before it (a folder of
        one-article pages keeps them busy too); errors as in ingest_file.
        """
        try:
            for path in paths:
                report = self.read_file(path)
                self.pipeline.mark(partial(on_stored, path, report))
            self.flush()
        finally:
            self.pipeline.drop()     # stopped early: what was not stored is dropped

    def settle(self, on_batch: Callable[[list[Document]], None] | None = None) -> int:
        """Decide again the languages of the run's documents that leaned on the store.

        Their outlet's usual language now counts the whole run, so a first ingest gives
        what a later one would, whatever the order of the items. Enrichment only, as in
        reenrich: seq stays; on_batch (the index's refresh) sees what changed once stored.
        Returns how many documents changed.
        """
        self.outlets.forget()
        ids, changed = sorted(self.unsettled), 0
        for start in range(0, len(ids), self.batch_size):
            docs = self.resettled(self.store.get_many(ids[start:start + self.batch_size]))
            try:
                with self.store.transaction():
                    current = self.store.get_many([stored_id(doc) for doc in docs])
                    # a document another writer changed meanwhile was enriched by it
                    docs = [doc for doc in docs if doc.id in current
                            and current[doc.id].seq == doc.seq]
                    for doc in docs:
                        self.store.update_enrichment(doc)
            except (sqlite3.Error, OSError) as exc:
                raise StoreFault(str(exc)) from exc
            if on_batch and docs:
                on_batch(docs)
            changed += len(docs)
        self.unsettled.clear()
        return changed

    def resettled(self, stored: dict[str, Document]) -> list[Document]:
        """The stored documents whose language the run's outlet counts now change."""
        enricher = replace(self.enricher, unsettled=None)
        docs = []
        for doc in stored.values():
            if enricher.language(doc) == doc.lang:
                continue
            try:
                docs.append(enricher.enrich(doc, doc.ingested_at or self.clock())[0])
            except Exception:  # noqa: BLE001 - the ingest reported it; keep what is stored
                continue
        return docs

    def ingest_file(self, path: str | Refused) -> FileReport:
        """Ingest one file, all of it stored when this returns; any error it causes is
        reported, never raised (but a store or worker fault, which stops the ingest)."""
        report = self.read_file(path)
        self.flush()
        return report

    def read_file(self, path: str | Refused) -> FileReport:
        """Read one file into the pipeline; any error it causes is reported, never raised."""
        if isinstance(path, Refused):       # met while walking a folder: reported, not read
            return FileReport(path=path.path, status=path.status, error=path.reason)
        report = FileReport(path=path)
        try:
            self._read_into_store(Path(path), report)
        except (StoreFault, WorkerFault):
            raise
        except ReadError as exc:
            report.error = str(exc)
        except OSError as exc:
            report.error = exc.strerror or str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad input must never stop the run
            report.error = f"could not be read: {type(exc).__name__}: {' '.join(str(exc).split())}"
        report.status = file_status(report)
        return report

    def ingest_payload(self, name: str, data: bytes, fmt: str = "feed",
                       prepare: Callable[[Iterable], Iterable] | None = None) -> FileReport:
        """Ingest bytes held in memory (a fetched feed) as a file of that format named name;
        prepare may amend the reader's items on their way to the store."""
        report, problems = FileReport(path=name, format=fmt), ProblemLog()
        try:
            items = reader_for(fmt)(io.BytesIO(data), name)
            self._store_items(prepare(items) if prepare else items, report, problems)
            report.error = problems.summary()
        except (StoreFault, WorkerFault):
            raise
        except ReadError as exc:
            report.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one bad answer must never stop the poll
            report.error = f"could not be read: {type(exc).__name__}: {' '.join(str(exc).split())}"
        self.flush()
        report.status = file_status(report)
        return report

    def _read_into_store(self, path: Path, report: FileReport) -> None:
        if not path.exists():
            raise ReadError("no such file")
        if not path.is_file():
            raise ReadError("not a regular file")
        report.format, gzipped = choose_format(path)
        if report.format is None:
            return
        problems = ProblemLog()
        # The stream decompresses as the reader asks: memory stays flat whatever the size.
        with open_input(path, gzipped) as stream:
            try:
                self._store_items(reader_for(report.format)(stream, str(path)), report, problems)
            finally:
                if stream.damage:
                    problems.add(stream.damage, first=True)
                report.error = problems.summary()

    def _store_items(self, items: Iterable, report: FileReport, problems: "ProblemLog") -> None:
        """Store what a reader yields in batches; collect its problems and warnings.

        Batches go to the pipeline (analysed ahead by the workers, stored in order), the
        last one too when the reader fails; flush() stores what the pipeline still holds.
        """
        batch: list[Document] = []
        chars, stopped = 0, False
        try:
            for item in items:
                if isinstance(item, ItemWarning):
                    report.warn(item.message)
                    continue
                if isinstance(item, Problem):
                    problems.add(item.message)
                    continue
                report.documents += 1
                if not (item.title or item.text):
                    report.skipped_items += 1
                    continue
                batch.append(item)
                chars += len(item.text) + len(item.title or "")
                if len(batch) >= self.batch_size or chars >= BATCH_CHARS:
                    self.put(batch, report)
                    batch, chars = [], 0
        except (StoreFault, WorkerFault):
            stopped = True          # the store or a worker failed: nothing more is written
            self.pipeline.drop()
            raise
        finally:
            if not stopped:
                self.put(batch, report)

    def put(self, batch: list[Document], report: FileReport) -> None:
        """Hand a batch to the pipeline: analysed (ahead, by the workers), then stored."""
        if batch:
            now = self.clock()
            self.pipeline.put(batch, now, lambda analyses: self.store_batch(
                batch, report, analyses, now))

    def flush(self) -> None:
        """Store every batch the pipeline holds; after a failure, drop the rest."""
        try:
            self.pipeline.drain()
        except BaseException:
            self.pipeline.drop()
            raise

    def store_batch(self, batch: list[Document], report: FileReport,
                    analyses: list[Analysis] | None = None, now: datetime | None = None) -> None:
        """Merge a batch into the store in one transaction; count what it did.

        analyses: the batch's store-free enrichment (pool.py), one per document; now: the
        ingest time its documents get (both worked out here when not given).
        """
        if not batch:
            return
        now, ids = now or self.clock(), [stored_id(doc) for doc in batch]
        # Enrichment is the slow part: plan without holding the write lock...
        try:
            plan = self.plan(batch, self.store.get_many(ids), now, analyses=analyses)
            self.store.remember(a.prepared for a in analyses or () if a.prepared is not None)
            with self.store.transaction():
                current = self.store.get_many(ids)
                if stored_seqs(current) != plan.basis:   # ...and redo it if another writer got in
                    plan = self.plan(batch, current, now, plan.entity_rows, analyses)
                for doc in plan.changed:
                    doc.seq = self.store.next_seq()
                    self.store.save(doc)
                self.store.add_entity_rows(plan.entity_rows)
            self.outlets.forget()      # the batch now counts in its outlets' languages
        except (sqlite3.Error, OSError) as exc:
            # The store, not the file, failed (a full disk...): no later file would fare
            # better, so the run stops here and says why; the batch was rolled back whole.
            raise StoreFault(str(exc)) from exc
        for outcome in plan.outcomes:
            setattr(report, outcome, getattr(report, outcome) + 1)
        for warning in plan.warnings:
            report.warn(warning)
        if self.on_batch:
            self.on_batch(report)

    def plan(self, batch: list[Document], current: dict[str, Document], now: datetime,
             entity_rows: list | None = None, analyses: list[Analysis] | None = None
             ) -> "BatchPlan":
        """Merge each incoming document with the stored one and enrich what changed."""
        plan = BatchPlan(stored_seqs(current), entity_rows=list(entity_rows or []))
        current = dict(current)
        for number, incoming in enumerate(batch):
            kept, outcome = merge(current.get(stored_id(incoming)), incoming)
            plan.outcomes.append(outcome)
            if outcome != "unchanged":
                analysis = analyses[number] if analyses and same_text(kept, incoming) else None
                kept, rows = self.enrich_one(kept, now, plan.warnings, analysis)
                plan.entity_rows += rows
                current[stored_id(kept)] = kept
        plan.changed = [current[doc_id] for doc_id in dict.fromkeys(
            stored_id(doc) for doc, outcome in zip(batch, plan.outcomes, strict=True)
            if outcome != "unchanged")]     # one outcome per incoming document
        return plan


    def enrich_one(self, doc: Document, now: datetime, warnings: list[str],
                   analysis: Analysis | None = None):
        """Enrich a document; when a rule fails on it, store it with what is safe to know.

        A rule that raises is the project's bug, not the input's: the document still goes
        in (dated and with its declared language) and the report names it and the rule.
        """
        try:
            return self.enricher.finish(doc, now, analysis)
        except Exception as exc:  # noqa: BLE001 - one document must never stop its file
            failure = failure_of(exc)
            warnings.append(f"document {doc.id}: the {failure.rule} rule failed "
                            f"({failure.error}); stored without enrichment")
            return BASIC_ENRICHER.enrich(doc, now)


def same_text(kept: Document, incoming: Document) -> bool:
    """Tell whether the merged document has the title and text the analysis was made on."""
    return kept.title == incoming.title and kept.text == incoming.text


# Dates and declared languages only: what a document gets when a full rule failed on it.
BASIC_ENRICHER = Enricher(detect=False, full=False)


@dataclass
class BatchPlan:
    """What a batch will do to the store, worked out before taking the write lock."""

    basis: dict[str, int | None]                 # the stored seqs the plan was made against
    outcomes: list[str] = field(default_factory=list)
    changed: list[Document] = field(default_factory=list)
    entity_rows: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # documents stored unenriched


def stored_seqs(current: dict[str, Document]) -> dict[str, int | None]:
    """The seq of each stored document, to tell whether the store moved meanwhile."""
    return {doc_id: doc.seq for doc_id, doc in current.items()}


def store_enricher(store: Store, detect_language: bool = True, full: bool = True,
                   outlets: "OutletLanguages | None" = None,
                   unsettled: set[str] | None = None) -> Enricher:
    """An Enricher that knows the store's entity table and languages."""
    return Enricher(EntityTable(store.entity_rows()), store.language_of,
                    outlets or OutletLanguages(store), detect=detect_language, full=full,
                    unsettled=unsettled)


class OutletLanguages:
    """Each outlet's most common stored language, asked of the store once per batch."""

    def __init__(self, store: Store):
        self.store = store
        self.known: dict[str, str | None] = {}

    def __call__(self, source: str) -> str | None:
        """The outlet's usual language as the store holds it now (None if unknown)."""
        if source not in self.known:
            self.known[source] = self.store.common_language(source)
        return self.known[source]

    def forget(self) -> None:
        """Drop what was asked: documents stored since then count too."""
        self.known.clear()


class ProblemLog:
    """A file's problems: the first kept to be named, the rest only counted (there may be
    millions)."""

    def __init__(self) -> None:
        self.first: str | None = None
        self.count = 0

    def add(self, message: str, first: bool = False) -> None:
        """Count a problem; keep its message if it is the first (or the cause of the rest)."""
        self.count += 1
        if first or self.first is None:
            self.first = message

    def summary(self) -> str | None:
        """Fold the problems into one line."""
        if not self.count:
            return None
        assert self.first is not None   # add() keeps a message whenever it counts one
        others = self.count - 1
        more = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        return self.first + more


def file_status(report: FileReport) -> str:
    """ok, partial, failed or skipped, from what was read and what went wrong."""
    if report.error is None:
        return "ok" if report.format else "skipped"
    return "partial" if report.documents else "failed"
