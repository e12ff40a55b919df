"""Polling over a real HTTP server on loopback: feeds, 304s, growth, failures, backoff."""
from __future__ import annotations

from indexer.sources.settings import FetchSettings
from tests.alerts_support import Clock
from tests.sources_support import (
    Route,
    feed_server,
    monitor_at,
    rss,
    shared,
    sources_of,
    story,
)


def test_shared_feeds_polled_then_304_changes_nothing(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/guardian.rss"] = Route(shared("feeds/rss-parser/guardian.rss"))
        site.routes["/heise.atom"] = Route(shared("feeds/rss-parser/heise.atom"),
                                           "application/atom+xml")
        sources = sources_of(monitor)
        sources.add(site.url("/guardian.rss"), name="Guardian")
        sources.add(site.url("/heise.atom"), name="Heise", every="30m")
        first = {run.source: run for run in sources.poll()}
        assert (first["Guardian"].status, first["Guardian"].new) == ("ok", 55)
        assert (first["Heise"].status, first["Heise"].new) == ("ok", 15)
        assert monitor.stats()["documents"] == 70
        assert monitor.stats()["index_seq"] == 70            # the index caught up
        second = {run.source: run for run in sources.poll(due_only=False)}
        assert [second[n].status for n in ("Guardian", "Heise")] == ["not_modified"] * 2
        assert [second[n].http_status for n in ("Guardian", "Heise")] == [304, 304]
        assert monitor.stats()["store_seq"] == 70             # nothing changed
        asked = site.hits("/guardian.rss")
        # asked[0] is `add` looking at the URL; then the first poll, then a conditional one.
        assert "If-None-Match" not in asked[1] and asked[2]["If-None-Match"].startswith('"')
        assert asked[0]["User-Agent"].startswith("MediaMonitor/")
        sources.close()


def test_a_feed_that_grows_by_three_adds_exactly_three(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(n) for n in range(1, 6)]))
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Loop")
        assert sources.poll()[0].new == 5
        site.routes["/feed"] = Route(rss([story(n) for n in range(1, 9)]))
        run = sources.poll(due_only=False)[0]
        assert (run.fetched, run.new, run.updated, run.unchanged) == (8, 3, 0, 5)
        assert monitor.stats()["documents"] == 8
        health = sources.get("loop")
        assert health.health == "ok"
        assert health.last_run == {"status": "ok", "fetched": 8, "new": 3, "updated": 0,
                                   "unchanged": 5, "errors": 0}
        sources.close()


def test_only_due_sources_are_polled_and_the_interval_is_kept(tmp_path):
    clock = Clock()
    monitor = monitor_at(tmp_path / "home", clock)
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1)]))
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Loop", every="15m")
        assert len(sources.poll()) == 1
        assert sources.get("Loop").next_due_at == "2026-03-10T12:15:00Z"
        clock.advance(minutes=14)
        assert sources.poll() == []
        clock.advance(minutes=1)
        assert [run.status for run in sources.poll()] == ["not_modified"]
        sources.close()


def test_failures_back_off_are_shown_and_recover_without_blocking_others(tmp_path):
    clock = Clock()
    monitor = monitor_at(tmp_path / "home", clock)
    with feed_server() as site:
        site.routes["/good"] = Route(rss([story(1)]))
        site.routes["/flaky"] = Route(rss([story(2)]))
        sources = sources_of(monitor)
        sources.add(site.url("/good"), name="Good", every="10m")
        sources.add(site.url("/flaky"), name="Flaky", every="10m")
        site.routes["/flaky"] = Route(b"oops", "text/plain", 500)
        runs = {run.source: run for run in sources.poll()}
        assert runs["Good"].new == 1
        assert (runs["Flaky"].status, runs["Flaky"].error) == ("failed", "HTTP 500 Internal Server Error")
        flaky = sources.get("Flaky")
        assert (flaky.health, flaky.failures, flaky.next_due_at) == (
            "failing", 1, "2026-03-10T12:20:00Z")         # twice the interval
        assert flaky.health_line() == ("failing once: HTTP 500 Internal Server Error; "
                                       "next try 2026-03-10T12:20:00Z")
        clock.advance(minutes=20)
        site.routes["/flaky"] = Route(b"<html><body>not a feed at all</body></html>", "text/html")
        run = sources.poll(name="Flaky")[0]
        assert run.status == "failed" and run.error.startswith("not a feed")
        assert sources.get("Flaky").next_due_at == "2026-03-10T13:00:00Z"   # 4 x 10 minutes
        clock.advance(minutes=40)
        site.routes["/flaky"] = Route(rss([story(2)]))
        run = sources.poll(name="Flaky")[0]
        assert (run.status, run.new) == ("ok", 1)
        recovered = sources.get("Flaky")
        assert (recovered.health, recovered.failures, recovered.next_due_at) == (
            "ok", 0, "2026-03-10T13:10:00Z")
        sources.close()


