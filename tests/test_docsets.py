"""Match sets read a posting block at a time equal Whoosh's own walk, query by query."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as Q

from indexer.engine.whoosh.docsets import _matcher_ids, matching_docnums
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.query import build_query
from indexer.engine.whoosh.searchers import Searchers
from indexer.instance import Instance
from indexer.search.params import SearchParams
from tests.helpers import CORPUS, ingest_and_index, shared_records, write_jsonl

QUERIES = ["", "oil", "the", "ایران", "oil gas", "oil -gas", "bank OR تهران", '"oil prices"',
           "pri*", "title:oil", "-the", "oil AND NOT (gas OR wheat)", "nosuchwordanywhere",
           "oil OR nosuchwordanywhere"]
FILTERS = [{}, {"lang": ["en"]}, {"exclude_country": ["us"]}, {"from": "1987-03-01", "to": "1987-03-15"}]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    folder = tmp_path_factory.mktemp("docsets")
    instance = Instance(folder / "home")
    records = shared_records(900)
    # Three commits make three segments; a changed record re-ingested deletes its old entry.
    for number, part in enumerate((records[:500], records[500:1000], records[1000:])):
        ingest_and_index(instance, write_jsonl(folder / f"part{number}.jsonl", part))
    changed = dict(records[3], text=records[3]["text"] + " oil")
    ingest_and_index(instance, write_jsonl(folder / "changed.jsonl", [changed]))
    searchers = Searchers(SearchIndex(instance.index_path))
    yield searchers.current()
    searchers.close()


def test_the_index_has_several_segments_and_a_deletion(searcher):
    leaves = [leaf for leaf, _ in searcher.leaf_searchers()]
    assert len(leaves) >= 2
    assert any(leaf.reader().has_deletions() for leaf in leaves)


@pytest.mark.parametrize("query", QUERIES)
def test_every_query_and_filter_matches_what_whoosh_walks(searcher, query):
    for args in FILTERS:
        params = SearchParams.from_args(dict(args, q=query))
        compiled = build_query(params)
        fast = matching_docnums(searcher, compiled)
        assert fast.dtype == np.int64
        assert fast.tolist() == sorted(searcher.docs_for_query(compiled)), (query, args)


def test_a_frequent_word_is_read_by_blocks_and_equals_its_postings(searcher):
    found = matching_docnums(searcher, Q.Term("text", "the"))
    assert len(found) > 600           # Whoosh keeps 128 postings a block: several blocks
    assert np.all(np.diff(found) > 0)
    for leaf, _offset in searcher.leaf_searchers():
        if leaf.reader().has_deletions():
            continue                  # Whoosh filters deletions itself: walked, not read
        plain = list(Q.Term("text", "the").matcher(leaf).all_ids())
        assert _matcher_ids(Q.Term("text", "the").matcher(leaf)).tolist() == plain
