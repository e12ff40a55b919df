"""Read files into the store, exactly once per document, in crash-safe batches."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from corpus.document import Document
from corpus.formats import choose_format, read_bytes, reader_for
from corpus.problems import Problem, ReadError
from indexer.enrich import Enricher
from indexer.enrich.entity_table import EntityTable
from indexer.merge import merge
from indexer.store import Store

BATCH_SIZE = 500


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
        data = {"files": [asdict(f) for f in self.files]}
        for key in ("documents", "new", "updated", "unchanged"):
            data[key] = self.total(key)
        for status in ("ok", "partial", "failed", "skipped"):
            data[f"{status}_files"] = self.count_status(status)
        return data


def utc_now() -> datetime:
    """The wall clock in UTC, whole seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0)


class Ingester:
    """Feeds documents from readers into a store, batch by batch."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = utc_now,
                 detect_language: bool = True, batch_size: int = BATCH_SIZE,
                 on_batch: Callable[[FileReport], None] | None = None, enrich: bool = True):
        self.store, self.clock = store, clock
        self.batch_size, self.on_batch = batch_size, on_batch
        self.enricher = store_enricher(store, detect_language, enrich)

    def ingest(self, paths: Iterable[str]) -> IngestReport:
        """Ingest every path in order and report per file."""
        return IngestReport([self.ingest_file(path) for path in paths])

    def ingest_file(self, path: str) -> FileReport:
        """Ingest one file; any error it causes is reported, never raised."""
        report = FileReport(path=path)
        try:
            self._read_into_store(Path(path), report)
        except ReadError as exc:
            report.error = str(exc)
        except OSError as exc:
            report.error = exc.strerror or str(exc)
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
        data, damage = read_bytes(path, gzipped)
        if not data.strip():
            raise ReadError("empty file")
        problems: list[str] = [damage] if damage else []
        batch: list[Document] = []
        try:
            for item in reader_for(report.format)(data, str(path)):
                if isinstance(item, Problem):
                    problems.append(item.message)
                    continue
                report.documents += 1
                if not (item.title or item.text):
                    report.skipped_items += 1
                    continue
                batch.append(item)
                if len(batch) >= self.batch_size:
                    self.store_batch(batch, report)
                    batch = []
        finally:
            self.store_batch(batch, report)
            report.error = summarise(problems)

    def store_batch(self, batch: list[Document], report: FileReport) -> None:
        """Merge a batch into the store in one transaction; count what it did."""
        if not batch:
            return
        now = self.clock()
        with self.store.transaction():
            current = self.store.get_many(doc.id for doc in batch)
            for incoming in batch:
                kept, outcome = merge(current.get(incoming.id), incoming)
                setattr(report, outcome, getattr(report, outcome) + 1)
                if outcome == "unchanged":
                    continue
                kept, entity_rows = self.enricher.enrich(kept, now)
                kept.seq = self.store.next_seq()
                self.store.save(kept)
                self.store.add_entity_rows(entity_rows)
                current[kept.id] = kept
        if self.on_batch:
            self.on_batch(report)


def store_enricher(store: Store, detect_language: bool = True, full: bool = True) -> Enricher:
    """An Enricher that knows the store's entity table and languages."""
    outlet_languages: dict[str, str | None] = {}

    def outlet_language(source: str) -> str | None:
        if source not in outlet_languages:
            outlet_languages[source] = store.common_language(source)
        return outlet_languages[source]

    return Enricher(EntityTable(store.entity_rows()), store.language_of, outlet_language,
                    detect=detect_language, full=full)


def summarise(problems: list[str]) -> str | None:
    """Fold a file's problems into one line."""
    if not problems:
        return None
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return problems[0] + more


def file_status(report: FileReport) -> str:
    """ok, partial, failed or skipped, from what was read and what went wrong."""
    if report.error is None:
        return "ok" if report.format else "skipped"
    return "partial" if report.documents else "failed"
