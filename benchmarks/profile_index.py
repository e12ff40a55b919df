"""Where an index build's time goes: per stage and per field, on documents of a store.

Stages, each timed alone over the same documents (first --limit of the store):
reading the store (rows to Documents), mapping to fields (document_fields, with the
near-duplicate signature and the facet keys), analysis of each text field (the analyzer
alone, then with Whoosh's posting encoding), Whoosh's add_document (analysis included),
and the commit (writing the segment). Then the top functions of a cProfile of the
add + commit, and the index's bytes per file kind.

    python benchmarks/profile_index.py STORE [--limit 5000] [--top 25]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import Counter
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index as whoosh_index  # noqa: E402

from indexer.engine.whoosh.index import WRITER_OPTIONS  # noqa: E402
from indexer.engine.whoosh.schema import build_schema, document_fields  # noqa: E402
from indexer.search.near_duplicates import signature  # noqa: E402
from indexer.store import Store  # noqa: E402


def timed(action) -> tuple[float, object]:
    """CPU seconds an action took (this process: the machine may be shared), and its value."""
    began = time.process_time()
    value = action()
    return time.process_time() - began, value


def analysis_seconds(schema, field: str, values: list[str]) -> tuple[float, float]:
    """The analyzer alone, then the field's index() (analysis + posting encoding)."""
    analyzer = schema[field].analyzer
    alone, _ = timed(lambda: [sum(1 for _ in analyzer(v, mode="index", positions=True))
                              for v in values])
    encoded, _ = timed(lambda: [list(schema[field].index(v)) for v in values])
    return alone, encoded


def build(folder: Path, fields: list[dict]) -> tuple[float, float]:
    """Seconds of add_document for every document, then of the commit."""
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = ix.writer(**WRITER_OPTIONS)
    adding, _ = timed(lambda: [writer.add_document(**f) for f in fields])
    committing, _ = timed(writer.commit)
    return adding, committing


def bytes_by_kind(folder: Path) -> Counter:
    """Index bytes per file kind (Whoosh names segment files by what they hold)."""
    sizes: Counter = Counter()
    for path in folder.iterdir():
        sizes[path.suffix or path.name] += path.stat().st_size
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store", type=Path, help="a store.sqlite3 holding ingested documents")
    parser.add_argument("--limit", type=int, default=5000, help="documents (default 5000)")
    parser.add_argument("--top", type=int, default=25, help="functions of the profile shown")
    args = parser.parse_args()
    if not args.store.exists():
        sys.exit(f"no store at {args.store}")
    store = Store(args.store, readonly=True)
    reading, docs = timed(lambda: list(islice(store.iter_all(), args.limit)))
    store.close()
    mapping, fields = timed(lambda: [document_fields(d) for d in docs])
    signing, _ = timed(lambda: [signature(d.title, d.text) for d in docs])
    schema = build_schema()
    rows = [("read the store", reading), ("map to fields (all)", mapping),
            ("  of which near-dup signature", signing)]
    for field in ("title", "text"):
        alone, encoded = analysis_seconds(schema, field, [d.__dict__[field] or "" for d in docs])
        rows += [(f"analysis {field} (analyzer alone)", alone),
                 (f"analysis {field} + posting encoding", encoded)]
    with tempfile.TemporaryDirectory() as folder:
        adding, committing = build(Path(folder), fields)
        sizes = bytes_by_kind(Path(folder))
    rows += [("add_document (analysis included)", adding), ("commit (write segment)", committing)]
    build_total = reading + mapping + adding + committing
    raw = sum(len((d.title or "").encode()) + len((d.text or "").encode()) for d in docs)
    print(f"{len(docs):,} documents, {raw / 1e6:.1f} MB of titles and texts; "
          f"read + map + add + commit = {build_total:.1f} s ({len(docs) / build_total:,.0f} docs/s)")
    print("| stage | CPU seconds | share of build |\n|---|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / build_total:.0%} |")
    print("\n| index file kind | MB | per raw byte |\n|---|---|---|")
    for kind, size in sizes.most_common():
        print(f"| {kind} | {size / 1e6:.2f} | {size / raw:.2f} |")
    print(f"| all | {sum(sizes.values()) / 1e6:.2f} | {sum(sizes.values()) / raw:.2f} |")
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as folder:
        profiler.runcall(build, Path(folder), [document_fields(d) for d in docs])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print("\ncProfile of add_document + commit, by own time:")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[-6000:])


if __name__ == "__main__":
    main()
