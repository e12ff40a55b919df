"""Web overhead and throughput: the search page and /api/search under gunicorn, next to the
service layer's bare search call, on the instances of benchmarks/search.py.

Queries: the 300 mid-frequency queries of benchmarks/search.py (same seed), each with a
facet filter drawn in turn from the instance's commonest language, country and kind (or
none), as a monitor narrows a search. In one run:

  bare      Monitor.params + Monitor.search in this process (warm searcher);
  1 client  the same searches over loopback HTTP, one at a time, against a server of
            --workers gunicorn workers: the page (`/`) and `/api/search`, median and p95;
  N clients --clients threads sending the page's searches at once: requests/s and p95.

The server is web.server.serve in a child process; each worker's memory (peak and private
resident) is read from /proc after the load.

    python benchmarks/web.py [--size 100000] [--workdir DIR] [--queries 300]
    python benchmarks/web.py --home instance --queries 50      # any instance, e.g. the demo
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import search as search_bench  # noqa: E402  (benchmarks/search.py: instances and queries)

from indexer.instance import Instance  # noqa: E402
from indexer.search.params import SearchParams  # noqa: E402
from indexer.service import Monitor  # noqa: E402

TARGETS = {"page p95 ms (1 client)": 200, "overhead (page p95 / bare p95)": 1.3,
           "throughput N clients / 1 client": 1.5, "worker peak MB": 500}


def searches(monitor: Monitor, queries: list[str], seed: int = 11) -> list[dict]:
    """Each query with a filter a monitor would add: top language, country, no briefs, or none."""
    facets = monitor.search(SearchParams(limit=1, facet_limit=1))["facets"]
    top = {name: facets[name]["values"][0]["value"] for name in ("lang", "country")
           if facets[name]["values"]}
    choices = [{}, {"exclude_kind": "brief"}] + [{name: value} for name, value in top.items()]
    rng = random.Random(seed)
    return [{"q": query, **rng.choice(choices)} for query in queries]


def records_of(home: Path, limit: int = 20000) -> list[dict]:
    """Title and text of an instance's documents (for drawing queries)."""
    with Monitor(Instance(home)).store() as store:
        found = []
        for doc in store.iter_all():
            found.append({"title": doc.title, "text": doc.text})
            if len(found) >= limit:
                break
        return found


def bare_times(monitor: Monitor, sets: list[dict]) -> list[float]:
    """Milliseconds of the service layer's params + search per search."""
    monitor.search(monitor.params(sets[0]))          # warm: the searcher and its tables
    times = []
    for args in sets:
        began = time.perf_counter()
        monitor.search(monitor.params(args))
        times.append((time.perf_counter() - began) * 1000)
    return times


def fetch(url: str) -> float:
    """Milliseconds to get url and read its whole body (any status is an answer)."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            answer.read()
    except urllib.error.HTTPError as answer:
        answer.read()
    return (time.perf_counter() - began) * 1000


def one_client(base: str, path: str, sets: list[dict]) -> list[float]:
    """Milliseconds per request, one request at a time."""
    return [fetch(f"{base}{path}?{urlencode(args)}") for args in sets]


def many_clients(base: str, path: str, sets: list[dict], clients: int) -> tuple[float, list[float]]:
    """Requests per second and milliseconds per request with `clients` threads at once."""
    pending = list(sets)
    lock, times = threading.Lock(), []

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                args = pending.pop()
            took = fetch(f"{base}{path}?{urlencode(args)}")
            with lock:
                times.append(took)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times) / (time.perf_counter() - began), times


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen:
    """web.server.serve in a child process; returns once it answers."""
    code = (f"from web.server import serve; serve({str(home)!r}, port={port}, workers={workers}, "
            "echo=lambda line: None)")
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            fetch(f"http://127.0.0.1:{port}/api/search?limit=1")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start")


def worker_memory(master: int) -> list[tuple[float, float]]:
    """(peak, private) resident MB of each gunicorn worker (the children of the master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master:
            found.append((int(fields["VmHWM"].split()[0]) / 1024, int(fields["RssAnon"].split()[0]) / 1024))
    return found


def p(values: list[float], share: float) -> float:
    return search_bench.percentile(values, share)


def report(documents: int, bare: list[float], page: list[float], api: list[float],
           single_rate: float, rate: float, loaded: list[float], clients: int, workers: int,
           memory: list[tuple[float, float]]) -> None:
    print(f"{documents:,} documents, {len(bare)} searches with facets, {workers} gunicorn workers\n")
    print("| call | median ms | p95 ms | p95 / bare p95 |")
    print("|---|---|---|---|")
    for name, times in (("bare Monitor.params + search", bare), ("search page `/`, 1 client", page),
                        ("`/api/search`, 1 client", api)):
        print(f"| {name} | {statistics.median(times):.1f} | {p(times, .95):.1f} | "
              f"{p(times, .95) / max(p(bare, .95), 1e-6):.2f} |")
    print()
    print("| load | requests/s | p95 ms |")
    print("|---|---|---|")
    print(f"| search page, 1 client | {single_rate:.1f} | {p(page, .95):.1f} |")
    print(f"| search page, {clients} clients | {rate:.1f} | {p(loaded, .95):.1f} |")
    print(f"\nthroughput {clients} clients / 1 client: {rate / single_rate:.2f}")
    print("worker memory MB (peak / private): " +
          ", ".join(f"{peak:.0f} / {private:.0f}" for peak, private in memory))
    print("targets: " + "; ".join(f"{name} {value}" for name, value in TARGETS.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--workdir", default="/tmp/media-monitor-search-bench")
    parser.add_argument("--home", help="measure this instance instead of a benchmark instance")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if args.home:
        home = Path(args.home)
        records = records_of(home)
    else:
        real = search_bench.real_records()
        folder = Path(args.workdir) / f"size-{args.size}"
        folder.mkdir(parents=True, exist_ok=True)
        search_bench.build_instance(folder, args.size, real)
        home, records = folder / "instance", search_bench.records_for(args.size, real)
    monitor = Monitor(Instance(home))
    queries, _ = search_bench.draw_queries(records, args.queries)
    sets = searches(monitor, queries)
    documents = monitor.stats()["documents"]
    bare = bare_times(monitor, sets)
    monitor.close()
    port = free_port()
    server = start_server(home, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(4 * args.workers):          # every worker opens its searcher first
            fetch(f"{base}/?{urlencode(sets[0])}")
        began = time.perf_counter()
        page = one_client(base, "/", sets)
        single_rate = len(sets) / (time.perf_counter() - began)
        api = one_client(base, "/api/search", sets)
        rate, loaded = many_clients(base, "/", sets, args.clients)
        memory = worker_memory(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    report(documents, bare, page, api, single_rate, rate, loaded, args.clients, args.workers, memory)


if __name__ == "__main__":
    main()
