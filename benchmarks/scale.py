"""The embedded backend (SQLite + Whoosh) beside PostgreSQL on the same documents:
ingest speed, search latency, and PostgreSQL's throughput with concurrent clients.

Documents: those of benchmarks/search.py at each size (the three shared corpora shuffled
together, then the word-shuffled copies it makes), written once to a JSON Lines file and
ingested into both backends with language detection off (not what is measured):

  embedded    Ingester into an instance folder, then the Whoosh index built from the
              store; ingest docs/s counts both steps (PostgreSQL writes its search rows
              in the ingest's own transactions, so its one step is the same work);
  postgresql  Ingester into PgStore (database scale_<size>), then VACUUM ANALYZE
              (timed apart: an operator runs it after a bulk load).

Searches: the 300 mid-frequency and 50 frequent queries of benchmarks/search.py (same
seed, same sizes, so the same queries), each as Monitor.search with top 10, five facets
and the histogram (the whole Search JSON), after a warm pass that runs every query once
untimed (a server's cache holds what its searches read; a cluster just started holds
nothing, and one warm-up query measured its first reads of each page); p50 / p95 ms and the
ratio PostgreSQL / embedded. The mean match counts of both are printed: they must agree.

Throughput: 1, 2 and 4 client processes (--clients), each with its own Monitor, run the
mid-frequency queries in a loop (each starting at another offset) for --duration seconds,
all starting together; queries/s and the ratio to one client. The embedded backend is
measured alike, as a baseline.

Everything built is kept in --workdir (instance folders, and the throwaway PostgreSQL
cluster's data folder, restarted by the next run), so a second run only measures. Without
--database the cluster is started from tests/pg_support.py (PostgreSQL 15) and stopped at
the end; with --database URL, an existing server is used (it must allow CREATE DATABASE).
The kept cluster runs with shared_buffers set as an operator would (--shared-buffers,
default a quarter of memory, at most 8GB; the tests' clusters keep 128MB).

--backends postgresql builds and measures one of them alone (the 1M size, where the
embedded build is not asked for); --workers N ingests a new build with N analysis
worker processes, as `ingest --workers N` does (the count is kept with the build);
--grow starts a new PostgreSQL size from a copy of the largest smaller kept build
(CREATE DATABASE ... TEMPLATE) and ingests only the documents past it, since each size's
documents begin with every smaller size's: its ingest figures are the added documents'.

    python benchmarks/scale.py [--sizes 100000] [--workdir DIR] [--database URL]
                               [--queries 300] [--clients 1,2,4] [--duration 20]
                               [--backends embedded,postgresql] [--workers 1] [--grow]
                               [--shared-buffers 6GB]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import search as search_bench  # noqa: E402  (benchmarks/search.py: corpus and queries)

from indexer.instance import Instance  # noqa: E402
from indexer.search.params import SearchParams  # noqa: E402
from indexer.service import Monitor  # noqa: E402

BACKENDS = ("embedded", "postgresql")
SETS = ("mid-frequency", "frequent")


# ---- building ----------------------------------------------------------------------------

def records_file(folder: Path, size: int, real: list[dict], skip: int = 0) -> Path:
    """The size's documents past the first `skip` as JSON Lines (written once, removed when
    the builds are done). A size's documents begin with every smaller size's."""
    source = folder / (f"records-from-{skip}.jsonl" if skip else "records.jsonl")
    if not source.exists():
        partial = source.with_suffix(".part")
        with open(partial, "w", encoding="utf-8") as out:
            for item in search_bench.records_for(size, real)[skip:]:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
        partial.rename(source)
    return source


def ingest(store, source: Path, workers: int) -> float:
    """Ingest the file into the store; return the seconds it took."""
    from indexer.ingest.ingester import Ingester

    began = time.perf_counter()
    with Ingester(store, detect_language=False, workers=workers) as ingester:
        report = ingester.ingest([str(source)])
    seconds = time.perf_counter() - began
    failed = [f for f in report.files if f.error]
    if failed:
        sys.exit(f"ingest of {source} failed: {failed[0].error}")
    return seconds


def build_embedded(folder: Path, source_of, workers: int) -> dict:
    """The SQLite store and Whoosh index in folder/embedded (kept: skipped when built)."""
    from indexer.engine.whoosh.index import SearchIndex

    record = folder / "embedded.json"
    if record.exists():
        return json.loads(record.read_text())
    instance = Instance(folder / "embedded")
    for stale in (instance.store_path, instance.index_path):      # an interrupted build
        if stale.is_dir():
            import shutil

            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    store = instance.open_store()
    try:
        built = {"ingest_s": ingest(store, source_of(), workers), "workers": workers}
        began = time.perf_counter()
        built["documents"] = SearchIndex(instance.index_path).rebuild(store)
        built["index_s"] = time.perf_counter() - began
    finally:
        store.close()
    record.write_text(json.dumps(built))
    return built


def build_postgresql(folder: Path, server_url: str, size: int, source_of, workers: int,
                     grow: bool = False) -> dict:
    """The database scale_<size> on the server (kept: skipped when built).

    grow: start from a copy of the largest smaller kept build and ingest only the
    documents past it (the ingest figures are then those of the documents added).
    """
    import psycopg

    from indexer.store.postgres.pool import close_pools
    from indexer.store.postgres.store import PgStore

    record = folder / "postgresql.json"
    if record.exists():
        return json.loads(record.read_text())
    name, base = f"scale_{size}", kept_smaller(folder.parent, size) if grow else None
    close_pools()           # a database copied as a template must have no session open
    with psycopg.connect(server_url, autocommit=True) as conn:      # an interrupted build
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        template = f' TEMPLATE "scale_{base[0]}"' if base else ""
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    url = database_url(server_url, name)
    store = PgStore(url)
    try:
        built = {"ingest_s": ingest(store, source_of(base[0] if base else 0),
                                    workers), "workers": workers}
    finally:
        store.close()
    if base:
        built |= {"grown_from": base[0], "grown_from_documents": base[1]["documents"]}
    built["documents"] = store_count(url)
    began = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    built["analyze_s"] = time.perf_counter() - began
    record.write_text(json.dumps(built))
    return built


def kept_smaller(workdir: Path, size: int) -> tuple[int, dict] | None:
    """The largest kept PostgreSQL build below size, and its record (None if there is none)."""
    kept = sorted((int(path.parent.name.split("-")[1]), path)
                  for path in workdir.glob("size-*/postgresql.json")
                  if int(path.parent.name.split("-")[1]) < size)
    return (kept[-1][0], json.loads(kept[-1][1].read_text())) if kept else None


def store_count(url: str) -> int:
    from indexer.store.backup import count_documents
    from indexer.store.postgres.store import PgStore

    store = PgStore(url)
    try:
        return count_documents(store.db)
    finally:
        store.close()


def database_url(server_url: str, name: str) -> str:
    """The server's URL with another database name."""
    base, _, query = server_url.partition("?")
    head = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    return f"{head}/{name}" + (f"?{query}" if query else "")


