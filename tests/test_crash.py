"""SIGKILL safety: an ingest killed at any point and run again stores every document exactly once.

The input is large enough that an ingest takes tens of seconds: the first 6,000 Reuters
records, all of Fars News (1,200 lines, 5 of them repeats) and a page of our own with more
briefs than one batch holds. `manage.py ingest` runs as a subprocess in its own session and
its whole process group is killed with SIGKILL at several points (as soon as the store file
appears, then after the store reached N documents for 3 values of N); then the same ingest
runs to completion, and a third time to show it has nothing left to do.
"""
from __future__ import annotations

import gzip
import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus.jsonl import read_jsonl
from corpus.pages import read_page
from corpus.problems import Problem

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REUTERS_RECORDS = 6000
BRIEFS = 1200            # more than one ingest batch (500), so a kill can fall between them

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpus" / "reuters-21578.jsonl.gz").is_file(),
    reason=f"the real corpus of DATA.md is not at {SHARED / 'corpus'}")


# --- input ---------------------------------------------------------------------------

def head_of_gzip(source: Path, target: Path, lines: int | None) -> Path:
    """Copy the first lines of a gzipped JSON Lines file to a plain one."""
    with gzip.open(source, "rb") as handle:
        target.write_bytes(b"".join(itertools.islice(handle, lines)))
    return target


def write_brief_page(target: Path, briefs: int) -> Path:
    """Our own page in the page format: a title line, an article, a long brief section."""
    rng = random.Random(7)
    words = ("council budget harbour strike minister talks flood rail vote court "
             "energy prices border wheat bank report").split()
    lines = ["Crash Test Harbour Reopens | Page 3 | Test Wire", "",
             "The harbour reopened on Monday after a week of repairs to the main quay.", "",
             "Shipping agents said traffic would be back to normal by the end of the month.", "",
             "World in Brief", ""]
    for number in range(1, briefs + 1):
        teaser = " ".join(rng.choice(words) for _ in range(12))
        lines.append(f"Brief {number}: {teaser.capitalize()}...More")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def items_of(path: Path) -> list:
    """The documents the readers give for one input file (repeats included, no empty items)."""
    reader = read_page if path.suffix == ".txt" else read_jsonl
    return [item for item in reader(path.read_bytes(), str(path))
            if not isinstance(item, Problem) and (item.title or item.text)]


# --- running and killing the command -------------------------------------------------

