"""The index follows the store: catch-up by seq, rebuild and swap, crashes that heal."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from indexer.engine import IndexBusy
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.index import SEQ_FILE, SearchIndex, read_state
from indexer.instance import Instance
from indexer.search.params import SearchParams
from tests.helpers import (
    ingest_and_index,
    killed_run,
    manage,
    news_records,
    search_answer,
    stats_json,
    store_ids,
    write_jsonl,
)

QUERIES = [{}, {"q": "oil", "limit": "200"}, {"q": "gas wheat", "sort": "oldest"},
           {"q": "tanker OR pipeline", "limit": "200"},
           {"source": "beta times", "from": "2020-03", "to": "2020-06"},
           {"exclude_source": "Alpha News", "sort": "newest", "page": "3", "limit": "20"}]


def snapshot(index: SearchIndex) -> list[dict]:
    """What a set of searches returns, for comparing two indexes."""
    engine = WhooshEngine(index.path)
    try:
        return [search_answer(engine, SearchParams.from_args(q)) for q in QUERIES]
    finally:
        engine.close()


def score_free(results: list[dict]) -> list[dict]:
    """Relevance results as a set: until segments merge, Whoosh's term statistics still
    count the old versions of updated documents, so scores shift a little."""
    return [data | {"results": sorted(r["id"] for r in data["results"])}
            if SearchParams.from_args(q).sort_order == "relevance" else data
            for q, data in zip(QUERIES, results, strict=True)]


def every_id(index: SearchIndex) -> list[str]:
    engine = WhooshEngine(index.path)
    try:
        return [d["id"] for d in engine.iter_matches(SearchParams())]
    finally:
        engine.close()


@pytest.fixture
def instance(tmp_path) -> Instance:
    return Instance(tmp_path / "home")


def test_catch_up_follows_the_store_by_seq(instance, tmp_path):
    index = SearchIndex(instance.index_path)
    assert index.seq() is None and not index.exists()
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(60)))
    assert index.seq() == 60 and sorted(every_id(index)) == sorted(store_ids(instance.home))
    store = instance.open_store()
    assert index.catch_up(store) == 0
    store.close()
    changed = news_records(60)[:5]
    for item in changed:
        item["text"] += " zanzibar"
    more = news_records(10, start=60)
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", changed + more))
    assert index.seq() == 75
    ids = every_id(index)
    assert len(ids) == len(set(ids)) == 70
    engine = WhooshEngine(index.path)
    assert engine.search(SearchParams(query="zanzibar")).total == 5
    engine.close()


def test_reindex_gives_the_same_results_as_incremental(instance, tmp_path):
    for part in range(4):
        items = news_records(40, seed=part, start=part * 40)
        ingest_and_index(instance, write_jsonl(tmp_path / f"{part}.jsonl", items))
    index = SearchIndex(instance.index_path)
    additions = snapshot(index)
    store = instance.open_store()
    assert index.rebuild(store) == len(store_ids(instance.home)) == 160
    store.close()
    assert snapshot(index) == additions and additions[0]["total"] == 160


def test_reindex_after_updates_finds_the_same(instance, tmp_path):
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(80)))
    changed = news_records(80)[::3]
    for item in changed:
        item["text"] += " pipeline tanker"
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", changed))
    index = SearchIndex(instance.index_path)
    incremental = snapshot(index)
    store = instance.open_store()
    index.rebuild(store)
    store.close()
    assert score_free(snapshot(index)) == score_free(incremental)


def test_a_lost_seq_record_only_reindexes_documents_again(instance, tmp_path):
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(40)))
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
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
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
    assert index.seq() == 30 and sorted(every_id(index)) == sorted(store_ids(instance.home))


def test_an_interrupted_swap_is_finished(instance, tmp_path):
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
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
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
    index = SearchIndex(instance.index_path)
    index.new_path.mkdir()
    (index.new_path / "MAIN_partial.seg").write_bytes(b"\0" * 100)
    store = instance.open_store()
    assert index.catch_up(store) == 0
    store.close()
    assert not index.new_path.exists() and index.seq() == 30


def test_one_writer_at_a_time(instance, tmp_path):
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(20)))
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


# SIGKILL while storing, indexing, rebuilding and re-enriching: a child process runs the
# library and kills itself from its callbacks (tests/killed_run.py). Readers never write the
# index: after a kill they answer from what is indexed, and the next ingest heals it.

def store_seqs(home: Path) -> dict[str, int]:
    """Every stored document's seq, by id."""
    db = sqlite3.connect(f"file:{home / 'store.sqlite3'}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, seq FROM documents"))
    finally:
        db.close()


def seen_by_readers(home: Path) -> dict:
    """What the reading commands answer: stats, a search's total, an export's ids."""
    exported = manage(home, "export", "--format", "jsonl")
    searched = manage(home, "search", "--json")
    assert exported.returncode == searched.returncode == 0, exported.stderr + searched.stderr
    return {"stats": stats_json(home), "total": json.loads(searched.stdout)["total"],
            "ids": [json.loads(line)["id"] for line in exported.stdout.splitlines()],
            "store": store_seqs(home), "half_built": SearchIndex(home / "index").new_path.exists()}


