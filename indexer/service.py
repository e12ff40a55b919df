"""The use cases every front end calls (the CLI, the web app, workers), over one instance.

A front end holds no logic another front end would need: it turns its input into these
calls and their answers into its output. Readers never write the index: the index
catches up where documents are written (ingest, reenrich), when a server starts, and on
`reindex`; a search on a stale index answers from what is indexed, and `stats` says how
far behind it is.
"""
from __future__ import annotations

import errno
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence, TextIO

from indexer.clock import utc_now
from indexer.engine import IndexDamaged, IndexWorkerFault, Progress
from indexer.instance import Instance
from indexer.processes import default_workers
from indexer.search.params import SearchParams, resolve_entities
from indexer.search.query_language import parse
from indexer.search.results import search_json
from indexer.store import Store, health
from indexer.store import backup as store_backup

# Ingesting, enriching and exporting are imported where they are used: a process that
# only searches (every `manage.py search`, a web worker's start) does not load them.
if TYPE_CHECKING:
    from indexer.ingest.ingester import FileReport, IngestReport


class IngestStopped(RuntimeError):
    """The store or the index failed during an ingest (the fault is chained as __cause__);
    `report` says what was read and stored until then."""

    def __init__(self, report: IngestReport):
        super().__init__("the ingest stopped")
        self.report = report


@dataclass
class CheckReport:
    """What `check` found wrong (and still is), and what it repaired."""

    problems: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


