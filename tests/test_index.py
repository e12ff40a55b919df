"""The index follows the store: catch-up by seq, rebuild and swap, crashes that heal."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.engine.whoosh.index import SEQ_FILE, IndexBusy, SearchIndex, read_state
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.engine.whoosh.search import iter_matches, search

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("oil gas wheat bank rate trade deficit gold coffee copper election minister army "
         "border sanctions talks refugees currency reserves harvest drought port strike "
         "tanker pipeline budget inflation exports imports court protest summit").split()
SOURCES = ("Alpha News", "Beta Times", "Gamma Daily", "Delta Wire")


def records(count: int, seed: int = 7, start: int = 0, words=(40, 160)) -> list[dict]:
    """Seeded news-like records: some undated, some without a URL."""
    rng = random.Random(seed)
    items = []
    low, high = words
    for n in range(start, start + count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
        day = f"2020-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
        items.append({"id": f"r{n}", "url": None if n % 4 == 0 else f"https://x.example/{n}",
                      "source": SOURCES[n % 4], "title": " ".join(words[:6]).capitalize(),
                      "text": " ".join(words), "published": None if n % 10 == 0 else day})
    return items


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def ingest(instance: Instance, path: Path) -> None:
    """Ingest into the store, then catch the index up, as manage.py ingest does."""
    store = instance.open_store()
    try:
        Ingester(store, detect_language=False).ingest([str(path)])
        SearchIndex(instance.index_path).catch_up(store)
    finally:
        store.close()


def store_ids(instance: Instance) -> list[str]:
    db = sqlite3.connect(f"file:{instance.store_path}?mode=ro", uri=True)
    try:
        return [row[0] for row in db.execute("SELECT id FROM documents")]
    finally:
        db.close()


QUERIES = [{}, {"q": "oil", "limit": "200"}, {"q": "gas wheat", "sort": "oldest"},
           {"q": "tanker OR pipeline", "limit": "200"},
           {"source": "beta times", "from": "2020-03", "to": "2020-06"},
           {"exclude_source": "Alpha News", "sort": "newest", "page": "3", "limit": "20"}]


def snapshot(index: SearchIndex) -> list[dict]:
    """What a set of searches returns, for comparing two indexes."""
    with index.searcher() as searcher:
        return [search(searcher, SearchParams.from_args(q)) for q in QUERIES]


def score_free(results: list[dict]) -> list[dict]:
    """Relevance results as a set: until segments merge, Whoosh's term statistics still
    count the old versions of updated documents, so scores shift a little."""
    return [data | {"results": sorted(r["id"] for r in data["results"])}
            if SearchParams.from_args(q).sort_order == "relevance" else data
            for q, data in zip(QUERIES, results)]


def every_id(index: SearchIndex) -> list[str]:
    with index.searcher() as searcher:
        return [d["id"] for d in iter_matches(searcher, SearchParams())]


@pytest.fixture
def instance(tmp_path) -> Instance:
    return Instance(tmp_path / "home")


def test_catch_up_follows_the_store_by_seq(instance, tmp_path):
    index = SearchIndex(instance.index_path)
    assert index.seq() is None and not index.exists()
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(60)))
    assert index.seq() == 60 and sorted(every_id(index)) == sorted(store_ids(instance))
    store = instance.open_store()
    assert index.catch_up(store) == 0
    store.close()
    changed = records(60)[:5]
    for item in changed:
        item["text"] += " zanzibar"
    ingest(instance, write_jsonl(tmp_path / "b.jsonl", changed + records(10, start=60)))
    assert index.seq() == 75
    ids = every_id(index)
    assert len(ids) == len(set(ids)) == 70
    with index.searcher() as searcher:
        assert search(searcher, SearchParams(query="zanzibar"))["total"] == 5


def test_reindex_gives_the_same_results_as_incremental(instance, tmp_path):
    for part in range(4):
        ingest(instance, write_jsonl(tmp_path / f"{part}.jsonl", records(40, seed=part, start=part * 40)))
    index = SearchIndex(instance.index_path)
    additions = snapshot(index)
    store = instance.open_store()
    assert index.rebuild(store) == len(store_ids(instance)) == 160
    store.close()
    assert snapshot(index) == additions and additions[0]["total"] == 160


def test_reindex_after_updates_finds_the_same(instance, tmp_path):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(80)))
    changed = records(80)[::3]
    for item in changed:
        item["text"] += " pipeline tanker"
    ingest(instance, write_jsonl(tmp_path / "b.jsonl", changed))
    index = SearchIndex(instance.index_path)
    incremental = snapshot(index)
    store = instance.open_store()
    index.rebuild(store)
    store.close()
    assert score_free(snapshot(index)) == score_free(incremental)


def test_a_lost_seq_record_only_reindexes_documents_again(instance, tmp_path):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(40)))
    index = SearchIndex(instance.index_path)
    before = snapshot(index)
    # As if killed after Whoosh's commit but before seq.json was written.
    state = read_state(instance.index_path) | {"seq": 10}
    (instance.index_path / SEQ_FILE).write_text(json.dumps(state))
    store = instance.open_store()
    assert index.catch_up(store) == 30 and index.seq() == 40
    store.close()
    assert score_free(snapshot(index)) == score_free(before) and len(every_id(index)) == 40


@pytest.mark.parametrize("damage", ["schema", "ahead", "missing"])
def test_an_index_that_cannot_follow_is_rebuilt(instance, tmp_path, damage):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    index = SearchIndex(instance.index_path)
    state = read_state(instance.index_path)
    if damage == "missing":
        (instance.index_path / SEQ_FILE).unlink()
    else:
        changed = {"schema": -1} if damage == "schema" else {"seq": 999}
        (instance.index_path / SEQ_FILE).write_text(json.dumps(state | changed))
    store = instance.open_store()
    assert index.catch_up(store) == 30
    store.close()
    assert index.seq() == 30 and sorted(every_id(index)) == sorted(store_ids(instance))


def test_an_interrupted_swap_is_finished(instance, tmp_path):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    index = SearchIndex(instance.index_path)
    before = snapshot(index)
    # Killed between the two renames: the new index is complete, the old one set aside.
    instance.index_path.rename(index.new_path)
    index.old_path.mkdir()
    store = instance.open_store()
    assert index.catch_up(store) == 0
    store.close()
    assert snapshot(index) == before
    assert not index.new_path.exists() and not index.old_path.exists()


def test_a_half_built_index_is_dropped(instance, tmp_path):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    index = SearchIndex(instance.index_path)
    index.new_path.mkdir()
    (index.new_path / "MAIN_partial.seg").write_bytes(b"\0" * 100)
    store = instance.open_store()
    assert index.catch_up(store) == 0
    store.close()
    assert not index.new_path.exists() and index.seq() == 30


def test_one_writer_at_a_time(instance, tmp_path):
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(20)))
    index = SearchIndex(instance.index_path)
    store = instance.open_store()
    try:
        with index.writing():
            with pytest.raises(IndexBusy):
                SearchIndex(instance.index_path).catch_up(store, wait=False)
            # A reader does not wait for the writer: it searches what is there.
            done = manage(instance.home, "search", "--json")
            assert done.returncode == 0 and json.loads(done.stdout)["total"] == 20
    finally:
        store.close()


# SIGKILL during indexing: subprocesses in their own session, killed as a group.

def manage(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), "--home", str(home), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


def start(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "--home", str(home), *args],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stored_count(home: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{home / 'store.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def kill_when(process: subprocess.Popen, ready, timeout: float = 300) -> bool:
    """SIGKILL the process group once ready() holds; return whether it was still running."""
    deadline = time.monotonic() + timeout
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    running = process.poll() is None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        running = False
    process.wait()
    return running


def after_kill(home: Path) -> dict:
    """Run commands after a kill: stats, then an export of every document."""
    stats = json.loads(manage(home, "stats", "--json").stdout)
    exported = manage(home, "export", "--format", "jsonl")
    total = json.loads(manage(home, "search", "--json").stdout)["total"]
    ids = [json.loads(line)["id"] for line in exported.stdout.splitlines()]
    return {"stats": stats, "ids": ids, "total": total, "store": store_ids(Instance(home))}


CORPUS_SIZE = 4000


def rebuild_started(home: Path) -> bool:
    """A rebuild writes into index.new beside the index until it swaps it in."""
    return (home / "index.new").exists()


def timed_rebuild(home: Path) -> float:
    """Run reindex to its end; return how long its rebuild ran (process start-up excluded)."""
    run = start(home, "reindex")
    while not rebuild_started(home) and run.poll() is None:
        time.sleep(0.01)
    began = time.monotonic()
    assert run.wait() == 0
    return time.monotonic() - began


@pytest.fixture(scope="module")
def kills(tmp_path_factory):
    """Kill ingest while storing and while indexing, reindex at two points; check each time."""
    folder = tmp_path_factory.mktemp("kills")
    home = folder / "home"
    corpus = write_jsonl(folder / "corpus.jsonl", records(CORPUS_SIZE, seed=11, words=(100, 300)))
    outcomes = []
    run = start(home, "ingest", str(corpus))
    hit = kill_when(run, lambda: stored_count(home) >= CORPUS_SIZE // 4)
    outcomes.append(("ingest while storing", hit, after_kill(home)))
    run = start(home, "ingest", str(corpus))
    # Indexing the last three quarters takes seconds; half a second in, it is under way.
    hit = kill_when(run, lambda: stored_count(home) >= CORPUS_SIZE and time.sleep(0.5) is None)
    outcomes.append(("ingest while indexing", hit, after_kill(home)))
    duration = timed_rebuild(home)
    for share in (0.4, 0.75):
        run = start(home, "reindex")
        started: list[float] = []

        def ready() -> bool:
            if not started and rebuild_started(home):
                started.append(time.monotonic())
            return bool(started) and time.monotonic() - started[0] >= share * duration
        hit = kill_when(run, ready)
        outcomes.append((f"reindex at {share:.0%}", hit, after_kill(home)))
    return outcomes


def test_every_kill_hit_a_running_process(kills):
    assert [(name, running) for name, running, _ in kills] == [(name, True) for name, _, _ in kills]


def test_after_a_kill_any_command_heals_the_index(kills):
    for name, _, state in kills:
        stats = state["stats"]
        assert stats["index_seq"] == stats["store_seq"] > 0, name
        assert len(state["ids"]) == len(set(state["ids"])) == stats["documents"], name
        assert sorted(state["ids"]) == sorted(state["store"]) and state["total"] == len(state["store"]), name


def test_the_last_kills_left_the_whole_corpus_searchable(kills):
    assert len(kills[-1][2]["store"]) == CORPUS_SIZE
