"""Ingest throughput on the shared JSON Lines corpora (about 47k documents).

Three measurements in one run, each store a fresh temporary instance:

- read only: the readers alone (gunzip, parse, build Documents with their ids), no store;
- read + store, no enrichment: `Ingester(detect_language=False, enrich=False)`: merge and
  SQLite writes only;
- read + store: `Ingester(detect_language=False)`: the other enrichment (countries,
  entities, dates from text) included, language detection left out;
- read + store + langdetect, no other enrichment: countries, entities and text dates off;
- read + store + langdetect: the ingest as `manage.py ingest` runs it (the last two rows
  give the cost of countries + entities + dates).

With `--workers W`, a second table instead: the same input ingested by one process and by a
pool of W enrichment workers (`manage.py ingest --workers`), without the index (an Ingester
into the store) and end to end (`Monitor.ingest`: read, enrich, store, index), with the ratio
of the pool's docs/s to one process's, the CPU seconds of the ingest and its workers, and
the load average after each row; then bare Whoosh (Whoosh's default analysis, the id
stored, title and text indexed, one writer) on the same titles and texts, read in the same
run, and the end-to-end time of each row over bare Whoosh's (issue 15's target: at most
1.75x with the pool). Other processes on the machine share its cores: run it on a quiet
machine, or read the ratios as what was left to the pool.

Usage: python benchmarks/ingest.py [--limit N] [--workers W]   (N: first N records of each
corpus)
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bare import bare_index  # noqa: E402
from corpus.formats import choose_format, read_bytes, reader_for  # noqa: E402
from corpus.problems import Problem  # noqa: E402
from indexer.ingest.ingester import Ingester  # noqa: E402
from indexer.instance import Instance  # noqa: E402
from indexer.service import Monitor  # noqa: E402

SHARED = ROOT.parent / "shared" / "corpus"
CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")
RUNS = (("read + store, no enrichment", {"detect_language": False, "enrich": False}),
        ("read + store", {"detect_language": False}),
        ("read + store + langdetect, no other enrichment", {"detect_language": True, "enrich": False}),
        ("read + store + langdetect", {"detect_language": True}))


def corpus_paths(limit: int | None, folder: Path) -> list[str]:
    """The shared corpora, or gzipped copies of their first `limit` records."""
    if limit is None:
        return [str(SHARED / name) for name in CORPORA]
    paths = []
    for name in CORPORA:
        with gzip.open(SHARED / name, "rb") as handle:
            head = b"".join(itertools.islice(handle, limit))
        target = folder / name
        target.write_bytes(gzip.compress(head))
        paths.append(str(target))
    return paths


def read_only(paths: list[str]) -> tuple[int, int]:
    """Run the readers alone; return (documents read, distinct ids)."""
    count, ids = 0, set()
    for item in read_items(paths):
        count += 1
        ids.add(item.id)
    return count, len(ids)


def read_items(paths: list[str]):
    """The documents the readers give for the paths, in order."""
    for path in paths:
        fmt, gzipped = choose_format(Path(path))
        data, _ = read_bytes(Path(path), gzipped)
        for item in reader_for(fmt)(data, path):
            if not isinstance(item, Problem):
                yield item


def bare_whoosh(paths: list[str]) -> tuple[int, float]:
    """Bare Whoosh over the distinct documents' titles and texts (read beforehand)."""
    items = {item.id: (item.id, item.title or "", item.text or "") for item in read_items(paths)}
    with tempfile.TemporaryDirectory(prefix="mm-bench-bare-") as folder:
        began = time.perf_counter()
        bare_index(Path(folder) / "bare", items.values())
        return len(items), time.perf_counter() - began


def read_and_store(paths: list[str], options: dict) -> tuple[int, int]:
    """Ingest into a fresh temporary instance; return (documents read, documents stored)."""
    with tempfile.TemporaryDirectory(prefix="mm-bench-") as home:
        store = Instance(Path(home)).open_store()
        try:
            report = Ingester(store, **options).ingest(paths)
        finally:
            store.close()
        failed = [f"{f.path}: {f.error}" for f in report.files if f.status != "ok"]
        if failed:
            raise SystemExit("ingest failed: " + "; ".join(failed))
        return report.total("documents"), report.total("new")


