"""The SearchEngine protocol's contract: what every engine must do, whatever it is.

ENGINES lists a factory per engine; a second engine adds itself there and runs the same
tests unchanged (tests/test_search_cli.py does the same through the command line).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from indexer.engine import SearchResult, UnknownDocument
from indexer.instance import Instance
from indexer.search.facets import first_values
from indexer.search.params import SearchParams
from tests.news_fixture import DOCS, SERIES, save_documents

# Each engine's instance: Whoosh beside an SQLite store; PostgreSQL holding both store and
# search rows in a new database of the session's throwaway server (skipped, saying why,
# where none can run).
ENGINES = {
    "whoosh": lambda request, folder: Instance(folder),
    "postgres": lambda request, folder: Instance(folder, request.getfixturevalue("pg_url")),
}


@pytest.fixture(params=sorted(ENGINES))
def setup(request, tmp_path):
    """A store with the fixture news, and a fresh engine of each kind beside it."""
    instance = ENGINES[request.param](request, tmp_path / request.param)
    save_documents(instance, [replace(d) for d in DOCS])
    store, engine = instance.open_store(), instance.open_engine()
    yield store, engine
    engine.close()
    store.close()


def params(**args) -> SearchParams:
    return SearchParams.from_args({"limit": "100", **args})


def test_an_engine_holds_what_is_stored_once_caught_up(setup, request):
    store, engine = setup
    if request.node.callspec.params["setup"] == "postgres":
        # There the store is the index: a document's search row commits with it.
        assert engine.indexed_seq() == len(DOCS)
        assert engine.search(params()).total == len(DOCS)
        assert engine.catch_up(store) == 0
        return
    assert engine.indexed_seq() is None
    assert engine.search(params()).total == 0
    assert engine.catch_up(store) == len(DOCS)
    assert engine.indexed_seq() == len(DOCS)
    assert engine.catch_up(store) == 0


def test_search_returns_the_page_and_counts_over_every_match(setup):
    store, engine = setup
    engine.catch_up(store)
    found = engine.search(params(q="oil", limit="2"))
    assert isinstance(found, SearchResult)
    assert (found.total, found.groups, len(found.documents)) == (5, 5, 2)
    assert all("text" in d and "oil" in (d["title"] + d["text"]).lower()
               for d in found.documents if d["title"])
    assert found.facets["country"] == {"IR": 3, "SY": 2, "IQ": 1}
    assert found.facets["kind"] == {"article": 4, "brief": 1}
    assert found.days == {date(2020, 7, 1): 1, date(2020, 7, 31): 1, date(2020, 8, 1): 1,
                          date(2019, 12, 31): 1}
    assert found.undated == 1
    assert found.words == frozenset({"~oil"})     # a single word asks for its stem


def test_facets_hold_the_values_a_search_shows_and_say_how_many_there_are(setup):
    store, engine = setup
    engine.catch_up(store)
    every = engine.search(params(facet_limit="100"))
    assert every.facet_sizes == {name: len(values) for name, values in every.facets.items()}
    assert every.facet_sizes["country"] >= 3 and every.facet_sizes["entity"] >= 3
    for limit in (0, 1, 2, 3):
        shown = engine.search(params(facet_limit=str(limit)))
        # By count, then by label (ties at the cut included): the pure rule, on every facet.
        assert {name: list(values.items()) for name, values in shown.facets.items()} == \
            {name: list(first_values(values, limit).items())
             for name, values in every.facets.items()}
        assert shown.facet_sizes == every.facet_sizes
    two = engine.search(params(q="oil", facet_limit="2"))
    assert list(two.facets["country"].items()) == [("IR", 3), ("SY", 2)]
    assert two.facet_sizes["country"] == 3


def test_sort_orders_and_iter_matches_agree(setup):
    store, engine = setup
    engine.catch_up(store)
    newest = [d["id"] for d in engine.iter_matches(params(source="Delta Wire", sort="newest"))]
    oldest = [d["id"] for d in engine.iter_matches(params(source="Delta Wire", sort="oldest"))]
    assert len(newest) == len(SERIES) and newest == oldest[::-1]
    page = engine.search(params(source="Delta Wire", sort="newest", limit="5", page="2"))
    assert [d["id"] for d in page.documents] == newest[5:10]


def test_duplicates_of_an_unknown_document(setup):
    store, engine = setup
    engine.catch_up(store)
    with pytest.raises(UnknownDocument):
        engine.duplicates_of(params(), "no-such-id")
    alone = engine.duplicates_of(params(), DOCS[0].id)
    assert (alone.documents, alone.total) == ([], 0)      # no copies: the group is just it


def test_refresh_rewrites_enrichment_and_rebuild_starts_afresh(setup):
    store, engine = setup
    engine.catch_up(store)
    changed = replace(store.get(DOCS[3].id), countries=["DE"])
    engine.refresh([changed])
    assert [d["id"] for d in engine.search(params(country="DE")).documents] == [DOCS[3].id]
    assert engine.search(params(country="FR")).total == 0
    assert engine.rebuild(store) == len(DOCS)
    assert engine.search(params(country="FR")).total == 1
    assert engine.indexed_seq() == len(DOCS)
