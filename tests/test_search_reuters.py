"""Search over the whole Reuters corpus (one shared instance): counts agree, orders hold."""
from __future__ import annotations

from datetime import date

import pytest

from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.index import SearchIndex
from indexer.search.facets import FACETS
from indexer.search.params import SearchParams
from tests.helpers import search_answer

pytestmark = pytest.mark.slow

QUERIES = ["", "oil", "iran", "bank rate", "trade deficit", "gold", "coffee", "opec", "dollar",
           "wheat", "japan", "tanker", "shares", "profit", "strike", "brazil", "grain",
           "copper", "interest rates", "merger", "crude OR petroleum", '"money supply"']


@pytest.fixture(scope="module")
def engine(reuters_instance):
    opened = WhooshEngine(reuters_instance.index_path)
    yield opened
    opened.close()


def run(engine: WhooshEngine, **args) -> dict:
    return search_answer(engine, SearchParams.from_args(args))


def test_the_index_holds_the_store(reuters_instance, engine):
    store = reuters_instance.open_store()
    try:
        assert SearchIndex(reuters_instance.index_path).seq() == store.last_seq()
        assert run(engine)["total"] == sum(store.count_by_kind().values()) > 17_000
    finally:
        store.close()


@pytest.mark.parametrize("query", QUERIES)
def test_facet_counts_equal_filtered_totals(engine, query):
    base = {"q": query, "limit": "1", "facet_limit": "6"}
    data = run(engine, **base)
    assert data["total"] > 0
    checked = 0
    for facet in FACETS:
        for entry in data["facets"][facet]["values"]:
            kept = run(engine, **base, **{facet: [entry["value"]]})
            assert kept["total"] == entry["count"], (query, facet, entry)
            dropped = run(engine, **base, **{f"exclude_{facet}": [entry["value"]]})
            assert dropped["total"] == data["total"] - entry["count"], (query, facet, entry)
            checked += 1
    assert checked >= 3
    histogram = data["histogram"]
    assert sum(b["count"] for b in histogram["buckets"]) + histogram["undated"] == data["total"]


@pytest.mark.parametrize("query, facet", [("oil", "source"), ("bank", "kind"), ("", "lang")])
def test_facet_counts_hold_with_another_filter_applied(engine, query, facet):
    base = {"q": query, "from": "1987-03", "to": "1987-04-15", "limit": "1"}
    data = run(engine, **base)
    for entry in data["facets"][facet]["values"][:5]:
        assert run(engine, **base, **{facet: entry["value"]})["total"] == entry["count"]


def page_ids(engine, pages: int, per_page: int, **args) -> list[dict]:
    results = []
    for page in range(1, pages + 1):
        results += run(engine, **args, page=str(page), limit=str(per_page))["results"]
    return results


@pytest.mark.parametrize("query, sort", [("oil", "newest"), ("oil", "oldest"), ("", "newest"),
                                         ("", "oldest"), ("bank rate", "relevance"),
                                         ("oil", "relevance")])
def test_sort_orders_hold_over_pages(engine, query, sort):
    paged = page_ids(engine, 6, 15, q=query, sort=sort)
    whole = run(engine, q=query, sort=sort, limit="90")["results"]
    assert [r["id"] for r in paged] == [r["id"] for r in whole]
    assert len({r["id"] for r in paged}) == len(paged) == 90
    if sort != "relevance":
        undated = [r["date_source"] == "ingested" for r in paged]
        assert undated == sorted(undated)
        stamps = [r["published"] for r in paged if r["date_source"] != "ingested"]
        assert stamps == sorted(stamps, reverse=(sort == "newest"))


def test_undated_documents_come_last_and_never_match_dates(engine):
    everything = run(engine)
    total, undated = everything["total"], everything["histogram"]["undated"]
    assert undated >= 1                          # DATA.md: one Reuters item has no date
    for sort in ("newest", "oldest"):
        last_page = -(-everything["groups"] // 5)        # pages are pages of groups
        last = run(engine, sort=sort, limit="5", page=str(last_page))["results"]
        assert last[-1]["date_source"] == "ingested", sort
    dated = run(engine, **{"from": "1900", "to": "2100"})
    assert dated["total"] == total - undated and dated["histogram"]["undated"] == 0


def test_date_range_counts_match_the_store(reuters_instance, engine):
    store = reuters_instance.open_store()
    try:
        march = sum(1 for doc in store.iter_all() if doc.date_source != "ingested"
                    and date(1987, 3, 2) <= doc.published.date() <= date(1987, 3, 31))
    finally:
        store.close()
    data = run(engine, **{"from": "1987-03-02", "to": "1987-03"})
    assert data["total"] == march > 1000
    assert data["histogram"]["interval"] == "day"
    assert [b["bucket"] for b in data["histogram"]["buckets"]][::29] == ["1987-03-02", "1987-03-31"]