def test_a_hanging_server_times_out_without_holding_other_hosts(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as slow, feed_server() as fast:
        slow.routes["/feed"] = Route(rss([story(1)]))
        fast.routes["/feed"] = Route(rss([story(2)]))
        sources = sources_of(monitor)
        sources.add(slow.url("/feed"), name="Slow")
        sources.add(fast.url("/feed"), name="Fast")
        slow.routes["/feed"] = Route(rss([story(1)]), delay=2.5)        # read timeout is 1 s
        runs = {run.source: run for run in sources.poll(due_only=False)}
        assert (runs["Slow"].status, runs["Slow"].error) == ("failed", "no answer within 1 s")
        assert (runs["Fast"].status, runs["Fast"].new) == ("ok", 1)
        slow.routes["/feed"] = Route(rss([story(n) for n in range(1, 9)]), drip=0.25)   # a slow drip
        run = sources.poll(name="Slow")[0]
        assert run.status == "failed" and run.error == "the answer took over 3 s"
        assert sources.get("Slow").failures == 2
        sources.close()


def test_redirects_are_followed_loops_and_long_chains_end_with_a_reason(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1)]))
        site.routes["/old"] = Route(status=301, location="/feed")
        site.routes["/a"] = Route(status=302, location="/b")
        site.routes["/b"] = Route(status=302, location="/a")
        for hop in range(8):
            site.routes[f"/hop{hop}"] = Route(status=302, location=f"/hop{hop + 1}")
        site.routes["/hop8"] = Route(rss([story(2)]))
        sources = sources_of(monitor)
        sources.add(site.url("/old"), name="Moved")
        assert sources.poll()[0].new == 1
        sources.add(site.url("/feed"), name="Loop")
        site.routes["/feed"] = Route(status=302, location="/a")
        run = sources.poll(name="Loop")[0]
        assert run.error == f"redirect loop: {site.url('/a')} redirects back to itself"
        site.routes["/feed"] = Route(status=302, location="/hop0")
        run = sources.poll(name="Loop")[0]
        assert run.error == f"more than 5 redirects (the last to {site.url('/hop5')})"
        sources.close()


def test_an_oversized_body_is_cut_off_and_reported(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    small = FetchSettings(allow_private=True, max_bytes=4096, read_timeout=2)
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1)]))
        sources = sources_of(monitor, small)
        sources.add(site.url("/feed"), name="Big")
        site.routes["/feed"] = Route(rss([story(n) for n in range(1, 200)]))
        run = sources.poll()[0]
        assert run.status == "failed"
        assert run.error == "the answer is over the 4,096 bytes limit: cut off there"
        assert run.bytes == 4096
        assert sources.get("Big").health == "failing"
        sources.close()


# Made-up earnings tables that langdetect alone calls Swedish or French (issue 14, item 1).
TABLES = ["Revs 481.3 mln vs 93.9 mln\nAvg shrs 2752,000 vs 2614,000\nRevs 113.5 mln vs "
          "229.1 mln\nRevs 333.9 mln vs 135.5 mln\nNine mths\nOper shr 39 cts vs 71 cts",
          "Sales 222.5 mln vs 103.6 mln\nQtr div 83 cts vs 49 cts\nYear",
          "Nine mths\nSales 167.5 mln vs 185.7 mln\nQtr div 15 cts vs 45 cts"]
PROSE = ("The company said on {day} that its board had approved a plan to expand the factory "
         "near the river, adding that the work would begin next spring and employ several "
         "hundred people once finished, according to a statement released to reporters.")


def test_a_poll_settles_its_items_languages_as_an_ingest_does(tmp_path):
    # A first poll of a new outlet: while its items are enriched the store knows no language
    # for it, so the tables lean on nothing; the poll's last pass counts the whole run.
    items = [{"title": "ACME INDUSTRIES INC 1ST QTR NET", "link": f"http://example.org/t{n}",
              "text": table} for n, table in enumerate(TABLES)]
    items += [{"title": f"Factory plan {n}", "link": f"http://example.org/p{n}",
               "text": PROSE.format(day=day)} for n, day in enumerate(["Monday", "Tuesday",
                                                                         "Friday"])]
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss(items, title="Wire"))
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Wire")
        [run] = sources.poll()
        assert (run.status, run.new) == ("ok", 6)
        assert "unsettled" not in run.to_json()
        sources.close()
    with monitor.store() as store:
        stored = {doc.url.rsplit("/", 1)[-1]: (doc.lang, doc.seq) for doc in store.iter_all()}
    assert {name: lang for name, (lang, _seq) in stored.items()} == {
        "t0": "en", "t1": "en", "t2": "en", "p0": "en", "p1": "en", "p2": "en"}
    assert sorted(seq for _lang, seq in stored.values()) == [1, 2, 3, 4, 5, 6]  # seq stays
    # the index holds the settled languages, not the first guesses
    found = monitor.search(monitor.params({"q": "mln", "lang": "en"}))
    assert found["total"] == 3
