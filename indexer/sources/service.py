"""The source use cases every front end calls (command line, admin pages, the worker)."""
from __future__ import annotations

import builtins
import sqlite3
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from corpus.document import format_time
from indexer.sources.discovery import feed_links, is_feed
from indexer.sources.fetcher import Fetcher, FetchError
from indexer.sources.poller import FEED_ACCEPT, RunReport, poll_round
from indexer.sources.safety import Resolver, UnsafeURL, check_url, system_resolve
from indexer.sources.schedule import every_words, parse_every
from indexer.sources.settings import FetchSettings
from indexer.store import sources as rows


class SourceError(ValueError):
    """A source that cannot be added or is not known, said for the operator."""


@dataclass
class Source:
    """A polled source and its health."""

    id: int
    name: str
    url: str
    page_url: str | None
    every: str
    lang: str | None
    fetch_articles: bool
    paused: bool
    failures: int
    last_error: str | None
    last_run_at: str | None
    last_ok_at: str | None
    next_due_at: str
    last_run: dict | None          # counts of the latest run

    @classmethod
    def from_row(cls, row: dict) -> "Source":
        last = None
        if row.get("run_status"):
            last = {key: row[f"run_{key}"] for key in
                    ("status", "fetched", "new", "updated", "unchanged", "errors")}
        return cls(row["id"], row["name"], row["url"], row["page_url"],
                   every_words(row["every_seconds"]), row["lang"], bool(row["fetch_articles"]),
                   bool(row["paused"]), row["failures"], row["last_error"], row["last_run_at"],
                   row["last_ok_at"], row["next_due_at"], last)

    @property
    def health(self) -> str:
        """paused, new (never polled), failing or ok."""
        if self.paused:
            return "paused"
        if self.failures:
            return "failing"
        return "ok" if self.last_run_at else "new"

    def health_line(self) -> str:
        """The health in one line: what failed and when it is tried again."""
        if self.health == "failing":
            times = "once" if self.failures == 1 else f"{self.failures} times in a row"
            return f"failing {times}: {self.last_error}; next try {self.next_due_at}"
        if self.health == "paused":
            return "paused"
        if self.health == "new":
            return f"not polled yet; due {self.next_due_at}"
        run = self.last_run or {}
        return (f"ok at {self.last_run_at}: {run.get('fetched', 0)} fetched, "
                f"{run.get('new', 0)} new, {run.get('updated', 0)} updated, "
                f"{run.get('unchanged', 0)} unchanged, {run.get('errors', 0)} errors; "
                f"next {self.next_due_at}")

    def to_json(self) -> dict:
        """The source as `sources list --json` prints it."""
        return {**asdict(self), "health": self.health, "health_line": self.health_line()}


class Sources:
    """The sources of one instance, over a Monitor (its store, engine, clock and alerts)."""

    def __init__(self, monitor, settings: FetchSettings | None = None,
                 resolve: Resolver = system_resolve):
        self.monitor = monitor
        self.settings = settings or FetchSettings.from_env()
        self.resolve = resolve
        self._fetcher: Fetcher | None = None

    @property
    def fetcher(self) -> Fetcher:
        """The HTTP client kept across polls."""
        if self._fetcher is None:
            self._fetcher = Fetcher(self.settings, self.resolve)
        return self._fetcher

    def close(self) -> None:
        """Close the kept connections."""
        if self._fetcher is not None:
            self._fetcher.close()

    def add(self, url: str, name: str | None = None, every: str = "15m",
            lang: str | None = None, fetch_articles: bool = False) -> Source:
        """Add a feed, or the feed a page links to; SourceError says why one is refused."""
        try:
            seconds = parse_every(every)
            check_url(url.strip(), self.settings.allow_private, self.resolve)
            feed_url, page_url, body = self._find_feed(url.strip())
        except (ValueError, FetchError) as exc:
            raise SourceError(str(exc)) from None
        name = (name or feed_title(body) or urlsplit(feed_url).hostname or feed_url).strip()
        now = format_time(self.monitor.clock())
        with self.monitor.store() as store:
            try:
                rows.insert_source(store.db, name=name, url=feed_url, page_url=page_url,
                                   every_seconds=seconds, lang=lang or None,
                                   fetch_articles=int(fetch_articles), next_due_at=now,
                                   created_at=now)
            except sqlite3.IntegrityError:
                raise SourceError(f"a source named {name!r} exists: give another --name") from None
        return self.get(name)

    def _find_feed(self, url: str) -> tuple[str, str | None, bytes]:
        """(feed URL, page it was found on or None, feed body) for a URL given."""
        answer = self.fetcher.get(url, accept=FEED_ACCEPT)
        if is_feed(answer.body):
            return url, None, answer.body
        for link in feed_links(answer.body, answer.url):
            try:
                found = self.fetcher.get(link, accept=FEED_ACCEPT)
            except (FetchError, UnsafeURL):
                continue
            if is_feed(found.body):
                return link, url, found.body
        raise SourceError(f"{url} is neither a feed nor a page linking to one "
                          '(<link rel="alternate" type="application/rss+xml">)')

    def list(self) -> list[Source]:
        """Every source with its health, by name."""
        with self.monitor.reading_store() as store:
            return [Source.from_row(row) for row in rows.all_sources(store.db)]

    def get(self, name: str) -> Source:
        """One source by name (any case); SourceError when there is none."""
        for source in self.list():
            if source.name.casefold() == name.casefold():
                return source
        raise SourceError(f"no source named {name!r}")

    # builtins.list: inside the class, `list` is the method above.
    def runs(self, name: str, limit: int = 20) -> builtins.list[dict]:
        """A source's latest runs, newest first."""
        source = self.get(name)
        with self.monitor.reading_store() as store:
            return rows.runs_of(store.db, source.id, limit)

    def pause(self, name: str) -> Source:
        """Stop polling a source (its validators and history stay)."""
        return self._set(name, paused=1)

    def resume(self, name: str) -> Source:
        """Poll a source again, at once and without the backoff of past failures."""
        return self._set(name, paused=0, failures=0,
                         next_due_at=format_time(self.monitor.clock()))

    def remove(self, name: str) -> None:
        """Forget a source and its runs; the documents it brought stay."""
        source = self.get(name)
        with self.monitor.store() as store:
            with store.transaction():
                rows.delete_source(store.db, source.id)

    def _set(self, name: str, **values) -> Source:
        source = self.get(name)
        with self.monitor.store() as store:
            rows.update_source(store.db, source.id, **values)
        return self.get(name)

    def poll(self, name: str | None = None, due_only: bool = True) -> builtins.list[RunReport]:
        """Poll the due sources (or the one named, due or not) once."""
        with self.monitor.store() as store:
            if name is not None:
                source = rows.source_by_id(store.db, self.get(name).id)
                if source is None:      # removed since get() found it
                    raise SourceError(f"no source named {name!r}")
                chosen = [source]
            elif due_only:
                chosen = rows.due_sources(store.db, format_time(self.monitor.clock()))
            else:
                chosen = rows.active_sources(store.db)
        return poll_round(self.monitor, self.fetcher, chosen, self.settings.parallel)

    def next_due(self) -> str | None:
        """When the next unpaused source is due, or None without any."""
        due = [s.next_due_at for s in self.list() if not s.paused]
        return min(due) if due else None


def feed_title(body: bytes) -> str | None:
    """The feed's own title, to name a source added without --name."""
    import feedparser

    title = feedparser.parse(body).feed.get("title")
    return " ".join(title.split()) if title else None