# ---- measuring ---------------------------------------------------------------------------

def instance_of(backend: str, folder: Path, url: str) -> Instance:
    return Instance(folder / "embedded") if backend == "embedded" else Instance(folder / "pg-home", url)


def full_search(monitor: Monitor, query: str) -> int:
    """Top 10, five facets and the histogram: the whole Search JSON, as search.py's (b)."""
    params = SearchParams(query=query, limit=10, facet_limit=search_bench.FACET_LIMIT)
    return monitor.search(params)["total"]


def latencies(instance: Instance, sets: dict[str, list[str]]) -> dict:
    """Milliseconds per query of each set and the mean match count, after a warm pass."""
    monitor = Monitor(instance)
    for queries in sets.values():
        for query in queries:
            full_search(monitor, query)
    result = {}
    for name, queries in sets.items():
        times, _cpu, totals = search_bench.timed(lambda q: full_search(monitor, q), queries)
        result[name] = {"ms": times, "matches": statistics.mean(totals)}
    monitor.engine.close()
    return result


def client(backend: str, folder: str, url: str, queries: list[str], offset: int,
           ready, start, duration: float, results) -> None:
    """One client process: warm up, wait for the start, run queries for duration seconds."""
    monitor = Monitor(instance_of(backend, Path(folder), url))
    full_search(monitor, queries[offset % len(queries)])
    ready.put(offset)
    start.wait()
    done, position, until = 0, offset, time.perf_counter() + duration
    while time.perf_counter() < until:
        full_search(monitor, queries[position % len(queries)])
        done, position = done + 1, position + 1
    results.put(done)


