"""An index written by worker processes answers as one written by one process.

A backlog of PARALLEL_FROM documents or more is cut into runs of seqs, each written as a
segment by a worker process and committed by the parent (indexer/engine/whoosh/
segments.py). The threshold is lowered here so a shared-corpus slice of 1,500 documents
takes that path; the runs then hold a few hundred documents each.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest
from whoosh import index as whoosh_index

from indexer.engine import IndexWorkerFault
from indexer.engine.whoosh import index as index_module
from indexer.engine.whoosh import segments as segments_module
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.index import SearchIndex
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.store import Store
from tests.helpers import CORPUS, search_answer, shared_records, write_jsonl

QUERIES = ["", "oil", "the", "ایران", "oil gas", "oil -gas", "bank OR تهران", '"oil prices"',
           "pri*", "title:oil", "said", "وزیر", "rate NOT bank", "nosuchwordanywhere"]
ARGS = [{}, {"sort": "newest"}, {"sort": "oldest", "page": "2"}, {"lang": ["en"]},
        {"from": "1987-03-01", "to": "1987-03-15"}, {"limit": "50"}]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """An instance whose store holds the slice, not yet indexed."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    folder = tmp_path_factory.mktemp("index-workers")
    instance = Instance(folder / "home")
    store = instance.open_store()
    Ingester(store, detect_language=False).ingest(
        [str(write_jsonl(folder / "slice.jsonl", shared_records(1000)))])
    store.close()
    return instance


@pytest.fixture
def low_threshold(monkeypatch):
    monkeypatch.setattr(index_module, "PARALLEL_FROM", 100)
    # Workers are forked only from a process running one thread (index.may_fork); a test
    # session may hold idle threads of other tests' fixtures (servers waiting to stop).
    monkeypatch.setattr(index_module, "may_fork", lambda: True)


def segment_sizes(path) -> list[int]:
    return [segment.doc_count_all() for segment in whoosh_index.open_dir(str(path))._segments()]


def ids_in_docnum_order(path) -> list[str]:
    """The ids of the index's live documents, by document number."""
    with whoosh_index.open_dir(str(path)).searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("id")
        return [ids[docnum] for docnum in reader.all_doc_ids()]


def store_ids_in_seq_order(instance) -> list[str]:
    store = instance.open_store()
    try:
        return [doc.id for doc in store.iter_all()]
    finally:
        store.close()


def answers(path, instance) -> list[dict]:
    engine = WhooshEngine(path, fetch=None)
    try:
        return [search_answer(engine, SearchParams.from_args(dict(args, q=query)))
                for query in QUERIES for args in ARGS]
    finally:
        engine.close()


def test_workers_write_the_index_one_process_writes(home, tmp_path, low_threshold):
    store = home.open_store()
    try:
        one, three = tmp_path / "one", tmp_path / "three"
        assert SearchIndex(one).rebuild(store, workers=1) == 1500
        assert SearchIndex(three).rebuild(store, workers=3) == 1500
    finally:
        store.close()
    assert segment_sizes(one) == [1500]
    sizes = segment_sizes(three)
    assert len(sizes) == 3 and sum(sizes) == 1500
    # Runs weigh text, not documents (500 each): the Fars News run holds fewer, longer ones.
    assert max(sizes) - min(sizes) > 100
    # Document numbers follow seq in both, so ties sort alike.
    assert ids_in_docnum_order(one) == ids_in_docnum_order(three) == store_ids_in_seq_order(home)
    assert answers(one, home) == answers(three, home)


def test_a_process_running_threads_writes_the_index_itself(home, tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "PARALLEL_FROM", 100)
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)      # as the source poller's thread
    waiting.start()
    store = home.open_store()
    try:
        assert not index_module.may_fork()
        assert SearchIndex(tmp_path / "index").rebuild(store, workers=2) == 1500
    finally:
        store.close()
        stop.set()
        waiting.join()
    assert segment_sizes(tmp_path / "index") == [1500]


def test_progress_counts_every_document_with_its_seq(home, tmp_path, low_threshold):
    seen: list[int] = []
    store = home.open_store()
    try:
        SearchIndex(tmp_path / "index").rebuild(store, progress=seen.append, workers=2)
        seqs = [doc.seq for doc in store.iter_all()]
    finally:
        store.close()
    assert len(seen) == 1500 and set(seen) <= set(seqs)
    assert max(seen) == max(seqs)


