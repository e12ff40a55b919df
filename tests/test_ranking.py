"""Ranking only what a page needs gives the pages that ranking every match gives."""
from __future__ import annotations

import pytest

from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.search import ranked_docnums
from indexer.instance import Instance
from indexer.search.near_duplicates import collapse
from indexer.search.params import SearchParams
from tests.helpers import ingest_and_index, news_records, write_jsonl


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    items = news_records(400, words=(3, 12))     # short texts from 30 words: many equal scores
    items += [dict(item, id=f"copy-{item['id']}", url=None, source="Copy Wire")
              for item in news_records(400, words=(3, 12))[:60]]     # exact copies collapse
    instance = Instance(folder / "home")
    ingest_and_index(instance, write_jsonl(folder / "a.jsonl", items))
    opened = WhooshEngine(instance.index_path)
    yield opened
    opened.close()


def every_page_by_full_ranking(engine: WhooshEngine, params: SearchParams) -> list[str]:
    """The reference: score every match, order, collapse, then page."""
    searcher = engine.searchers.current()
    table = engine.columns.table(searcher)
    leaders, _ = collapse(ranked_docnums(searcher, table, params), table.signatures,
                          table.oldest_key)
    return [table.ids[d] for d in leaders]


@pytest.mark.parametrize("query", ["oil", "gas wheat", "tanker OR pipeline OR court", "-oil",
                                   "oil", "border", "sanctions talks"])
@pytest.mark.parametrize("sort", [None, "newest", "oldest"])
def test_pages_equal_the_fully_ranked_order(engine, query, sort):
    params = SearchParams(query=query, sort=sort, limit=7)
    expected = every_page_by_full_ranking(engine, params)
    first = engine.search(params)
    assert first.groups == len(expected) and first.total >= first.groups
    assert first.total > first.groups or query.startswith("-")   # copies were hidden
    shown = []
    for page in range(1, (len(expected) + 6) // 7 + 2):
        shown += [d["id"] for d in engine.search(params.with_page(page)).documents]
    assert shown == expected