def throughput(backend: str, folder: Path, url: str, queries: list[str], clients: int,
               duration: float) -> float:
    """Queries per second of `clients` processes searching at once."""
    context = multiprocessing.get_context("spawn")     # no pool or index handle crosses a fork
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    spread = max(1, len(queries) // clients)
    workers = [context.Process(target=client, args=(backend, str(folder), url, queries, n * spread,
                                                    ready, start, duration, results))
               for n in range(clients)]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=300)
    start.set()
    done = sum(results.get(timeout=duration + 300) for _ in workers)
    for worker in workers:
        worker.join()
        if worker.exitcode:
            sys.exit(f"a {backend} client process failed (exit {worker.exitcode})")
    return done / duration


# ---- report ------------------------------------------------------------------------------

def p(values: list[float], share: float) -> float:
    return search_bench.percentile(values, share)


def ingest_rate(built: dict) -> float:
    """Documents per second of the build's ingest (of those added, for a grown one)."""
    added = built["documents"] - built.get("grown_from_documents", 0)
    return added / (built["ingest_s"] + built.get("index_s", 0.0))


def latency_table(size: int, built: dict, measured: dict) -> None:
    print(f"\n{size:,} documents: ingest and search (top 10 + 5 facets + histogram)\n")
    print("| backend | ingest s (+ index s) | ingest docs/s | mid-frequency p50 / p95 ms | "
          "frequent p50 / p95 ms | mean matches mid / frequent |")
    print("|---|---|---|---|---|---|")
    for backend in measured:
        b, m = built[backend], measured[backend]
        steps = f"{b['ingest_s']:.0f}" + (f" + {b['index_s']:.0f}" if "index_s" in b else
                                          f" (+ {b['analyze_s']:.0f} VACUUM ANALYZE)")
        if "grown_from" in b:
            added = b["documents"] - b["grown_from_documents"]
            steps += f", the {added:,} added to the {b['grown_from']:,} build"
        cells = [backend, steps, f"{ingest_rate(b):,.0f}"]
        cells += [f"{p(m[s]['ms'], .5):.1f} / {p(m[s]['ms'], .95):.1f}" for s in SETS]
        cells.append(" / ".join(f"{m[s]['matches']:,.0f}" for s in SETS))
        print("| " + " | ".join(cells) + " |")
    if set(measured) != set(BACKENDS):
        return
    e, g = measured["embedded"], measured["postgresql"]
    cells = ["ratio PG / embedded", "",
             f"{ingest_rate(built['postgresql']) / ingest_rate(built['embedded']):.2f}"]
    cells += [f"{p(g[s]['ms'], .5) / p(e[s]['ms'], .5):.2f} / {p(g[s]['ms'], .95) / p(e[s]['ms'], .95):.2f}"
              for s in SETS]
    print("| " + " | ".join(cells + [""]) + " |")


def throughput_table(size: int, rates: dict, duration: float, queries: int) -> None:
    print(f"\n{size:,} documents: throughput, {queries} mid-frequency queries looped by each "
          f"client process for {duration:.0f} s\n")
    print("| backend | clients | queries/s | ratio to 1 client |")
    print("|---|---|---|---|")
    for backend, by_clients in rates.items():
        one = by_clients.get(1)
        for clients, rate in by_clients.items():
            ratio = f"{rate / one:.2f}" if one else "-"
            print(f"| {backend} | {clients} | {rate:.1f} | {ratio} |")


# ---- main --------------------------------------------------------------------------------

def positive_ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive whole numbers separated by commas, got {text!r}")
    return values


def quarter_of_memory() -> str:
    """A quarter of this machine's memory, at most 8GB: the usual shared_buffers."""
    megabytes = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4 // 2**20
    return f"{min(megabytes, 8192)}MB"


