"""Search speed at 25k, 50k and 100k documents: the project's search vs SQLite FTS5.

Documents: the three shared JSON Lines corpora (English, Arabic, Persian news; 46,786
distinct documents), shuffled together with a fixed seed. Sizes beyond them add copies
whose title and paragraphs have their words shuffled (seeded) and a new id: the same
vocabulary and lengths, but no 4-word shingle in common, so near-duplicate collapsing
(still on) does not fold them into their originals. Each size is ingested into its own
instance (language detection off: not what is measured) and indexed; the instances are
kept in --workdir and reused by later runs.

Queries: 300 of 1-3 words drawn from random documents among the words whose document
frequency is 0.1%-5% of the index (estimated on a 5,000-document sample), and 50 single
frequent words (over 10%), reported apart. Every query runs on both engines in the same
process run, after one warm-up query that builds the per-searcher tables:

  (a) top 10: the ten best documents (id and title);
  (b) top 10 + snippets + five facets + histogram: ours is `Monitor.search` (indexer.service)
      (which also collapses near-duplicates); FTS5 materialises the matching rowids,
      takes the ten best by bm25 with snippet(), counts each facet over the matches
      (top 20 values and how many more) and counts matches per day, bucketed by the
      same histogram function.

Each engine is measured in a fresh process, which also reports its peak memory (RSS).
Then a new process per run opens the engine and answers one query (b) and exits: its wall
time, interpreter start and imports included, is what every `manage.py search` pays (the
median of --fresh runs, after the measurements above, so the OS cache is warm and the
index's column cache files are written). `--build-only` stops after building.

    python benchmarks/search.py [--sizes 25000,50000,100000] [--workdir DIR] [--queries N]
                                [--fresh 5] [--build-only]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The project's modules are imported where used: a fresh process answering one query
# (--first) imports only what that engine's search needs.

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")
WORD = re.compile(r"[^\W\d_]{3,}")
SAMPLE = 5000
RARE, COMMON, FREQUENT = 0.001, 0.05, 0.10
FACET_LIMIT = 20


# ---- documents and instances ---------------------------------------------------------

def real_records() -> list[dict]:
    """Every record of the three corpora, shuffled together with a fixed seed."""
    items = []
    for name in CORPORA:
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as lines:
            items.extend(json.loads(line) for line in lines if line.strip())
    random.Random(1).shuffle(items)
    return items


def shuffled_copy(record: dict, number: int) -> dict:
    """A copy with the words of its title and of each paragraph shuffled, and a new id."""
    rng = random.Random(f"{record['id']}#{number}")

    def shuffle(text: str | None) -> str | None:
        if not text:
            return text
        lines = []
        for line in text.split("\n"):
            words = line.split()
            rng.shuffle(words)
            lines.append(" ".join(words))
        return "\n".join(lines)

    return record | {"id": f"{record['id']}#copy{number}", "url": None,
                     "title": shuffle(record.get("title")), "text": shuffle(record.get("text"))}


def records_for(size: int, real: list[dict]) -> list[dict]:
    """The first `size` records of the real ones followed by as many copies as needed."""
    items = real[:size]
    number = 1
    while len(items) < size:
        items.extend(shuffled_copy(r, number) for r in real[:size - len(items)])
        number += 1
    return items


def build_instance(folder: Path, size: int, real: list[dict]) -> dict:
    """Ingest, index and copy into FTS5 `size` records in folder; return the build times.

    Each step is skipped when a previous run finished it, so a changed index (another
    schema, another writer option: delete `instance/index`) is rebuilt from the kept store.
    """
    from indexer.engine.whoosh.index import SearchIndex
    from indexer.ingest.ingester import Ingester
    from indexer.instance import Instance

    instance = Instance(folder / "instance")
    record = folder / "built.json"
    built = json.loads(record.read_text()) if record.exists() else {}
    store = instance.open_store()
    try:
        if "ingest_s" not in built:
            source = folder / "records.jsonl"
            with open(source, "w", encoding="utf-8") as out:
                for item in records_for(size, real):
                    out.write(json.dumps(item, ensure_ascii=False) + "\n")
            began = time.perf_counter()
            report = Ingester(store, detect_language=False).ingest([str(source)])
            built["ingest_s"] = time.perf_counter() - began
            if any(f.error for f in report.files):
                sys.exit(f"ingest of {size:,} records failed: {report.files[0].error}")
            source.unlink()
        index = SearchIndex(instance.index_path)
        if index.seq() != store.last_seq():
            began = time.perf_counter()
            built["documents"] = index.rebuild(store)
            built["index_s"] = time.perf_counter() - began
        if not (folder / "fts.sqlite").exists():
            build_fts(store, folder / "fts.sqlite")
    finally:
        store.close()
    record.write_text(json.dumps(built))
    return built


def build_fts(store, path: Path) -> None:
    """The same stored documents in SQLite FTS5, with facet and day tables beside it."""
    from indexer.engine.fields import day_number, facet_values, is_dated

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, day INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE facets (doc INTEGER, facet TEXT, value TEXT);
    """)
    for rowid, doc in enumerate(store.iter_all(), start=1):
        day = day_number(doc.published.date()) if is_dated(doc) else None
        db.execute("INSERT INTO docs VALUES (?, ?, ?, ?)", (rowid, doc.id, doc.title, day))
        db.execute("INSERT INTO fts (rowid, title, text) VALUES (?, ?, ?)",
                   (rowid, doc.title or "", doc.text or ""))
        db.executemany("INSERT INTO facets VALUES (?, ?, ?)",
                       [(rowid, facet, value) for facet, values in facet_values(doc).items()
                        for value in dict.fromkeys(values)])
    db.execute("CREATE INDEX facets_doc ON facets (doc, facet)")
    db.commit()
    db.close()


