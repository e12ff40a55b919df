"""Sources: time from an item appearing in a served feed to its alert hit, and polls per
second over 200 sources answering 304, all on a loopback HTTP server.

    python benchmarks/sources.py [--items 20] [--every 2] [--sources 200]

The issue asks for a 1-minute schedule; the time to a hit is the wait for the next poll
(uniform over the interval: a median of about half of it) plus the work measured here, so
the benchmark runs a short schedule (--every seconds) and reports both.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import accounts  # noqa: E402
from indexer.sources.worker import start_poller  # noqa: E402
from indexer.store import alerts as alert_rows  # noqa: E402
from tests.sources_support import (  # noqa: E402
    LOOPBACK,
    Route,
    feed_server,
    monitor_at,
    rss,
    sources_of,
    story,
)


def hit_count(monitor) -> int:
    with monitor.store() as store:
        return len(alert_rows.all_hit_pairs(store.db))


def time_to_hit(home: Path, items: int, every: int) -> list[float]:
    """Seconds from each item's appearance to its alert hit, one item at a time."""
    monitor = monitor_at(home)
    with monitor.store() as store:
        ana = accounts.add_user(store, "ana", "password1", "ana@example.org")
    with feed_server() as site:
        feed = [story(0, "weather")]
        site.routes["/feed"] = Route(rss(feed))
        sources = sources_of(monitor)
        sources.add(site.url("/feed"), name="Port", every=f"{every}s")
        sources.poll()
        sources.close()
        monitor.alerts.create(ana, "strikes", {"q": "strike"})
        thread, stop = start_poller(monitor_at(home), LOOPBACK, interval=0.2)
        waits, chance = [], random.Random(13)
        for number in range(1, items + 1):
            time.sleep(chance.uniform(0, every))     # items appear at any moment of the interval
            feed.append(story(number, "harbour strike"))
            site.routes["/feed"] = Route(rss(feed))
            start = time.monotonic()
            while hit_count(monitor) < number:
                time.sleep(0.02)
            waits.append(time.monotonic() - start)
        stop.set()
        thread.join()
    return waits


def polls_per_second(home: Path, count: int, hosts: int) -> tuple[float, float]:
    """(first round with 200s, rounds of 304s) in polls per second over count sources."""
    from contextlib import ExitStack

    monitor = monitor_at(home)
    with ExitStack() as stack:
        sites = [stack.enter_context(feed_server()) for _ in range(hosts)]
        sources = sources_of(monitor)
        for number in range(count):
            site = sites[number % hosts]
            site.routes[f"/feed{number}"] = Route(rss([story(number)]))
            sources.add(site.url(f"/feed{number}"), name=f"Source {number}")
        start = time.monotonic()
        first = sources.poll(due_only=False)
        first_rate = len(first) / (time.monotonic() - start)
        start = time.monotonic()
        rounds = 3
        for _ in range(rounds):
            again = sources.poll(due_only=False)
            assert all(run.status == "not_modified" for run in again), again[:1]
        rate = rounds * count / (time.monotonic() - start)
        sources.close()
    return first_rate, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--every", type=int, default=2, help="poll interval in seconds")
    parser.add_argument("--sources", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        waits = time_to_hit(Path(work) / "latency", args.items, args.every)
        median = statistics.median(waits)
        print("| measure | value |\n|---|---|")
        print(f"| time to alert hit, {args.every} s schedule, median of {args.items} | "
              f"{median:.2f} s (min {min(waits):.2f}, max {max(waits):.2f}) |")
        busy = max(0.0, median - args.every / 2)
        print(f"| same with a 1-minute schedule (estimated: 30 s median wait + {busy:.2f} s) | "
              f"{30 + busy:.1f} s |")
        for hosts in (1, 20):
            first, rate = polls_per_second(Path(work) / f"polls{hosts}", args.sources, hosts)
            print(f"| {args.sources} sources on {hosts} loopback host(s): first round (200s) | "
                  f"{first:.0f} polls/s |")
            print(f"| {args.sources} sources on {hosts} loopback host(s): 304 rounds | "
                  f"{rate:.0f} polls/s |")


if __name__ == "__main__":
    main()