class Monitor:
    """One instance's store and engine, and what can be done with them."""

    def __init__(self, instance: Instance, clock: Callable[[], datetime] = utc_now):
        self.instance, self.clock = instance, clock
        self._engine = None

    @property
    def engine(self):
        """The instance's search engine, opened on first use and kept (searchers reused)."""
        if self._engine is None:
            self._engine = self.instance.open_engine()
        return self._engine

    @property
    def alerts(self):
        """The saved-search alerts of this instance (indexer.alerts.service.Alerts)."""
        from indexer.alerts.service import Alerts  # the alerts load only when used

        return Alerts(self)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The instance's store, open for the block."""
        store = self.instance.open_store()
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def reading_store(self) -> Iterator[Store]:
        """The store for reading: opened read-only where the folder cannot be written."""
        try:
            store = self.instance.open_reading_store()
        except (sqlite3.OperationalError, PermissionError, OSError) as exc:
            if not self.instance.store_path.exists() or not cannot_write(exc):
                raise
            store = Store(self.instance.store_path, readonly=True)
        try:
            yield store
        finally:
            store.close()

    def close(self) -> None:
        """Let go of the engine's searchers."""
        if self._engine is not None:
            self._engine.close()

    # Writing: documents in, then the index catches up in the same process.

    def ingest(self, paths: Iterable[str], on_file: Callable[[str], None] | None = None,
               on_batch: Callable[[FileReport], None] | None = None,
               on_index: Progress | None = None, workers: int | None = None) -> IngestReport:
        """Read files into the store, then bring the index up to date.

        workers: processes that run the store-free enrichment, then write a large backlog
        into the index (default: one per core); this process alone writes the store, in
        input order, and commits the index.
        """
        from indexer.ingest.ingester import Ingester, IngestReport, StoreFault
        from indexer.ingest.pool import WorkerFault

        report = IngestReport()
        with self.store() as store:
            with Ingester(store, clock=self.clock, on_batch=on_batch,
                          workers=workers or default_workers()) as ingester:
                def stored(path: str, file_report: FileReport) -> None:
                    report.files.append(file_report)
                    if on_file:
                        on_file(path)
                try:
                    ingester.ingest_files(paths, stored)
                except StoreFault as exc:
                    raise IngestStopped(report) from exc.__cause__
                except WorkerFault as exc:
                    raise IngestStopped(report) from exc
            try:
                self.engine.catch_up(store, progress=on_index, wait=True, workers=workers)
                # languages that leaned on an outlet now count the whole run (issue 14)
                ingester.settle(on_batch=self.engine.refresh)
            except StoreFault as exc:
                raise IngestStopped(report) from exc.__cause__
            except (OSError, IndexWorkerFault) as exc:   # a full disk: the store keeps it
                raise IngestStopped(report) from exc
        self.alerts.run()     # whoever ingests, saved searches see the new documents
        return report

    def catch_up(self, progress: Progress | None = None, wait: bool = True) -> int:
        """Index what the store holds and the index not yet (a crash heals here)."""
        with self.store() as store:
            return self.engine.catch_up(store, progress=progress, wait=wait)

    def reindex(self, progress: Progress | None = None, workers: int | None = None) -> int:
        """Rebuild the index from the whole store (in `workers` processes: one per core)."""
        with self.store() as store:
            return self.engine.rebuild(store, progress=progress, workers=workers)

    def reenrich(self, on_batch: Callable[[int], None] | None = None) -> int:
        """Reapply the enrichment rules to every stored document; seq stays (resumable)."""
        from indexer.ingest.ingester import store_enricher
        from indexer.ingest.reenrich import reenrich as reenrich_store

        with self.store() as store:
            self.engine.catch_up(store, wait=True)

            def refresh(docs) -> None:
                self.engine.refresh(docs)
                if on_batch:
                    on_batch(len(docs))
            return reenrich_store(store, store_enricher(store), self.clock(), on_batch=refresh)

    def backup(self, target: Path) -> int:
        """Copy the store into a new file, consistent even while an ingest runs."""
        self._refuse_on_server("backup")
        return store_backup.backup(self.instance.store_path, target)

    def restore(self, source: Path, force: bool = False,
                progress: Progress | None = None) -> int:
        """Put a backup in place of the store and rebuild the index from it.

        Refuses (BackupError) a home that holds documents unless force is given.
        """
        self._refuse_on_server("restore")
        store_backup.check_backup(source)
        if not force and self.instance.store_path.exists() and self.stats()["documents"]:
            raise store_backup.BackupError(
                f"{self.instance.home} holds documents; restore with --force to replace them")
        count = store_backup.restore(source, self.instance.store_path)
        self.reindex(progress)
        return count

    def _refuse_on_server(self, command: str) -> None:
        """BackupError for a file backup of a store that a PostgreSQL server keeps."""
        if self.instance.database_url:
            raise store_backup.BackupError(
                f"`{command}` copies the embedded SQLite store, and this instance keeps its "
                "store in PostgreSQL: use the server's own pg_dump and pg_restore (README, "
                "scale-out)")

    def check(self, repair: bool = False) -> "CheckReport":
        """Verify the store and that the index holds what the store holds; repair if asked."""
        report = CheckReport()
        with self.store() as store:
            if repair:
                fixed = health.repair_times(store, self.clock())
                if fixed:
                    self.engine.refresh(fixed)
                    report.repairs.append(f"made the times of {len(fixed)} documents readable")
            report.problems += health.store_problems(store)
            by_kind, store_seq = store.count_by_kind(), store.last_seq()
            problem = self._index_problem(sum(by_kind.values()), store_seq)
            if problem and repair:
                self.engine.rebuild(store)
                report.repairs.append(f"rebuilt the index ({problem})")
            elif problem:
                report.problems.append(f"{problem}: run `manage.py check --repair` "
                                       "(or `manage.py reindex`)")
        return report

    def _index_problem(self, documents: int, store_seq: int) -> str | None:
        """Why the index does not hold what the store holds, or None."""
        indexed = self.engine.indexed_seq()
        if indexed is None:
            return "there is no index" if documents else None
        try:
            count = self.engine.document_count()
        except IndexDamaged as exc:
            return str(exc)
        if indexed < store_seq:
            return f"the index is {store_seq - indexed} changes behind the store"
        if count != documents:
            return f"the index holds {count} documents, the store {documents}"
        return None

    # Reading: never writes the index.

    def params(self, args: Mapping[str, Sequence[str] | str | None]) -> SearchParams:
        """Read search arguments, check the query and resolve entity names.

        Raises ParamError or QueryError with a message for the user.
        """
        params = SearchParams.from_args(args)
        parse(params.query)
        if "entity" in params.include or "entity" in params.exclude:
            from indexer.enrich.entity_table import variant_key

            with self.reading_store() as store:
                params = resolve_entities(params, lambda n: store.entity_name(variant_key(n)))
        return params

    def today(self, params: SearchParams) -> SearchParams:
        """The params with relative date bounds (-7d) read against this Monitor's clock."""
        return params.resolved(self.clock().date())

    def search(self, params: SearchParams) -> dict:
        """The Search JSON of one page."""
        return search_json(params, self.engine.search(self.today(params)))

    def explain(self, params: SearchParams) -> str:
        """How the engine understood the query, in readable form."""
        return self.engine.explain(self.today(params))

    def duplicates(self, params: SearchParams, doc_id: str) -> dict:
        """The Search JSON of the copies collapsed with one document."""
        return search_json(params, self.engine.duplicates_of(self.today(params), doc_id))

    def export(self, params: SearchParams, handle: TextIO, fmt: str) -> int:
        """Write every match, text included, in sort order; return how many."""
        from indexer.output.export import write_export

        return write_export(self.engine.iter_matches(self.today(params)), handle, fmt)

    def stats(self) -> dict:
        """documents, by_kind, store_seq and index_seq (how far the index has caught up)."""
        with self.reading_store() as store:
            by_kind, store_seq = store.count_by_kind(), store.last_seq()
        return {"documents": sum(by_kind.values()), "by_kind": by_kind,
                "store_seq": store_seq, "index_seq": self.engine.indexed_seq()}


def cannot_write(exc: Exception) -> bool:
    """Tell whether opening the store failed only because its folder cannot be written."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    message = str(exc)
    return "readonly" in message or "unable to open" in message
