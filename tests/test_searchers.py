"""A searcher is reused while the index is unchanged and replaced when it changes."""
from __future__ import annotations

import threading

from indexer.engine.whoosh import columns
from indexer.engine.whoosh.columns import doc_table
from indexer.engine.whoosh.index import SearchIndex
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.engine.whoosh.search import iter_matches, search
from indexer.engine.whoosh.searchers import Searchers
from tests.test_index import ingest, records, write_jsonl


def total(searchers: Searchers, query: str = "") -> int:
    return search(searchers.current(), SearchParams(query=query))["total"]


def test_no_index_yet_then_the_first_ingest(tmp_path):
    instance = Instance(tmp_path / "home")
    searchers = Searchers(SearchIndex(instance.index_path))
    assert total(searchers) == 0
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(20)))
    assert total(searchers) == 20


def test_reused_until_a_commit_then_reopened(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    searchers = Searchers(SearchIndex(instance.index_path))
    first = searchers.current()
    assert searchers.current() is first and total(searchers) == 30
    ingest(instance, write_jsonl(tmp_path / "b.jsonl", records(5, start=30)))
    second = searchers.current()
    assert second is not first and total(searchers) == 35
    assert searchers.current() is second


def test_a_rebuild_swapping_folders_is_seen(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    index = SearchIndex(instance.index_path)
    searchers = Searchers(index)
    before = searchers.current()
    store = instance.open_store()
    try:
        index.rebuild(store)      # same documents, a new folder whose generation may repeat
    finally:
        store.close()
    assert searchers.current() is not before and total(searchers) == 30


def test_each_thread_has_its_own_searcher(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(10)))
    searchers = Searchers(SearchIndex(instance.index_path))
    seen = []
    worker = threading.Thread(target=lambda: seen.append((searchers.current(), total(searchers))))
    worker.start()
    worker.join()
    assert seen[0][0] is not searchers.current() and seen[0][1] == total(searchers) == 10


def test_a_reopened_searcher_reads_only_new_segments(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest(instance, write_jsonl(tmp_path / "a.jsonl", records(30)))
    searchers = Searchers(SearchIndex(instance.index_path))
    doc_table(searchers.current())
    before = dict(columns._SEGMENTS)
    ingest(instance, write_jsonl(tmp_path / "b.jsonl", records(5, start=30)))
    table = doc_table(searchers.current())
    kept = set(before) & set(columns._SEGMENTS)
    assert kept and len(columns._SEGMENTS) == 2     # the old segment stays, a new one joins
    assert all(columns._SEGMENTS[key] is before[key] for key in kept)
    assert sorted(table.ids) == sorted(d["id"] for d in iter_matches(searchers.current(),
                                                                     SearchParams()))