# ---- queries ---------------------------------------------------------------------------

def draw_queries(records: list[dict], count: int, seed: int = 5) -> tuple[list[str], list[str]]:
    """Queries of 1-3 mid-frequency words from random documents, and frequent single words."""
    rng = random.Random(seed)
    sample = rng.sample(records, min(SAMPLE, len(records)))
    words_of = [set(WORD.findall(f"{r.get('title') or ''} {r.get('text') or ''}".lower()))
                for r in sample]
    frequency = Counter(w for words in words_of for w in words)
    share = {w: n / len(sample) for w, n in frequency.items()}
    queries = []
    while len(queries) < count:
        words = sorted(w for w in rng.choice(words_of) if RARE <= share[w] <= COMMON)
        if words:
            queries.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 3)))))
    frequent = sorted(w for w, s in share.items() if s > FREQUENT)
    return queries, [rng.choice(frequent) for _ in range(50)]


# ---- measuring (in a fresh process per engine) ---------------------------------------

def timed(run, queries: list[str]) -> tuple[list[float], list[float], list[int]]:
    """Milliseconds per query (wall and this process's CPU) and the match counts.

    The CPU time leaves out the waits of a machine shared with other work.
    """
    times, cpu, totals = [], [], []
    for query in queries:
        began, began_cpu = time.perf_counter(), time.process_time()
        totals.append(run(query))
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return times, cpu, totals


def measure_ours(folder: Path, sets: dict[str, list[str]]) -> dict:
    from indexer.engine.whoosh.query import build_query
    from indexer.instance import Instance
    from indexer.search.params import SearchParams
    from indexer.service import Monitor

    began = time.perf_counter()
    monitor = Monitor(Instance(folder / "instance"))
    monitor.search(SearchParams(query="warm"))       # opens and reads the column tables
    warm = (time.perf_counter() - began) * 1000
    searcher = monitor.engine.searchers.current()
    table = monitor.engine.columns.table(searcher)

    def top(query: str) -> int:
        # The index stores nothing (schema 8): the ids come from the id column's table.
        hits = searcher.search(build_query(SearchParams(query=query)), limit=10)
        return len([table.ids[hit.docnum] for hit in hits])

    def full(query: str) -> int:
        params = SearchParams(query=query, limit=10, facet_limit=FACET_LIMIT)
        return monitor.search(params)["total"]     # the service call: the whole Search JSON

    return run_sets(sets, top, full, warm)


def measure_fts(folder: Path, sets: dict[str, list[str]]) -> dict:
    began = time.perf_counter()
    db = sqlite3.connect(folder / "fts.sqlite")
    db.execute("SELECT count(*) FROM fts WHERE fts MATCH 'warm'").fetchall()
    warm = (time.perf_counter() - began) * 1000

    def top(query: str) -> int:
        rows = db.execute("SELECT docs.id, docs.title FROM fts JOIN docs ON docs.rowid = fts.rowid "
                          "WHERE fts MATCH ? ORDER BY rank LIMIT 10", (match(query),)).fetchall()
        return len(rows)

    return run_sets(sets, top, lambda query: fts_full(db, query), warm)