# Corpus size, and what the store holds after the first commit that reaches a quarter of it.
SIZES = {"short": (1200, 500), "short-workers": (1200, 500), "long": (4000, 1000)}
# "short-workers" indexes any backlog of 100 documents or more in two worker processes.
ENVIRONMENTS = {"short-workers": {"KILLED_RUN_PARALLEL_FROM": "100"}}
BATCH = 500           # the ingest's and re-enrichment's batch size


@pytest.fixture(scope="module", params=["short", "short-workers",
                                        pytest.param("long", marks=pytest.mark.long)])
def kills(request, tmp_path_factory):
    """Kill ingest while storing and while indexing, reindex at two points, re-enrichment
    between the index and the store; after each kill, what the readers see, then what they
    see once `manage.py ingest` of the first half of the corpus ran again."""
    size, first_commit = SIZES[request.param]
    folder = tmp_path_factory.mktemp(f"kills-{request.param}")
    home = folder / "home"
    records = news_records(size, seed=11, words=(100, 300))
    first = write_jsonl(folder / "first.jsonl", records[:size // 2])
    second = write_jsonl(folder / "second.jsonl", records[size // 2:])
    outcomes = []

    def killed(name: str, *run) -> None:
        held = killed_run(home, *run, env=ENVIRONMENTS.get(request.param))[-1]
        left = seen_by_readers(home)
        healing = manage(home, "ingest", first)
        assert healing.returncode == 0, healing.stderr
        outcomes.append({"name": name, "held": held, "left": left, "healed": seen_by_readers(home)})

    # Killed storing the first half; the next ingest completes that half and indexes it.
    killed("ingest while storing", "ingest", "committed", size // 4, first, second)
    # Stores the second half, killed halfway through indexing it (before the writer commits).
    killed("ingest while indexing", "ingest", "indexing", size // 4, first, second)
    for share in (0.4, 0.75):
        killed(f"reindex at {share:.0%}", "reindex", "indexing", int(share * size))
    killed("reenrich after its second batch was indexed", "reenrich", "reenriched", 2)
    resumed = manage(home, "reenrich")
    return {"size": size, "first_commit": first_commit, "outcomes": outcomes,
            "resumed": resumed, "home": home}


def test_what_each_kill_left(kills):
    size, half, first = kills["size"], kills["size"] // 2, kills["first_commit"]
    left = [(o["name"], o["held"], o["left"]["stats"]["index_seq"], o["left"]["half_built"])
            for o in kills["outcomes"]]
    # Documents in the store, the index's seq, and whether a rebuild lies half done.
    assert left == [
        ("ingest while storing", first, None, False),        # killed before any indexing
        ("ingest while indexing", size, half, False),        # the second half uncommitted
        ("reindex at 40%", size, size, True),                # the old index intact beside
        ("reindex at 75%", size, size, True),                # the half-built new one
        ("reenrich after its second batch was indexed", size, size, False)]


def test_after_a_kill_readers_answer_from_what_is_indexed(kills):
    for outcome in kills["outcomes"]:
        left, name = outcome["left"], outcome["name"]
        indexed = left["stats"]["index_seq"] or 0
        expected = sorted(i for i, seq in left["store"].items() if seq <= indexed)
        assert left["stats"]["documents"] == len(left["store"]) == outcome["held"], name
        assert left["stats"]["store_seq"] == max(left["store"].values()), name
        assert sorted(left["ids"]) == expected and len(left["ids"]) == left["total"], name


def test_the_next_ingest_heals_the_index(kills):
    for outcome in kills["outcomes"]:
        healed, name = outcome["healed"], outcome["name"]
        stats = healed["stats"]
        assert stats["index_seq"] == stats["store_seq"] == max(healed["store"].values()), name
        assert len(healed["ids"]) == len(set(healed["ids"])) == stats["documents"], name
        assert sorted(healed["ids"]) == sorted(healed["store"]), name
        assert healed["total"] == len(healed["store"]) and not healed["half_built"], name


def test_the_last_kills_left_the_whole_corpus_searchable(kills):
    assert [(o["healed"]["stats"]["documents"], o["healed"]["total"])
            for o in kills["outcomes"]] == [(kills["size"] // 2, kills["size"] // 2)] + [
        (kills["size"], kills["size"])] * 4


def test_killed_reenrichment_resumes_after_its_last_committed_batch(kills):
    resumed = kills["resumed"]
    assert resumed.returncode == 0, resumed.stderr
    # The first batch was committed; the second reached the index only, so it is redone.
    size = kills["size"]
    assert resumed.stdout.strip() == (f"re-enriched {size - BATCH} documents; "
                                      f"seq unchanged at {size}")
    assert seen_by_readers(kills["home"])["total"] == size
