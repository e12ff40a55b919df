"""One poll round: fetch the due sources (in parallel, one request per host at a time),
store new items through the ingester, then the index, then alert matching, then record
each run. A run is recorded last, so a crash before it only means the source polls again
(its items come back unchanged; nothing is lost or doubled)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

from corpus.document import format_time
from indexer.ingest.ingester import Ingester, StoreFault
from indexer.sources.articles import ItemPreparer
from indexer.sources.fetcher import Answer, Fetcher, FetchError
from indexer.sources.safety import UnsafeURL
from indexer.sources.schedule import next_due
from indexer.store import sources as rows

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


@dataclass
class RunReport:
    """What one poll of one source did: the counts kept in its history."""

    source: str
    source_id: int
    started_at: str
    status: str = "ok"              # ok | not_modified | failed
    http_status: int | None = None
    bytes: int = 0
    fetched: int = 0                # items read from the feed
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    error: str | None = None        # why it failed, or the first problem of a good run
    finished_at: str | None = None
    next_due_at: str | None = None
    answer: Answer | None = field(default=None, repr=False)
    # ids whose language leaned on the store: the round settles them once all is stored
    unsettled: set[str] = field(default_factory=set, repr=False)

    def fail(self, reason: str) -> "RunReport":
        """Mark the run failed with its reason."""
        self.status, self.error, self.errors = "failed", reason, self.errors + 1
        return self

    def note(self, problem: str) -> None:
        """Count a problem that does not fail the run (a bad entry, an article page)."""
        self.errors += 1
        self.error = self.error or problem

    def to_json(self) -> dict:
        """The run as `sources poll --json` prints it."""
        data = asdict(self)
        data.pop("answer")
        data.pop("unsettled")
        return data


def poll_one(monitor, fetcher: Fetcher, source: dict) -> RunReport:
    """Fetch one source and store what it gives; every failure ends in the report."""
    run = RunReport(source["name"], source["id"], format_time(monitor.clock()))
    try:
        answer = fetcher.get(source["url"], source["etag"], source["last_modified"],
                             accept=FEED_ACCEPT)
    except (FetchError, UnsafeURL) as exc:
        return run.fail(str(exc))
    run.answer, run.http_status, run.bytes = answer, answer.status, len(answer.body)
    if answer.status == 304:
        run.status = "not_modified"
        return run
    with monitor.store() as store:
        preparer = ItemPreparer(store, fetcher, source, monitor.clock)
        ingester = Ingester(store, clock=monitor.clock)
        try:
            report = ingester.ingest_payload(source["url"], answer.body, "feed", preparer)
        except StoreFault as exc:
            return run.fail(f"the store failed: {exc}")
        run.unsettled = set(ingester.unsettled)
    run.fetched, run.new = report.documents, report.new
    run.updated, run.unchanged = report.updated, report.unchanged
    if answer.cut_off:
        run.fail(answer.cut_off)
    elif report.status == "failed":
        run.fail(report.error or "nothing could be read")
    elif report.error:
        run.note(report.error)
    for problem in preparer.errors:
        run.note(problem)
    return run


def poll_round(monitor, fetcher: Fetcher, sources: list[dict], parallel: int = 8
               ) -> list[RunReport]:
    """Poll the given sources, bring the index and alerts up to date, record the runs."""
    if not sources:
        return []
    with ThreadPoolExecutor(max(1, min(parallel, len(sources)))) as pool:
        runs = list(pool.map(lambda source: poll_one(monitor, fetcher, source), sources))
    if any(run.answer is not None and run.answer.status == 200 for run in runs):
        # Also after a run of only unchanged items: it may follow a crash that stored
        # documents without indexing or matching them.
        monitor.catch_up()
        settle_languages(monitor, runs)
        monitor.alerts.run()
    record_runs(monitor, sources, runs)
    return runs


def settle_languages(monitor, runs: list[RunReport]) -> int:
    """Decide again, as an ingest's last pass does (Ingester.settle), the languages of the
    round's items that leaned on the store: their outlets now count the whole round.
    Enrichment only (seq stays); the index rewrites what changed. Returns how many."""
    unsettled = set().union(*(run.unsettled for run in runs))
    if not unsettled:
        return 0
    with monitor.store() as store:
        ingester = Ingester(store, clock=monitor.clock)
        ingester.unsettled.update(unsettled)
        try:
            return ingester.settle(on_batch=monitor.engine.refresh)
        except StoreFault as exc:   # the items stay stored with their first guess
            for run in runs:
                if run.unsettled:
                    run.note(f"the store failed while settling languages: {exc}")
            return 0
        finally:
            for run in runs:
                run.unsettled.clear()


def record_runs(monitor, sources: list[dict], runs: list[RunReport]) -> None:
    """Keep each run, and set each source's validators, failures and next due time."""
    now = monitor.clock()
    finished = format_time(now)
    with monitor.store() as store:
        with store.transaction():
            for source, run in zip(sources, runs, strict=True):   # poll_round: a run per source
                current = rows.source_by_id(store.db, source["id"])
                if current is None:          # removed while it was being polled
                    continue
                failures = current["failures"] + 1 if run.status == "failed" else 0
                run.finished_at = finished
                run.next_due_at = format_time(next_due(now, current["every_seconds"], failures))
                values = dict(last_run_at=finished, next_due_at=run.next_due_at,
                              failures=failures,
                              last_error=run.error if run.status == "failed" else None)
                if run.status != "failed":
                    values["last_ok_at"] = finished
                if run.status == "ok" and run.answer is not None:
                    values.update(etag=run.answer.etag, last_modified=run.answer.last_modified)
                rows.update_source(store.db, source["id"], **values)
                data = run.to_json()
                data["source_id"] = source["id"]
                rows.insert_run(store.db, data)
