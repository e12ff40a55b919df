"""A searcher is reused while the index is unchanged and replaced when it changes."""
from __future__ import annotations

import threading

from indexer.engine.documents import store_documents
from indexer.engine.whoosh.columns import ColumnCache
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.search import find, iter_matches
from indexer.engine.whoosh.searchers import Searchers
from indexer.instance import Instance
from indexer.search.params import SearchParams
from tests.helpers import ingest_and_index, news_records, write_jsonl


def total(searchers: Searchers, query: str = "") -> int:
    searcher = searchers.current()
    return find(searcher, ColumnCache().table(searcher), SearchParams(query=query)).total


def test_no_index_yet_then_the_first_ingest(tmp_path):
    instance = Instance(tmp_path / "home")
    searchers = Searchers(SearchIndex(instance.index_path))
    assert total(searchers) == 0
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(20)))
    assert total(searchers) == 20


def test_reused_until_a_commit_then_reopened(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
    searchers = Searchers(SearchIndex(instance.index_path))
    first = searchers.current()
    assert searchers.current() is first and total(searchers) == 30
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", news_records(5, start=30)))
    second = searchers.current()
    assert second is not first and total(searchers) == 35
    assert searchers.current() is second


def test_a_rebuild_swapping_folders_is_seen(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
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
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(10)))
    searchers = Searchers(SearchIndex(instance.index_path))
    seen = []
    worker = threading.Thread(target=lambda: seen.append((searchers.current(), total(searchers))))
    worker.start()
    worker.join()
    assert seen[0][0] is not searchers.current() and seen[0][1] == total(searchers) == 10


def test_a_reopened_searcher_reads_only_new_segments(tmp_path):
    instance = Instance(tmp_path / "home")
    ingest_and_index(instance, write_jsonl(tmp_path / "a.jsonl", news_records(30)))
    searchers = Searchers(SearchIndex(instance.index_path))
    cache = ColumnCache()
    cache.table(searchers.current())
    before = dict(cache._segments)
    ingest_and_index(instance, write_jsonl(tmp_path / "b.jsonl", news_records(5, start=30)))
    table = cache.table(searchers.current())
    kept = set(before) & set(cache._segments)
    assert kept and len(cache._segments) == 2     # the old segment stays, a new one joins
    assert all(cache._segments[key] is before[key] for key in kept)
    every = iter_matches(searchers.current(), table, SearchParams(),
                         store_documents(instance.store_path))
    assert sorted(table.ids) == sorted(d["id"] for d in every)
