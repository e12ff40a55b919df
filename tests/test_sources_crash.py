"""SIGKILL in the middle of a poll, then a restart: nothing lost or doubled, the source
polls again (and the alert fires once)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from indexer import accounts
from indexer.store import alerts as alert_rows
from tests.sources_support import Route, feed_server, monitor_at, rss, sources_of, story

MANAGE = Path(__file__).resolve().parents[1] / "manage.py"


def test_a_poll_killed_midway_is_polled_again_without_loss_or_double(tmp_path):
    home = tmp_path / "home"
    monitor = monitor_at(home)
    with monitor.store() as store:
        ana = accounts.add_user(store, "ana", "password1", "ana@example.org")
    with feed_server() as site:
        items = [story(n, "harbour strike") for n in (1, 2, 3)]
        for item in items:
            item["link"] = site.url(f"/article/{item['link'].rsplit('/', 1)[1]}")
        site.routes["/feed"] = Route(rss(items))
        for number in (1, 2, 3):
            site.routes[f"/article/{number}"] = Route(
                f"<html><body><h1>Story {number}</h1><p>{'The harbour strike goes on. ' * 30}"
                f"</p></body></html>".encode(), "text/html")
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Port", fetch_articles=True)
        monitor.alerts.create(ana, "strikes", {"q": "strike"})
        # The poll is killed while it asks for the second article: the first item is read,
        # nothing of the batch is committed, no run is recorded.
        asked = threading.Event()
        original = site.routes["/article/2"]
        site.routes["/article/2"] = Route(original.body, "text/html", delay=30)
        env = {**os.environ, "MEDIA_MONITOR_SOURCES_ALLOW_PRIVATE": "1"}
        poll = subprocess.Popen([sys.executable, str(MANAGE), "--home", str(home), "sources",
                                 "poll"], env=env, stdout=subprocess.DEVNULL)
        watcher = threading.Thread(target=lambda: wait_for(site, "/article/2", asked))
        watcher.start()
        assert asked.wait(60)
        poll.send_signal(signal.SIGKILL)
        poll.wait()
        watcher.join()
        site.routes["/article/2"] = original
        assert sources.get("Port").last_run_at is None          # it did not finish
        run = sources.poll()[0]                                  # still due: polled again
        assert (run.status, run.new) == ("ok", 3)
        assert monitor.stats()["documents"] == 3
        with monitor.store() as store:
            assert len(alert_rows.all_hit_pairs(store.db)) == 3
        assert sources.poll(due_only=False)[0].status == "not_modified"
        assert monitor.stats()["store_seq"] == 3
        sources.close()


def wait_for(site, path: str, asked: threading.Event) -> None:
    """Set asked once the server has been asked for path (checked as requests arrive)."""
    import time

    for _ in range(6000):
        if site.hits(path):
            asked.set()
            return
        time.sleep(0.01)