def match(query: str) -> str:
    """The FTS5 query of our words: each one quoted, all required."""
    return " ".join('"' + w.replace('"', "") + '"' for w in query.split())


def fts_full(db, query: str) -> int:
    """(b) on FTS5: top 10 with snippets, five facets and the histogram over the matches."""
    from indexer.search.facets import FACETS
    from indexer.search.histogram import day_from_number, histogram

    db.execute("DROP TABLE IF EXISTS temp.m")
    db.execute("CREATE TEMP TABLE m AS SELECT rowid AS doc, rank FROM fts WHERE fts MATCH ?",
               (match(query),))
    total = db.execute("SELECT count(*) FROM m").fetchone()[0]
    db.execute("SELECT docs.id, docs.title, snippet(fts, 1, '<mark>', '</mark>', '…', 30) "
               "FROM fts JOIN docs ON docs.rowid = fts.rowid WHERE fts MATCH ? "
               "ORDER BY rank LIMIT 10", (match(query),)).fetchall()
    facets = {}
    for facet in FACETS:
        counts = db.execute("SELECT value, count(*) AS n FROM m JOIN facets ON facets.doc = m.doc "
                            "AND facets.facet = ? GROUP BY value ORDER BY n DESC, value",
                            (facet,)).fetchall()
        facets[facet] = {"values": counts[:FACET_LIMIT], "more": max(0, len(counts) - FACET_LIMIT)}
    per_day = db.execute("SELECT day, count(*) FROM m JOIN docs ON docs.rowid = m.doc "
                         "GROUP BY day").fetchall()
    undated = sum(n for day, n in per_day if day is None)
    facets["histogram"] = histogram({day_from_number(d): n for d, n in per_day if d is not None}, undated)
    return total      # facets and dates: the parts of the JSON ours builds, built alike


def first_answer(engine: str, folder: Path, query: str) -> None:
    """Open the engine and answer one query (b), as a new `manage.py search` process does."""
    if engine == "ours":
        from indexer.instance import Instance
        from indexer.search.params import SearchParams
        from indexer.service import Monitor

        Monitor(Instance(folder / "instance")).search(
            SearchParams(query=query, limit=10, facet_limit=FACET_LIMIT))
    else:
        fts_full(sqlite3.connect(folder / "fts.sqlite"), query)


def fresh_process_ms(engine: str, folder: Path, query: str, runs: int) -> tuple[float, float]:
    """The median wall and CPU (user + system) times of new processes that open the
    engine and answer one query.

    The children load compiled bytecode as an installed project does (kept under the
    workdir, whatever PYTHONDONTWRITEBYTECODE says); an untimed first run writes it.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(folder.parent / "pycache")
    times, cpu = [], []
    for run in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--first", engine, str(folder), query],
                             capture_output=True, text=True, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode:
            sys.exit(f"a fresh {engine} process on {folder} failed:\n{out.stderr}")
        if run:
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return statistics.median(times), statistics.median(cpu)


def run_sets(sets: dict[str, list[str]], top, full, warm: float) -> dict:
    result = {"warm_ms": warm}
    for name, queries in sets.items():
        top_times, _, _ = timed(top, queries)
        full_times, full_cpu, totals = timed(full, queries)
        result[name] = {"top": top_times, "full": full_times, "full_cpu": full_cpu,
                        "matches": statistics.mean(totals)}
    result["rss_mb"], result["anon_mb"] = memory_mb()
    return result


def memory_mb() -> tuple[float, float]:
    """This process's peak resident memory and its private (anonymous) part now.

    ru_maxrss would include the parent's (Linux carries it over fork and exec); VmHWM is
    this program's own. Whoosh maps the index files, so the peak counts the pages of the
    index it touched (shared page cache); RssAnon is the memory the process itself holds.
    """
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "RssAnon"):
            fields[name] = int(value.split()[0]) / 1024
    peak = fields.get("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return peak, fields.get("RssAnon", peak)


def measure_in_child(engine: str, folder: Path, sets: dict) -> dict:
    """Run one engine's measurements in a fresh Python process (clean memory figure)."""
    job = folder / f"{engine}-queries.json"
    job.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, __file__, "--measure", engine, str(folder)],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"measuring {engine} in {folder} failed:\n{out.stderr}")
    return json.loads(out.stdout)


# ---- report ----------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def fresh(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.0f} ({figures[1]:.0f})"


