"""ingest --workers: a pool of enrichment workers stores and exports what one process does.

Worker processes analyse batches ahead (langdetect, text dates, countries); the main process
finishes them in input order. The same input must give the same store (seq, identity,
entities, the entity table) and the same exported JSON Lines whatever the pool size; a rule
failing in a worker stores its document unenriched as before; a worker that dies stops the
ingest with one line, and a killed ingest leaves no worker behind.
"""
from __future__ import annotations

import gzip
import io
import itertools
import os
import signal
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from corpus.sample import write_sample
from indexer.enrich import countries
from indexer.ingest.ingester import Ingester
from indexer.ingest.pool import WorkerFault
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.service import IngestStopped, Monitor
from tests.helpers import FARSNEWS, FEEDS, HTML, REUTERS, SEED_PAGE, invoke, killed_run

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
MAIN = os.getpid()
needs_corpus = pytest.mark.skipif(not (REUTERS.is_file() and FARSNEWS.is_file()),
                                  reason="the shared corpora of DATA.md are absent")


def head(source: Path, target: Path, lines: int) -> str:
    """The first lines of a gzipped JSON Lines corpus as a plain file."""
    with gzip.open(source, "rb") as handle:
        target.write_bytes(b"".join(itertools.islice(handle, lines)))
    return str(target)


def mixed_input(folder: Path, lines: int) -> list[str]:
    """Persian and Arabic news, English wire, a feed, HTML pages and a page with briefs."""
    paths = [head(FARSNEWS, folder / "farsnews.jsonl", lines),
             head(REUTERS, folder / "reuters.jsonl", lines)]
    extra = [FEEDS / "rss-parser" / "guardian.rss", SEED_PAGE,
             HTML / "newspaper4k" / "html" / "arabic_article.html",
             HTML / "newspaper4k" / "html" / "time_001.html"]
    return paths + [str(path) for path in extra if path.is_file()]


def exported(home: Path, paths: list[str], workers: int) -> tuple[str, list]:
    """Ingest with a fixed clock and a pool of `workers`; the JSON Lines export and report."""
    monitor = Monitor(Instance(home), clock=lambda: NOW)
    try:
        report = monitor.ingest(paths, workers=workers)
        handle = io.StringIO()
        monitor.export(SearchParams(), handle, "jsonl")
    finally:
        monitor.close()
    return handle.getvalue(), [(f.path, f.status, f.new, f.warning_count) for f in report.files]


def stored(home: Path, paths: list[str], workers: int, batch_size: int = 40) -> tuple:
    """Ingest through the library in small batches; every stored field and the entity table."""
    store = Instance(home).open_store()
    try:
        with Ingester(store, clock=lambda: NOW, batch_size=batch_size,
                      workers=workers) as ingester:
            report = ingester.ingest(paths)
        docs = sorted((asdict(doc) for doc in store.iter_all()), key=lambda d: d["seq"])
        return docs, sorted(store.entity_rows()), [asdict(f) for f in report.files]
    finally:
        store.close()


@needs_corpus
def test_export_is_the_same_with_one_or_two_workers(tmp_path):
    paths = mixed_input(tmp_path, 300)
    one, report_one = exported(tmp_path / "one", paths, workers=1)
    two, report_two = exported(tmp_path / "two", paths, workers=2)
    assert report_one == report_two
    assert sum(new for _, _, new, _ in report_one) > 600
    assert one.count("\n") == sum(new for _, _, new, _ in report_one)
    assert one == two


@needs_corpus
@pytest.mark.slow
def test_export_of_three_thousand_documents_is_the_same_with_two_workers(tmp_path):
    paths = mixed_input(tmp_path, 1500)
    one, report_one = exported(tmp_path / "one", paths, workers=1)
    two, report_two = exported(tmp_path / "two", paths, workers=2)
    # Fars holds 1,195 distinct documents in 1,200 lines; Reuters gives its 1,500
    assert report_one == report_two and one.count("\n") > 2700
    assert one == two


