"""A page linking to its feed, full articles, alerts fired by a poll, the command line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from indexer import accounts
from indexer.store import alerts as alert_rows
from indexer.store import sources as source_rows
from tests.sources_support import Route, feed_server, monitor_at, rss, shared, sources_of, story

MANAGE = Path(__file__).resolve().parents[1] / "manage.py"


def test_a_page_linking_to_its_feed_is_followed_to_the_feed(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/"] = Route(b'<html><head><title>Home</title><link rel="alternate" '
                                 b'type="application/rss+xml" href="/news/feed.xml"></head>'
                                 b"<body>Welcome</body></html>", "text/html")
        site.routes["/news/feed.xml"] = Route(rss([story(1), story(2)], title="Port Daily"))
        site.routes["/nothing"] = Route(b"<html><body>no feed here</body></html>", "text/html")
        sources = sources_of(monitor)
        source = sources.add(site.url("/"))
        assert (source.name, source.url, source.page_url) == (
            "Port Daily", site.url("/news/feed.xml"), site.url("/"))
        assert sources.poll()[0].new == 2
        try:
            sources.add(site.url("/nothing"))
        except ValueError as exc:
            assert str(exc) == (f"{site.url('/nothing')} is neither a feed nor a page linking "
                                'to one (<link rel="alternate" type="application/rss+xml">)')
        sources.close()


def test_fetch_articles_fills_a_summary_only_item_once_without_a_duplicate(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        article = {"title": "Obama on gun laws", "link": site.url("/article/1"),
                   "text": "The president speaks to the BBC."}
        missing = {"title": "A page that is gone", "link": site.url("/article/2"),
                   "text": "Summary only."}
        site.routes["/feed"] = Route(rss([article, missing]))
        site.routes["/article/1"] = Route(shared("html/readability/bbc-1/source.html"), "text/html")
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Wire", fetch_articles=True, lang="en")
        run = sources.poll()[0]
        assert (run.new, run.errors) == (2, 1)
        assert run.error == f"article page {site.url('/article/2')}: HTTP 404 Not Found"
        with monitor.store() as store:
            docs = {doc.url: doc for doc in store.iter_all()}
            kept = source_rows.article_fetched(store.db, docs[site.url("/article/2")].id)
        assert len(docs) == 2
        filled = docs[site.url("/article/1")]
        assert filled.title == "Obama on gun laws"              # the item's own title kept
        assert len(filled.text) == 4988                          # the page's main text
        assert "greatest frustration of his presidency" in filled.text
        assert docs[site.url("/article/2")].text == "Summary only."
        assert kept["error"] == "HTTP 404 Not Found"
        # The feed grows: old items come back as summaries, no page is fetched again.
        site.routes["/feed"] = Route(rss([article, missing, story(3)]))
        run = sources.poll(due_only=False)[0]
        assert (run.new, run.updated, run.unchanged) == (1, 0, 2)
        assert len(site.hits("/article/1")) == 1 and len(site.hits("/article/2")) == 1
        assert monitor.stats()["documents"] == 3
        sources.close()


def test_an_item_in_the_feed_fires_its_alert_once(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with monitor.store() as store:
        ana = accounts.add_user(store, "ana", "password1", "ana@example.org")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1, "market news")]))
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Port")
        sources.poll()
        monitor.alerts.create(ana, "strikes", {"q": "strike"})
        items = [story(1, "market news"), story(2, "harbour strike"), story(3, "dock strike"),
                 story(4, "weather")]
        site.routes["/feed"] = Route(rss(items))
        run = sources.poll(due_only=False)[0]
        assert (run.new, run.unchanged) == (3, 1)
        assert sources.poll(due_only=False)[0].status == "not_modified"
        with monitor.store() as store:
            pairs = alert_rows.all_hit_pairs(store.db)
            urls = sorted(store.get(doc_id).url for _, doc_id, _ in pairs)
        assert urls == ["http://example.org/story/2", "http://example.org/story/3"]
        sources.close()


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"MEDIA_MONITOR_SOURCES_ALLOW_PRIVATE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(MANAGE), "--home", str(home), "sources", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_the_sources_commands(tmp_path):
    home = tmp_path / "home"
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1), story(2)], title="Port Daily"))
        added = run_cli(home, "add", site.url("/feed"), "--every", "30m")
        assert added.stdout == f"added Port Daily: {site.url('/feed')}, every 30m\n"
        polled = run_cli(home, "poll")
        assert polled.returncode == 0
        assert polled.stdout == ("Port Daily: ok (2 fetched, 2 new, 0 updated, 0 unchanged, "
                                 "0 errors)\n")
        listed = json.loads(run_cli(home, "list", "--json").stdout)
        assert [(s["name"], s["health"], s["every"], s["last_run"]["new"]) for s in listed] == [
            ("Port Daily", "ok", "30m", 2)]
        assert run_cli(home, "pause", "port daily").stdout == "paused port daily\n"
        assert "[paused]" in run_cli(home, "list").stdout
        assert run_cli(home, "poll").stdout == ""                 # a paused source is not due
        assert run_cli(home, "resume", "Port Daily").returncode == 0
        site.routes["/feed"] = Route(b"garbage", "text/plain")
        failed = run_cli(home, "poll", "Port Daily")
        assert failed.returncode == 1 and "Port Daily: failed" in failed.stdout
        assert "failing once" in run_cli(home, "list").stdout
        refused = run_cli(home, "add", "ftp://example.org/feed")
        assert (refused.returncode, refused.stderr) == (
            2, "error: only http and https URLs are polled, not ftp:\n")
        assert run_cli(home, "remove", "Port Daily").stdout == "removed Port Daily\n"
        assert run_cli(home, "list").stdout == "no sources: add one with `manage.py sources add URL`\n"