def report(rows: list[tuple[int, dict, dict, dict]]) -> None:
    print("| docs | queries | avg matches ours / FTS5 | (a) top 10 p50 / p95 ms: ours | FTS5 | "
          "p95 ratio | (b) + snippets, 5 facets, histogram p50 / p95 ms: ours | FTS5 | p95 ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size, _built, ours, fts in rows:
        for name in ("mid-frequency", "frequent"):
            o, f = ours[name], fts[name]
            cells = [f"{size:,}", f"{name} ({len(o['top'])})",
                     f"{o['matches']:,.0f} / {f['matches']:,.0f}"]
            for kind in ("top", "full"):
                cells += [f"{percentile(o[kind], .5):.1f} / {percentile(o[kind], .95):.1f}",
                          f"{percentile(f[kind], .5):.1f} / {percentile(f[kind], .95):.1f}",
                          f"{percentile(o[kind], .95) / max(percentile(f[kind], .95), 1e-6):.1f}"]
            print("| " + " | ".join(cells) + " |")
    print()
    print("| docs | queries | (b) CPU time p50 / p95 ms: ours | FTS5 | p95 ratio |")
    print("|---|---|---|---|---|")
    for size, _built, ours, fts in rows:
        for name in ("mid-frequency", "frequent"):
            o, f = ours[name]["full_cpu"], fts[name]["full_cpu"]
            print(f"| {size:,} | {name} | {percentile(o, .5):.1f} / {percentile(o, .95):.1f} | "
                  f"{percentile(f, .5):.1f} / {percentile(f, .95):.1f} | "
                  f"{percentile(o, .95) / max(percentile(f, .95), 1e-6):.1f} |")
    print()
    print("| docs | ingest s | index s | in-process open + first query ms: ours / FTS5 | "
          "fresh process, open + one mid-frequency (b) ms, wall (CPU): ours / FTS5 | "
          "fresh process, open + one frequent word (b) ms, wall (CPU): ours / FTS5 | "
          "peak RSS MB (incl. mapped index pages): ours / FTS5 | private RSS MB: ours / FTS5 |")
    print("|---|---|---|---|---|---|---|---|")
    for size, built, ours, fts in rows:
        print(f"| {size:,} | {built['ingest_s']:.0f} | {built['index_s']:.0f} | "
              f"{ours['warm_ms']:.0f} / {fts['warm_ms']:.0f} | "
              f"{fresh(ours['fresh_mid_ms'])} / {fresh(fts['fresh_mid_ms'])} | "
              f"{fresh(ours['fresh_frequent_ms'])} / {fresh(fts['fresh_frequent_ms'])} | "
              f"{ours['rss_mb']:.0f} / {fts['rss_mb']:.0f} | {ours['anon_mb']:.0f} / {fts['anon_mb']:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--workdir", default="/tmp/media-monitor-search-bench")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--fresh", type=int, default=5, help="fresh-process runs per figure")
    parser.add_argument("--build-only", action="store_true", help="build the instances, measure nothing")
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--first", nargs=3, metavar=("ENGINE", "FOLDER", "QUERY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first:
        first_answer(args.first[0], Path(args.first[1]), args.first[2])
        return
    if args.measure:
        engine, folder = args.measure[0], Path(args.measure[1])
        sets = json.loads((folder / f"{engine}-queries.json").read_text(encoding="utf-8"))
        measure = measure_ours if engine == "ours" else measure_fts
        print(json.dumps(measure(folder, sets)))
        return
    real = real_records()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = Path(args.workdir) / f"size-{size}"
        folder.mkdir(parents=True, exist_ok=True)
        print(f"building {size:,} documents in {folder} ...", file=sys.stderr, flush=True)
        built = build_instance(folder, size, real)
        if args.build_only:
            continue
        mid, frequent = draw_queries(records_for(size, real), args.queries)
        sets = {"mid-frequency": mid, "frequent": frequent}
        print(f"measuring {size:,} ...", file=sys.stderr, flush=True)
        measured = {engine: measure_in_child(engine, folder, sets) for engine in ("ours", "fts")}
        for engine, figures in measured.items():     # the queries: the first of each set
            figures["fresh_mid_ms"] = fresh_process_ms(engine, folder, mid[0], args.fresh)
            figures["fresh_frequent_ms"] = fresh_process_ms(engine, folder, frequent[0], args.fresh)
        rows.append((built["documents"], built, measured["ours"], measured["fts"]))
    if rows:
        report(rows)


if __name__ == "__main__":
    main()