def open_server(args) -> tuple[str, object | None]:
    """The server URL, and the cluster this run started (None with --database).

    The kept cluster runs with --shared-buffers: the tests' 128MB holds a tenth of a 500k
    build, and every match's row read from the OS cache instead cost a 500k search a third
    of its time."""
    if args.database:
        return args.database, None
    sys.path.insert(0, str(ROOT))
    import psycopg

    from tests.pg_support import start_cluster

    try:
        cluster = start_cluster(Path(args.workdir).resolve() / "postgresql")
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            current, wanted = conn.execute(
                "SELECT pg_size_bytes(current_setting('shared_buffers')), pg_size_bytes(%s)",
                (args.shared_buffers,)).fetchone() or (0, 0)
            if current != wanted:
                conn.execute(f"ALTER SYSTEM SET shared_buffers = '{args.shared_buffers}'")
        if current != wanted:
            cluster.stop()
            cluster.start()
    except (RuntimeError, psycopg.Error) as exc:
        sys.exit(f"no PostgreSQL server: {exc} (or pass --database URL)")
    return cluster.url(), cluster


def backend_names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names or set(names) - set(BACKENDS):
        raise argparse.ArgumentTypeError(f"expected some of {', '.join(BACKENDS)}, got {text!r}")
    return [name for name in BACKENDS if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=positive_ints, default=[100000])
    parser.add_argument("--workdir", default="/tmp/media-monitor-scale-bench")
    parser.add_argument("--database", help="an existing PostgreSQL server's URL "
                        "(default: a throwaway cluster kept in the workdir)")
    parser.add_argument("--queries", type=int, default=300, help="mid-frequency queries")
    parser.add_argument("--clients", type=positive_ints, default=[1, 2, 4])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per throughput run")
    parser.add_argument("--backends", type=backend_names, default=list(BACKENDS),
                        help="which to build and measure (default both: embedded,postgresql)")
    parser.add_argument("--grow", action="store_true",
                        help="build a new PostgreSQL size from a copy of the largest smaller "
                             "kept one, ingesting only the documents past it")
    parser.add_argument("--shared-buffers", default=quarter_of_memory(),
                        help="the kept cluster's shared_buffers (default: a quarter of memory, "
                             "at most 8GB)")
    parser.add_argument("--workers", type=int, default=1,
                        help="analysis worker processes of a new build's ingest (as ingest --workers)")
    args = parser.parse_args()
    if args.queries < 1 or args.duration <= 0 or args.workers < 1:
        parser.error("--queries, --duration and --workers must be positive")
    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    server_url, cluster = open_server(args)
    try:
        real = search_bench.real_records()
        for size in args.sizes:
            measure_size(size, workdir / f"size-{size}", server_url, real, args)
    finally:
        if cluster is not None:
            cluster.stop()          # type: ignore[attr-defined]


def measure_size(size: int, folder: Path, server_url: str, real: list[dict], args) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    note = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    note(f"building {size:,} documents in {folder} ...")
    source_of = lambda skip=0: records_file(folder, size, real, skip)  # noqa: E731
    builders = {"embedded": lambda: build_embedded(folder, source_of, args.workers),
                "postgresql": lambda: build_postgresql(folder, server_url, size, source_of,
                                                       args.workers, args.grow)}
    built = {backend: builders[backend]() for backend in args.backends}
    for source in folder.glob("records*.jsonl"):
        source.unlink()
    url = database_url(server_url, f"scale_{size}")
    mid, frequent = search_bench.draw_queries(search_bench.records_for(size, real), args.queries)
    sets = {"mid-frequency": mid, "frequent": frequent}
    measured = {}
    for backend in args.backends:
        note(f"measuring {backend} latency at {size:,} ...")
        measured[backend] = latencies(instance_of(backend, folder, url), sets)
    rates: dict[str, dict[int, float]] = {}
    for backend in sorted(args.backends, reverse=True):       # postgresql first
        for clients in args.clients:
            note(f"{backend} throughput, {clients} client(s) ...")
            rates.setdefault(backend, {})[clients] = throughput(backend, folder, url, mid, clients,
                                                                args.duration)
    latency_table(size, built, measured)
    throughput_table(size, rates, args.duration, len(mid))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