@needs_corpus
def test_store_and_entity_table_are_the_same_with_many_small_batches(tmp_path):
    # Batches of 40 in chunks of at most 40: many batches wait analysed while one is stored.
    paths = mixed_input(tmp_path, 150)
    docs_one, table_one, report_one = stored(tmp_path / "one", paths, workers=1)
    docs_three, table_three, report_three = stored(tmp_path / "three", paths, workers=3)
    assert report_one == report_three
    assert [d["seq"] for d in docs_one] == list(range(1, len(docs_one) + 1))
    assert len(docs_one) > 300 and len(table_one) > 100
    assert {d["lang"] for d in docs_one} >= {"en", "fa"}
    assert docs_one == docs_three
    assert table_one == table_three


def failing_countries(monkeypatch, marker: str, failure) -> None:
    """Make the countries rule run `failure` on the texts holding marker, in workers only."""
    real = countries.default_matcher

    class Matcher:
        def detect(self, title, text, *args):
            if marker in text and os.getpid() != MAIN:
                failure()
            return real().detect(title, text, *args)
    monkeypatch.setattr(countries, "default_matcher", Matcher)


def rule_bug() -> None:
    raise IndexError("list index out of range")


def test_a_rule_failing_in_a_worker_stores_the_document_unenriched(tmp_path, monkeypatch):
    feed = str(write_sample(tmp_path / "demo") / "demo-wire.atom")
    failing_countries(monkeypatch, "Ukraine", rule_bug)
    store = Instance(tmp_path / "home").open_store()
    try:
        with Ingester(store, clock=lambda: NOW, workers=2) as ingester:
            report = ingester.ingest_file(feed)
        assert (report.status, report.error, report.new) == ("ok", None, report.documents)
        victims = [store.get(warning.split()[1].rstrip(":")) for warning in report.warnings]
        assert report.warning_count == sum("Ukraine" in d.text for d in store.iter_all()) > 1
        assert all("Ukraine" in doc.text for doc in victims)
        assert report.warnings[0].endswith(
            "the countries rule failed (IndexError: list index out of range); stored "
            "without enrichment")
        assert all((doc.entities, doc.countries, doc.date_source) == ([], [], "metadata")
                   for doc in victims)
        others = [d for d in store.iter_all() if "Ukraine" not in d.text]
        assert others and any(d.countries for d in others)
    finally:
        store.close()


def killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@needs_corpus
def test_a_killed_worker_stops_the_ingest_with_one_line(tmp_path, monkeypatch):
    paths = mixed_input(tmp_path, 300)
    failing_countries(monkeypatch, "Reuter", killed)     # in Reuters, the second file
    monitor = Monitor(Instance(tmp_path / "home"), clock=lambda: NOW)
    try:
        with pytest.raises(IngestStopped) as stopped:
            monitor.ingest(paths, workers=2)
        fault = stopped.value.__cause__
        assert isinstance(fault, WorkerFault)
        assert str(fault) == ("an enrichment worker process stopped unexpectedly (killed, or "
                              "out of memory); what was stored before is kept: run the ingest "
                              "again")
        # The report names the files stored whole before the fault: Fars at most (its
        # chunks may have died with the pool); nothing of Reuters was stored.
        files = stopped.value.report.files
        assert [(f.path, f.status, f.new) for f in files] in ([], [(paths[0], "ok", 300)])
        assert monitor.stats()["documents"] == sum(f.new for f in files)
    finally:
        monitor.close()


@needs_corpus
def test_the_command_says_a_worker_died_in_one_line(tmp_path, monkeypatch):
    paths = mixed_input(tmp_path, 200)
    failing_countries(monkeypatch, "Reuter", killed)
    result = invoke(tmp_path / "home", "ingest", "--workers", "2", *paths)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1] == (
        "error: an enrichment worker process stopped unexpectedly (killed, or out of memory); "
        "what was stored before is kept: run the ingest again")


