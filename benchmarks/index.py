"""Indexing speed and size: the project's index built from the store vs bare Whoosh.

For each shared JSON Lines corpus: ingest it into a temporary instance (language
detection off, to save time: it is not what is measured), time `SearchIndex.rebuild`
(read the store, map documents to fields, write, commit) in one process and with the
worker processes a rebuild uses by default (one per core, each writing a segment), then
time bare Whoosh indexes (id, title, text; same writer settings) of the same texts held
in memory: one with Whoosh's default analysis (drops English stop words), one with ours
(keeps every word). One-process times are CPU seconds (Whoosh writes in one thread), so
other work on a shared machine does not tilt that comparison; the workers' build is
timed on the wall clock (what an operator waits), its CPU seconds (parent and workers)
beside it. Prints a table with the ratios and the sizes on disk, and the issue 15
targets (build >= 300 docs/s, index <= 3x the raw text: UTF-8 bytes of titles and texts).

With --workdir the ingested stores are kept there and reused by the next run (the
ingest is not what is measured), so two versions of the code can be measured back to
back on the same stores; each run builds its indexes afresh.

    python benchmarks/index.py [--limit N] [--workdir DIR] [--workers N]
"""
from __future__ import annotations

import argparse
import gzip
import resource
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bare import bare_index  # noqa: E402
from indexer.engine.whoosh.index import WRITER_OPTIONS, SearchIndex  # noqa: E402
from indexer.ingest.ingester import Ingester  # noqa: E402
from indexer.instance import Instance  # noqa: E402
from indexer.processes import default_workers  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")
MB = 1024 * 1024
WARM_UP = 300


