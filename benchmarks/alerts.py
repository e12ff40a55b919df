"""Alert matching speed: the presearcher + in-memory way against the plain way.

Setup (kept in --workdir and reused): the three shared JSON Lines corpora (about 46,000
documents) ingested, language detection off (not what is measured), and indexed; the
last BATCH documents of the store are the "new" batch (stored and indexed too, as they are
when matching runs after an ingest: the plain way needs them in the main index).

Saved searches: generated from real words of the corpora by tests/alerts_searches.py
(single words, ANDs, phrases, ORs, NOTs, trailing wildcards, title:, facet filters kept and
left out, fixed and relative date bounds), seeded.

Measured, each in a fresh process (which also reports its peak memory, RSS):
  presearcher way  engine.match_new(searches, batch): candidate searches over an
                   in-memory Whoosh index of the batch; cold (queries compiled in the run,
                   as every matching run does) and warm (a second run of the same process)
  plain way        engine.match_in_index(searches, batch): every search over the main
                   index, its matches kept to the batch's documents

    python benchmarks/alerts.py [--workdir DIR] [--searches 10000,1000] [--batch 1000]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.engine import SavedQuery  # noqa: E402
from indexer.ingest.ingester import Ingester  # noqa: E402
from indexer.instance import Instance  # noqa: E402
from indexer.search.params import SearchParams  # noqa: E402
from tests.alerts_searches import generate  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")
TODAY = date(2026, 3, 10)
SAMPLE = 5000          # documents the searches' words are drawn from


def build(workdir: Path) -> Instance:
    """Ingest and index the corpora once; later runs reuse the instance."""
    instance = Instance(workdir / "instance")
    done = workdir / "built.json"
    if not done.exists():
        store = instance.open_store()
        began = time.perf_counter()
        Ingester(store, detect_language=False).ingest([str(CORPUS / name) for name in CORPORA])
        ingest_s = time.perf_counter() - began
        engine = instance.open_engine()
        began = time.perf_counter()
        engine.catch_up(store)
        done.write_text(json.dumps({"documents": sum(store.count_by_kind().values()),
                                    "ingest_s": ingest_s,
                                    "index_s": time.perf_counter() - began}))
        engine.close()
        store.close()
    return instance


def measure(workdir: Path, way: str, count: int, batch_size: int) -> dict:
    """One way over one batch in this process: seconds, hits, candidates, peak RSS."""
    instance = Instance(workdir / "instance")
    store = instance.open_store()
    last = store.last_seq()
    batch = list(store.iter_since(last - batch_size))
    step = max(1, (last - batch_size) // SAMPLE)
    sample = [doc for doc in store.iter_all() if doc.seq <= last - batch_size and doc.seq % step == 0]
    store.close()
    searches = [SavedQuery(n, SearchParams.from_args(args).resolved(TODAY))
                for n, args in enumerate(generate(sample, count))]
    del sample
    engine = instance.open_engine()
    match = engine.match_new if way == "presearcher" else engine.match_in_index
    if way == "plain":
        engine.match_in_index(searches[:1], batch[:1])     # open the searcher and its tables
    began = time.perf_counter()
    found = match(searches, batch)
    cold = time.perf_counter() - began
    result = {"way": way, "searches": count, "batch": len(batch), "cold_s": cold,
              "hits": sum(len(v) for v in found.values()) if isinstance(found, dict)
              else sum(len(v) for v in found.hits.values()),
              "candidates_per_doc": found.candidates / len(batch)}
    if way == "presearcher":
        began = time.perf_counter()
        match(searches, batch)
        result["warm_s"] = time.perf_counter() - began
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.close()
    return result


def child(workdir: Path, way: str, count: int, batch: int) -> dict:
    """measure() in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--workdir", str(workdir), "--measure", way,
                           "--searches", str(count), "--batch", str(batch)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/media-monitor-bench-alerts"))
    parser.add_argument("--searches", default="10000,1000")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--measure", choices=("presearcher", "plain"))
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.workdir, args.measure, int(args.searches), args.batch)))
        return
    build(args.workdir)
    print(f"setup: {json.loads((args.workdir / 'built.json').read_text())}")
    print("| saved searches | batch | presearcher cold s | warm s | plain s | plain / presearcher "
          "| candidates per doc | hits | peak RSS MB (pre / plain) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for count in (int(n) for n in args.searches.split(",")):
        fast = child(args.workdir, "presearcher", count, args.batch)
        plain = child(args.workdir, "plain", count, args.batch)
        if fast["hits"] != plain["hits"]:
            print(f"hits differ: {fast['hits']} against {plain['hits']}")
        print(f"| {count:,} | {fast['batch']:,} | {fast['cold_s']:.2f} | {fast['warm_s']:.2f} | "
              f"{plain['cold_s']:.2f} | {plain['cold_s'] / fast['cold_s']:.1f}x | "
              f"{fast['candidates_per_doc']:.0f} (of {count:,}) | {fast['hits']:,} | "
              f"{fast['peak_rss_mb']:.0f} / {plain['peak_rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