def test_workers_must_be_one_or_more(tmp_path):
    result = invoke(tmp_path / "home", "ingest", "--workers", "0", str(tmp_path))
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.output


def processes_running(word: str) -> list[int]:
    """The ids of the processes whose command line holds word."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and word in (entry / "cmdline").read_bytes().decode(
                    errors="replace"):
                found.append(int(entry.name))
        except OSError:       # ended meanwhile
            continue
    return found


@needs_corpus
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc (Linux)")
def test_an_ingest_killed_with_its_pool_leaves_no_worker(tmp_path):
    # tests/killed_run.py ingests with two workers; SIGKILL gives it no time to stop them.
    home = tmp_path / "killed-home"
    path = head(REUTERS, tmp_path / "reuters.jsonl", 1200)
    committed = killed_run(home, "ingest", "committed", 500, path)
    assert committed[-1] == 500
    deadline = time.monotonic() + 10
    while processes_running(str(home)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_running(str(home)) == []


@needs_corpus
def test_a_folder_of_small_files_gives_the_same_store_and_reports_in_order(tmp_path):
    # One file's batch is analysed while the files before it are stored; the pool starts
    # with the run's 128th document.
    lines = head(REUTERS, tmp_path / "reuters.jsonl", 180)
    records = Path(lines).read_bytes().splitlines(keepends=True)
    paths = []
    for number in range(60):
        path = tmp_path / "files" / f"{number:02d}.jsonl"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"".join(records[number * 3:number * 3 + 3]))
        paths.append(str(path))
    docs_one, table_one, report_one = stored(tmp_path / "one", paths, workers=1)
    docs_two, table_two, report_two = stored(tmp_path / "two", paths, workers=2)
    assert [item["path"] for item in report_two] == paths
    assert [item["new"] for item in report_two] == [3] * 60
    assert (docs_one, table_one, report_one) == (docs_two, table_two, report_two)


class Recorder:
    """An analyser that notes when each batch's analysis starts and is collected."""

    def __init__(self, ahead: int):
        self.ahead, self.events = ahead, []

    def start(self, docs, now):
        names = [doc.title for doc in docs]
        self.events.append(("start", names))
        return lambda: self.events.append(("collect", names)) or names

    def close(self):
        pass


def batch(*titles):
    from corpus.document import Document
    return [Document(title=title, text="text") for title in titles]


def test_the_pipeline_stores_in_order_with_up_to_its_window_of_documents_ahead():
    from indexer.ingest.pool import Pipeline

    recorder, stored_names = Recorder(ahead=3), []
    pipeline = Pipeline(recorder)
    for titles in (("a", "b"), ("c",), "mark", ("d", "e"), ("f",)):
        if titles == "mark":
            pipeline.mark(lambda: stored_names.append("end of file"))
        else:
            pipeline.put(batch(*titles), NOW, stored_names.append)
    # at most 3 documents wait: "d", "e" let "a", "b" be stored, "f" lets "c" be
    assert stored_names == [["a", "b"], ["c"]]
    pipeline.drain()
    assert stored_names == [["a", "b"], ["c"], "end of file", ["d", "e"], ["f"]]
    assert recorder.events == [
        ("start", ["a", "b"]), ("start", ["c"]), ("start", ["d", "e"]),
        ("collect", ["a", "b"]), ("start", ["f"]), ("collect", ["c"]),
        ("collect", ["d", "e"]), ("collect", ["f"])]


def test_one_worker_analyses_each_batch_as_it_is_stored():
    from indexer.ingest.pool import Pipeline

    recorder, stored_names = Recorder(ahead=0), []
    pipeline = Pipeline(recorder)
    pipeline.put(batch("a"), NOW, stored_names.append)
    pipeline.mark(lambda: stored_names.append("end of file"))
    assert stored_names == [["a"], "end of file"] and not pipeline.pending