def test_a_catch_up_in_rounds_replaces_the_documents_stored_again(home, tmp_path,
                                                                   low_threshold, monkeypatch):
    monkeypatch.setattr(index_module, "COMMIT_EVERY", 200)
    records = shared_records(1000)
    instance = Instance(tmp_path / "home")
    store = instance.open_store()
    index = SearchIndex(instance.index_path)
    try:
        Ingester(store, detect_language=False).ingest(
            [str(write_jsonl(tmp_path / "first.jsonl", records[:600]))])
        assert index.catch_up(store, workers=1) == 600
        # 100 of the indexed articles come again with a new word, with 900 new ones.
        changed = [dict(record, text=record["text"] + " zyxwords") for record in records[:100]]
        Ingester(store, detect_language=False).ingest(
            [str(write_jsonl(tmp_path / "second.jsonl", changed + records[600:]))])
        assert index.catch_up(store, workers=2) == 1000
        assert index.seq() == store.last_seq()
        stored = [doc.id for doc in store.iter_all()]
        changed_ids = {doc.id for doc in store.iter_all() if "zyxwords" in doc.text}
    finally:
        store.close()
    assert sorted(ids_in_docnum_order(instance.index_path)) == sorted(stored)   # each once
    # One segment for the first catch-up, two per round of 2 x 200 documents after it.
    assert len(segment_sizes(instance.index_path)) == 1 + 2 * 3
    engine = WhooshEngine(instance.index_path)
    try:
        params = SearchParams.from_args({"q": "zyxwords"})
        total = search_answer(engine, params)["total"]
        found = [document["id"] for document in engine.iter_matches(params)]
    finally:
        engine.close()
    assert total == len(found) == len(changed_ids) == 100
    assert set(found) == changed_ids


def worker_killer():
    """A progress callback that SIGKILLs one worker process the first time it is called."""
    killed: list[int] = []

    def on_indexed(_seq: int) -> None:
        if not killed:
            killed.append(multiprocessing.active_children()[0].pid)
            os.kill(killed[0], signal.SIGKILL)
    return on_indexed


def test_a_dead_worker_fails_the_commit_and_keeps_the_index(home, tmp_path, low_threshold):
    instance = Instance(tmp_path / "home")
    store = instance.open_store()
    index = SearchIndex(instance.index_path)
    records = shared_records(1000)
    try:
        Ingester(store, detect_language=False).ingest(
            [str(write_jsonl(tmp_path / "first.jsonl", records[:300]))])
        assert index.catch_up(store, workers=2) == 300
        before = (index.seq(), segment_sizes(instance.index_path))
        Ingester(store, detect_language=False).ingest(
            [str(write_jsonl(tmp_path / "second.jsonl", records[300:]))])
        with pytest.raises(IndexWorkerFault, match="stopped unexpectedly"):
            index.catch_up(store, progress=worker_killer(), workers=2)
        assert (index.seq(), segment_sizes(instance.index_path)) == before
        assert index.catch_up(store, workers=2) == 1200
        assert sorted(ids_in_docnum_order(instance.index_path)) == sorted(
            doc.id for doc in store.iter_all())
    finally:
        store.close()


def test_a_worker_error_is_named_and_a_full_disk_stays_an_os_error(home, tmp_path,
                                                                   low_threshold, monkeypatch):
    real = segments_module.document_fields

    def failing_on(word: str, error: Exception):
        def fields(doc):
            if word in doc.text:
                raise error
            return real(doc)
        return fields

    store = home.open_store()
    try:
        monkeypatch.setattr(segments_module, "document_fields",     # forked workers see it
                            failing_on("Iran", ValueError("a field the schema refuses")))
        with pytest.raises(IndexWorkerFault, match="ValueError: a field the schema refuses"):
            SearchIndex(tmp_path / "index").rebuild(store, workers=2)
        monkeypatch.setattr(segments_module, "document_fields",
                            failing_on("Iran", OSError(28, "No space left on device")))
        with pytest.raises(OSError) as raised:
            SearchIndex(tmp_path / "index").rebuild(store, workers=2)
        assert raised.value.errno == 28
    finally:
        store.close()
    assert not SearchIndex(tmp_path / "index").exists()        # nothing half built in place


def test_seq_splits_cut_contiguous_runs_of_even_weight(home):
    store: Store = home.open_store()
    try:
        last = store.last_seq()
        for parts in (1, 2, 3, 7):
            cuts = store.seq_splits(0, last, parts, per_document=700)
            assert cuts[0] == 0 and cuts[-1] == last and cuts == sorted(cuts)
            assert len(cuts) == parts + 1
            weights = [sum(len(doc.text) + len(doc.title or "") + 700
                           for doc in store.iter_between(low, high))
                       for low, high in zip(cuts[:-1], cuts[1:], strict=True)]
            biggest_document = max(len(doc.text) + len(doc.title or "") + 700
                                   for doc in store.iter_all())
            assert max(weights) - min(weights) <= 2 * biggest_document
        assert store.seq_splits(last, last, 2) == [last, last, last]
        assert store.count_between(0, last) == 1500
    finally:
        store.close()