def manage(home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run manage.py to completion."""
    return subprocess.run([sys.executable, "manage.py", "--home", str(home), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)


def start_ingest(home: Path, paths: list[Path]) -> subprocess.Popen:
    """Start an ingest in a new session, so its whole process group can be killed."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "--home", str(home), "ingest", "--json", *map(str, paths)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def read_only(store_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=5)


def stored_count(store_path: Path) -> int:
    """How many documents the store holds now, read without writing (0 before it exists)."""
    if not store_path.exists():
        return 0
    try:
        db = read_only(store_path)
        try:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError:   # no table yet, or the WAL files are being created
        return 0


def kill_when(process: subprocess.Popen, ready, timeout: float = 600) -> bool:
    """SIGKILL the process group once ready() holds; return whether it was still running."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    return running


def store_rows(store_path: Path, read_write: bool = False) -> list[sqlite3.Row]:
    """Every document row; none when the store or its table does not exist yet."""
    if not store_path.exists():
        return []
    db = sqlite3.connect(store_path) if read_write else read_only(store_path)
    db.row_factory = sqlite3.Row
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return []
        return db.execute("SELECT id, kind, parent_id, title, text, seq FROM documents").fetchall()
    finally:
        db.close()


def integrity(store_path: Path, read_write: bool = False) -> str:
    db = sqlite3.connect(store_path) if read_write else read_only(store_path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def inspect_killed_store(store_path: Path, scratch: Path) -> dict:
    """Integrity and ids of the store a kill left, read from a copy of its files.

    A kill can leave a hot journal or WAL that only a writing connection recovers; the
    copy is recovered here so that the original is left for the next ingest to recover.
    """
    if not store_path.exists():
        return {"integrity": "ok", "ids": set()}
    scratch.mkdir(parents=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        source = store_path.with_name(store_path.name + suffix)
        if source.exists():
            shutil.copyfile(source, scratch / source.name)
    copy = scratch / store_path.name
    return {"integrity": integrity(copy, read_write=True),
            "ids": {row["id"] for row in store_rows(copy, read_write=True)}}


# --- the killed and resumed ingest, done once for the module ------------------------

@pytest.fixture(scope="module")
def crash(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crash")
    corpus = SHARED / "corpus"
    paths = [head_of_gzip(corpus / "reuters-21578.jsonl.gz", folder / "reuters.jsonl", REUTERS_RECORDS),
             head_of_gzip(corpus / "farsnews.jsonl.gz", folder / "farsnews.jsonl", None),
             write_brief_page(folder / "brief-page.txt", BRIEFS)]
    items = [item for path in paths for item in items_of(path)]
    sizes = [len({item.id for item in items_of(path)}) for path in paths]
    home = folder / "home"
    store_path = home / "store.sqlite3"

    # Kill points: as soon as the store exists, mid-Reuters, mid-Fars (where the repeats
    # are), and between two batches of the brief page.
    reuters, fars, _ = sizes
    thresholds = [reuters // 2, reuters + fars // 2, reuters + fars + 500]
    points = [lambda: store_path.exists()] + [
        (lambda n: lambda: stored_count(store_path) >= n)(n) for n in thresholds]
    kills = []
    for number, ready in enumerate(points):
        running = kill_when(start_ingest(home, paths), ready)
        state = inspect_killed_store(store_path, folder / f"after-kill-{number}")
        kills.append({"running": running, "count": len(state["ids"]), **state})

    resumed = manage(home, "ingest", "--json", *map(str, paths))
    again = manage(home, "ingest", "--json", *map(str, paths))
    return {"home": home, "store": store_path, "items": items, "sizes": sizes,
            "thresholds": thresholds, "kills": kills, "resumed": resumed, "again": again}


def report_of(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_every_kill_hit_a_running_ingest_and_left_a_sound_store(crash):
    expected = {item.id for item in crash["items"]}
    counts = [kill["count"] for kill in crash["kills"]]
    assert all(kill["running"] for kill in crash["kills"]), "an ingest ended before its kill"
    assert counts == sorted(counts) and counts[-1] < len(expected), counts
    for kill, threshold in zip(crash["kills"][1:], crash["thresholds"]):
        assert kill["count"] >= threshold
    for kill in crash["kills"]:
        assert kill["integrity"] == "ok"
        assert kill["ids"] <= expected


def test_store_holds_every_document_exactly_once(crash):
    expected = {item.id for item in crash["items"]}
    rows = store_rows(crash["store"])
    ids = [row["id"] for row in rows]
    seqs = [row["seq"] for row in rows]
    assert len(expected) == sum(crash["sizes"])        # no id shared between the files
    assert crash["sizes"][1] == 1195                    # Fars: 1,200 lines, 5 repeats
    assert len(rows) == len(expected)
    assert set(ids) == expected
    assert len(set(seqs)) == len(seqs)
    assert not [row["id"] for row in rows if not row["title"] and not row["text"]]
    assert integrity(crash["store"]) == "ok"


def test_stats_agree_with_the_store(crash):
    stats = json.loads(manage(crash["home"], "stats", "--json").stdout)
    rows = store_rows(crash["store"])
    assert stats["documents"] == len(rows) == len(crash["items"]) - 5
    assert stats["by_kind"] == {"article": len(rows) - BRIEFS, "brief": BRIEFS}
    assert stats["store_seq"] == max(row["seq"] for row in rows)


def test_resumed_ingest_completes_the_store(crash):
    report = report_of(crash["resumed"])
    assert report["new"] > 0
    assert report["updated"] == 0
    assert report["new"] + report["unchanged"] == len(crash["items"])
    assert report["ok_files"] == 3


def test_third_ingest_changes_nothing(crash):
    report = report_of(crash["again"])
    assert (report["new"], report["updated"]) == (0, 0)
    assert report["unchanged"] == len(crash["items"])


def test_briefs_point_at_a_stored_article(crash):
    rows = store_rows(crash["store"])
    articles = {row["id"] for row in rows if row["kind"] == "article"}
    briefs = [row for row in rows if row["kind"] == "brief"]
    assert len(briefs) == BRIEFS
    assert {row["parent_id"] for row in briefs} <= articles
    assert len({row["parent_id"] for row in briefs}) == 1
    assert not [row["text"] for row in briefs if row["text"].endswith("More")]