def store_with_workers(paths: list[str], workers: int) -> tuple[int, int]:
    """The ingest without the index, with a pool of workers (1: no pool)."""
    with tempfile.TemporaryDirectory(prefix="mm-bench-") as home:
        store = Instance(Path(home)).open_store()
        try:
            with Ingester(store, workers=workers) as ingester:
                report = ingester.ingest(paths)
        finally:
            store.close()
        return checked(report)


def end_to_end(paths: list[str], workers: int) -> tuple[int, int]:
    """`manage.py ingest` as a library call: read, enrich, store, then index."""
    with tempfile.TemporaryDirectory(prefix="mm-bench-") as home:
        monitor = Monitor(Instance(Path(home)))
        try:
            report = monitor.ingest(paths, workers=workers)
        finally:
            monitor.close()
        return checked(report)


def checked(report) -> tuple[int, int]:
    """(documents read, documents stored); an ingest that failed a file stops the benchmark."""
    failed = [f"{f.path}: {f.error}" for f in report.files if f.status != "ok"]
    if failed:
        raise SystemExit("ingest failed: " + "; ".join(failed))
    return report.total("documents"), report.total("new")


def compare_workers(paths: list[str], workers: int) -> None:
    """One process against a pool of workers, without the index and end to end.

    cpu s: the CPU time of this process and its workers; what the pool costs over one
    process shows there even when other programs hold the cores.
    """
    print(f"{'':<30}{'workers':>8}{'docs':>7}{'seconds':>9}{'docs/s':>8}{'x 1 worker':>12}"
          f"{'cpu s':>8}{'load':>6}")
    ends = {}
    for label, run in (("ingest, no index", store_with_workers),
                       ("end to end (store + index)", end_to_end)):
        base = None
        for count in (1, workers):
            cpu = cpu_seconds()
            (read, _), seconds = timed(run, paths, count)
            base = base or seconds
            ends[count] = seconds
            print(f"{label:<30}{count:>8}{read:>7}{seconds:>9.1f}{read / seconds:>8.0f}"
                  f"{base / seconds:>11.2f}x{cpu_seconds() - cpu:>8.1f}"
                  f"{os.getloadavg()[0]:>6.1f}", flush=True)
    distinct, bare = bare_whoosh(paths)
    print(f"{'bare Whoosh (title, text)':<30}{1:>8}{distinct:>7}{bare:>9.1f}"
          f"{distinct / bare:>8.0f}{'':>12}{'':>8}{os.getloadavg()[0]:>6.1f}")
    print(f"end to end / bare Whoosh time: {ends[1] / bare:.2f}x with 1 worker, "
          f"{ends[workers] / bare:.2f}x with {workers} (target <= 1.75x)")


def cpu_seconds() -> float:
    """CPU time used so far by this process and its ended children (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(run, *args):
    started = time.perf_counter()
    result = run(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None,
                        help="read only the first N records of each corpus")
    parser.add_argument("--workers", type=int, default=None,
                        help="compare one process with this many enrichment workers instead")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"the shared corpora are not at {SHARED} (see DATA.md)")
    if args.workers is not None and args.workers < 2:
        raise SystemExit("--workers: give 2 or more (1 is the baseline every run has)")
    with tempfile.TemporaryDirectory(prefix="mm-bench-input-") as folder:
        paths = corpus_paths(args.limit, Path(folder))
        if args.workers:
            print(f"{len(paths)} JSON Lines corpora, first {args.limit or 'all'} records of "
                  f"each; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
                  "before the run")
            compare_workers(paths, args.workers)
            return
        (docs, distinct), base = timed(read_only, paths)
        rows = [("read only", docs, distinct, base)]
        for label, options in RUNS:
            (read, stored), seconds = timed(read_and_store, paths, options)
            rows.append((label, read, stored, seconds))
    print(f"{len(paths)} JSON Lines corpora, {docs} documents ({distinct} distinct)")
    print(f"{'':<29}{'docs':>8}{'stored':>8}{'seconds':>10}{'docs/s':>10}{'x read-only':>13}")
    for label, count, stored, seconds in rows:
        print(f"{label:<29}{count:>8}{stored if label != 'read only' else '-':>8}"
              f"{seconds:>10.1f}{count / seconds:>10.0f}{seconds / base:>12.1f}x")


if __name__ == "__main__":
    main()
