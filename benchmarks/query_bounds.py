"""The slowest query the parser accepts, at 100k documents: the work a hostile query can ask.

Ranges are accepted only on `date:` and every wildcard expands to at most 256 words, so a
query's work is bounded by what it names. This probes the shapes that cost most: wildcards
near the bound, long OR lists, phrases with wide slop, negations of frequent words, open
date ranges, deep nesting, the longest query allowed; each runs through the service call
(Search JSON: facets, histogram, snippets, near-duplicates). The baseline is the plain
one-word query `oil` in the same run.

    python benchmarks/query_bounds.py [--workdir DIR] [--size 100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.instance import Instance  # noqa: E402
from indexer.search.params import SearchParams  # noqa: E402
from indexer.search.query_language import QueryError  # noqa: E402
from indexer.service import Monitor  # noqa: E402

FREQUENT = ["said", "the", "and", "year", "pct", "في", "من", "در", "به"]


def probes() -> dict[str, list[str]]:
    """Query shapes, by family, all meant to be accepted (refusals are counted apart)."""
    letters = "abcdefghijklmnoprstuw"
    return {
        "plain word (baseline)": ["oil"],
        "wildcard, two letters": [f"{a}{b}*" for a in "scmpt" for b in "aeiou"],
        "wildcard, three letters": [f"{a}{b}{c}*" for a in "scp" for b in "aeo" for c in "nrt"],
        "OR of 100 frequent words": [" OR ".join(FREQUENT * 11 + ["oil"])],
        "OR of 60 wildcards": [" OR ".join(f"{a}{b}{c}*" for a in letters[:4]
                                          for b in "aeio" for c in "nrt")[:999]],
        "phrase, slop 50": ['"said the"~50', '"oil year"~50', '"في من"~50'],
        "NOT frequent words": ["-said", "-the -and -pct", "oil -said -the -year"],
        "open date range": ["date:>=1800", "date:[* TO *]", "date:<2100"],
        "nested 40 deep": ["(" * 40 + "oil" + ")" * 40],
        "longest query (1,000 chars)": [("said OR " * 125)[:996] + "oil"],
    }


def run(monitor: Monitor, query: str) -> tuple[float, int] | None:
    """Milliseconds and total of one search; None when the query is refused."""
    try:
        params = monitor.params({"q": query})
        began = time.perf_counter()
        total = monitor.search(params)["total"]
    except QueryError:
        return None
    return (time.perf_counter() - began) * 1000, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/media-monitor-search-bench")
    parser.add_argument("--size", type=int, default=100000)
    args = parser.parse_args()
    home = Path(args.workdir) / f"size-{args.size}" / "instance"
    monitor = Monitor(Instance(home))
    monitor.search(SearchParams(query="warm"))
    baseline = statistics.median(run(monitor, "oil")[0] for _ in range(5))
    print(f"{monitor.stats()['documents']:,} documents; baseline `oil` {baseline:.1f} ms\n")
    print("| family | queries | refused | slowest accepted ms | x baseline | its matches |")
    print("|---|---|---|---|---|---|")
    slowest = (0.0, "", 0)
    for family, queries in probes().items():
        outcomes = [(run(monitor, q), q) for q in queries]
        accepted = [(o[0], q, o[1]) for o, q in outcomes if o is not None]
        refused = len(queries) - len(accepted)
        if not accepted:
            print(f"| {family} | {len(queries)} | {refused} | - | - | - |")
            continue
        worst = max(accepted)
        slowest = max(slowest, worst)
        print(f"| {family} | {len(queries)} | {refused} | {worst[0]:.0f} | "
              f"{worst[0] / baseline:.1f} | {worst[2]:,} |")
    print(f"\nslowest accepted: {slowest[0]:.0f} ms for `{slowest[1][:80]}`")


if __name__ == "__main__":
    main()