def limited_copy(source: Path, folder: Path, limit: int | None) -> Path:
    """The corpus itself, or a file of its first `limit` lines."""
    if limit is None:
        return source
    target = folder / source.name.replace(".gz", "")
    with gzip.open(source, "rt", encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for number, line in enumerate(lines):
            if number >= limit:
                break
            out.write(line)
    return target


@contextmanager
def kept_or_temporary(workdir: Path | None, corpus: str, limit: int | None) -> Iterator[Path]:
    """A corpus's folder under workdir (kept), or a temporary one (removed after)."""
    if workdir is None:
        with tempfile.TemporaryDirectory() as temporary:
            yield Path(temporary)
        return
    folder = workdir / f"{corpus.split('.')[0]}-{limit or 'all'}"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder


def folder_size(folder: Path) -> int:
    """Bytes of every file under a folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def measure(corpus: Path, workdir: Path, limit: int | None, workers: int) -> dict:
    """Ingest (unless workdir holds the store), index from the store, index bare."""
    instance = Instance(workdir / "instance")
    shutil.rmtree(instance.index_path, ignore_errors=True)
    for name in ("warm-up", "bare", "bare-same"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    store = instance.open_store()
    try:
        began = time.perf_counter()
        if not store.last_seq():
            Ingester(store, detect_language=False).ingest(
                [str(limited_copy(corpus, workdir, limit))])
        ingest_seconds = time.perf_counter() - began
        items = [(d.id, d.title or "", d.text) for d in store.iter_all()]
        # Whoosh's first few hundred documents run slower: warm up before timing either side.
        bare_index(workdir / "warm-up", items[:WARM_UP])
        began = time.process_time()
        count = SearchIndex(instance.index_path).rebuild(store, workers=1)
        ours = time.process_time() - began
        size_one = folder_size(instance.index_path)
        began, began_cpu = time.perf_counter(), cpu_seconds()
        SearchIndex(instance.index_path).rebuild(store, workers=workers)
        pool, pool_cpu = time.perf_counter() - began, cpu_seconds() - began_cpu
    finally:
        store.close()
    bare, bare_same = (timed_bare(workdir / name, items, same)
                       for name, same in (("bare", False), ("bare-same", True)))
    raw = sum(len(title.encode()) + len(text.encode()) for _, title, text in items)
    return {"corpus": corpus.name.split(".")[0], "docs": count, "ingest": ingest_seconds,
            "ours": ours, "pool": pool, "pool_cpu": pool_cpu, "bare": bare,
            "bare_same": bare_same, "raw": raw, "index_one": size_one,
            "index": folder_size(instance.index_path), "bare_size": folder_size(workdir / "bare")}


def timed_bare(folder: Path, items: list, same_analysis: bool) -> float:
    """CPU seconds to build a bare index of the items."""
    began = time.process_time()
    bare_index(folder, items, same_analysis)
    return time.process_time() - began


def _rate(row: dict, key: str) -> str:
    """Documents per second of one measured time."""
    return f"{row['docs'] / row[key]:,.0f}"


def table(rows: list[dict], workers: int) -> str:
    """Format the measurements as Markdown tables: speed, then size."""
    head = (f"| corpus | docs | ours, 1 process docs/s (CPU) | ours, {workers} workers docs/s "
            "(wall) | CPU s of that build | bare docs/s (CPU) | ours 1 process / bare time "
            f"| ours {workers} workers / bare time | bare, our analysis docs/s "
            "| ours 1 process / that time |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append(
            f"| {r['corpus']} | {r['docs']:,} | {_rate(r, 'ours')} | {_rate(r, 'pool')} "
            f"| {r['pool_cpu']:.1f} | {_rate(r, 'bare')} | {r['ours'] / r['bare']:.2f} "
            f"| {r['pool'] / r['bare']:.2f} | {_rate(r, 'bare_same')} "
            f"| {r['ours'] / r['bare_same']:.2f} |")
    head = (f"| corpus | raw text MB | index MB, 1 process | index MB, {workers} workers "
            "| index/raw (workers) | bare MB | bare/raw |")
    lines += ["", head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append(
            f"| {r['corpus']} | {r['raw'] / MB:.1f} | {r['index_one'] / MB:.1f} "
            f"| {r['index'] / MB:.1f} | {r['index'] / r['raw']:.2f} "
            f"| {r['bare_size'] / MB:.1f} | {r['bare_size'] / r['raw']:.2f} |")
    return "\n".join(lines)


def total_row(rows: list[dict]) -> dict:
    """Sum the corpora into one row."""
    keys = ("docs", "ingest", "ours", "pool", "pool_cpu", "bare", "bare_same", "raw",
            "index_one", "index", "bare_size")
    return {"corpus": "all", **{k: sum(r[k] for r in rows) for k in keys}}


def main() -> None:
    """Measure every shared corpus (or its first --limit records) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="records per corpus (default all)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the ingested stores here and reuse them (default: temporary)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help=f"folder of the shared corpora (default {CORPUS})")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="worker processes of the second build (default: one per core)")
    args = parser.parse_args()
    missing = [name for name in CORPORA if not (args.corpus / name).exists()]
    if missing:
        sys.exit(f"shared corpora not found in {args.corpus}: {', '.join(missing)}")
    rows = []
    for name in CORPORA:
        with kept_or_temporary(args.workdir, name, args.limit) as workdir:
            rows.append(measure(args.corpus / name, workdir, args.limit, args.workers))
            row = rows[-1]
            print(f"{name}: {row['docs']} documents (ingest took {row['ingest']:.1f} s, not part "
                  f"of the comparison); ours {_rate(row, 'ours')} docs/s in one process, "
                  f"{_rate(row, 'pool')} with {args.workers} workers, bare "
                  f"{_rate(row, 'bare')}, index/raw {row['index'] / row['raw']:.2f}",
                  file=sys.stderr, flush=True)
    print(f"Indexing from the store vs bare Whoosh (CPU seconds); writer {WRITER_OPTIONS}, "
          "one commit each.")
    print("Corpora ingested first with Ingester(detect_language=False) to save time; "
          f"{'all records' if args.limit is None else f'first {args.limit} records'} per corpus.")
    print(table(rows + [total_row(rows)], args.workers))
    total = total_row(rows)
    print(f"Targets (issue 15): build >= 300 docs/s (now {_rate(total, 'pool')} with "
          f"{args.workers} workers, {_rate(total, 'ours')} in one process), "
          f"index <= 3x raw text (now {total['index'] / total['raw']:.2f}x).")


if __name__ == "__main__":
    main()
