"""SIGKILL safety: an ingest killed at any point and run again stores every document exactly once.

The input: the head of the Reuters corpus, Fars News (its repeats included) and a page of
our own with more briefs than one batch (500) holds. A child process runs the ingest through
the library (tests/killed_run.py) and SIGKILLs itself from the library's callbacks at four
points: inside the very first transaction, after the batch commit that passes the middle of
Reuters, inside the transaction that writes the middle of Fars, and after the commit that
passes the first 500 briefs. Then `manage.py ingest` runs to completion, and a third time
to show it has nothing left to do. The short input runs in CI; the full one is `long`.
"""
from __future__ import annotations

import gzip
import itertools
import json
import random
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from corpus.jsonl import read_jsonl
from corpus.pages import read_page
from corpus.problems import Problem
from tests.helpers import CORPUS, FARSNEWS, REUTERS, killed_run, manage, stats_json

BRIEFS = 1200            # more than one ingest batch (500), so a kill can fall between them
BATCH = 500

pytestmark = pytest.mark.skipif(not (REUTERS.is_file() and FARSNEWS.is_file()),
                                reason=f"the real corpus of DATA.md is not at {CORPUS}")


@dataclass(frozen=True)
class Size:
    """How much of the corpora one version of the test reads, and what that holds."""

    reuters_lines: int
    fars_lines: int | None          # None: the whole file
    fars_distinct: int              # Fars has repeated lines
    fars_repeats: int


SIZES = {
    "short": Size(reuters_lines=1000, fars_lines=800, fars_distinct=798, fars_repeats=2),
    "full": Size(reuters_lines=6000, fars_lines=None, fars_distinct=1195, fars_repeats=5),
}


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


# --- reading the store ---------------------------------------------------------------

def connect(store_path: Path, read_write: bool = False) -> sqlite3.Connection:
    if read_write:
        return sqlite3.connect(store_path)
    return sqlite3.connect(f"file:{store_path}?mode=ro", uri=True, timeout=5)


def store_rows(store_path: Path, read_write: bool = False) -> list[sqlite3.Row]:
    """Every document row; none when the store or its table does not exist yet."""
    if not store_path.exists():
        return []
    db = connect(store_path, read_write)
    db.row_factory = sqlite3.Row
    try:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return []
        return db.execute("SELECT id, kind, parent_id, title, text, seq FROM documents").fetchall()
    finally:
        db.close()


def integrity(store_path: Path, read_write: bool = False) -> str:
    db = connect(store_path, read_write)
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
        return {"exists": False, "integrity": "ok", "ids": set()}
    scratch.mkdir(parents=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        source = store_path.with_name(store_path.name + suffix)
        if source.exists():
            shutil.copyfile(source, scratch / source.name)
    copy = scratch / store_path.name
    return {"exists": True, "integrity": integrity(copy, read_write=True),
            "ids": {row["id"] for row in store_rows(copy, read_write=True)}}


# --- the killed and resumed ingest, done once per size ---------------------------------

@pytest.fixture(scope="module", params=[
    "short", pytest.param("full", marks=pytest.mark.long)])
def crash(request, tmp_path_factory):
    size = SIZES[request.param]
    folder = tmp_path_factory.mktemp(f"crash-{request.param}")
    paths = [head_of_gzip(REUTERS, folder / "reuters.jsonl", size.reuters_lines),
             head_of_gzip(FARSNEWS, folder / "farsnews.jsonl", size.fars_lines),
             write_brief_page(folder / "brief-page.txt", BRIEFS)]
    items = [item for path in paths for item in items_of(path)]
    sizes = [len({item.id for item in items_of(path)}) for path in paths]
    home = folder / "home"
    store_path = home / "store.sqlite3"

    reuters, fars, _ = sizes
    points = [("writing", 1),                            # inside the first transaction
              ("committed", reuters // 2),               # between two Reuters batches
              ("writing", reuters + fars // 2),          # inside a Fars transaction
              ("committed", reuters + fars + BATCH)]     # between two batches of briefs
    kills = []
    for number, (point, threshold) in enumerate(points):
        committed = killed_run(home, "ingest", point, threshold, *paths)
        state = inspect_killed_store(store_path, folder / f"after-kill-{number}")
        kills.append({"point": point, "threshold": threshold, "committed": committed,
                      "count": len(state["ids"]), **state})

    resumed = manage(home, "ingest", "--json", *paths)
    again = manage(home, "ingest", "--json", *paths)
    return {"size": size, "home": home, "store": store_path, "items": items, "sizes": sizes,
            "kills": kills, "resumed": resumed, "again": again}


def distinct_in_order(items: list) -> list[str]:
    return list(dict.fromkeys(item.id for item in items))


def report_of(result) -> dict:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_input_sizes(crash):
    size = crash["size"]
    assert crash["sizes"] == [size.reuters_lines, size.fars_distinct, 1 + BRIEFS]
    assert len(crash["items"]) == sum(crash["sizes"]) + size.fars_repeats


def test_each_kill_left_what_was_committed_before_it(crash):
    order = distinct_in_order(crash["items"])
    first, *others = crash["kills"]
    # Killed before the first document was written: a store with its tables and no rows.
    assert (first["exists"], first["committed"], first["count"]) == (True, [0], 0)
    for kill in crash["kills"]:
        assert kill["integrity"] == "ok"
        # Batches are stored in input order: what a kill leaves is a prefix of the input,
        # exactly as much as the last commit before the kill held.
        assert kill["count"] == kill["committed"][-1]
        assert kill["ids"] == set(order[:kill["count"]])
    for kill in others:
        if kill["point"] == "committed":
            # Killed right after the commit that passed the threshold.
            assert kill["threshold"] <= kill["count"] < kill["threshold"] + BATCH, kill["point"]
        else:
            # Killed inside the transaction writing the threshold's document: not stored.
            assert kill["threshold"] - BATCH <= kill["count"] < kill["threshold"], kill["point"]
    counts = [kill["count"] for kill in crash["kills"]]
    assert counts == sorted(counts) and counts[-1] < len(order)


def test_store_holds_every_document_exactly_once(crash):
    expected = {item.id for item in crash["items"]}
    rows = store_rows(crash["store"])
    ids = [row["id"] for row in rows]
    seqs = [row["seq"] for row in rows]
    assert len(expected) == sum(crash["sizes"])        # no id shared between the files
    assert len(rows) == len(expected)
    assert set(ids) == expected
    assert len(set(seqs)) == len(seqs)
    assert not [row["id"] for row in rows if not row["title"] and not row["text"]]
    assert integrity(crash["store"]) == "ok"


def test_stats_agree_with_the_store(crash):
    stats = stats_json(crash["home"])
    rows = store_rows(crash["store"])
    assert stats["documents"] == len(rows) == len(crash["items"]) - crash["size"].fars_repeats
    assert stats["by_kind"] == {"article": len(rows) - BRIEFS, "brief": BRIEFS}
    assert stats["store_seq"] == max(row["seq"] for row in rows)
    assert stats["index_seq"] == stats["store_seq"]


def test_resumed_ingest_completes_the_store(crash):
    report = report_of(crash["resumed"])
    assert report["new"] == sum(crash["sizes"]) - crash["kills"][-1]["count"]
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
