"""The presearcher way (candidate searches over an in-memory index of the batch) gives the
same hits, with the same words, as the plain way (every search over the main index) on
thousands of generated saved searches over batches of the real shared corpora."""
from __future__ import annotations

from datetime import date

import pytest

from indexer.engine import SavedQuery
from indexer.ingest.ingester import FileReport, Ingester
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.search.presearch import ANY, TEXT, Presearcher, required_terms
from indexer.search.query_language import parse
from tests.alerts_searches import generate, read_corpus
from tests.helpers import CORPUS

CORPORA = ("reuters-21578.jsonl.gz", "saudinewsnet.jsonl.gz", "farsnews.jsonl.gz")
OLD, NEW = 900, 400           # documents per corpus already indexed, then new ones
TODAY = date(2026, 3, 10)


def words(leaf):
    return [w.lower() for w in getattr(leaf, "words", None) or [leaf.text]]


@pytest.mark.parametrize("query, expected", [
    ("oil", {(TEXT, "oil")}),
    ("oil gas", {(TEXT, "oil")}),                       # an AND needs one part
    ("oil OR gas OR wheat", {(TEXT, "oil"), (TEXT, "gas"), (TEXT, "wheat")}),
    ('"crude oil" -opec', {(TEXT, "crude")}),
    ("-opec", ANY), ("sanction*", ANY), ("date:2020", ANY), ("", ANY),
    ("oil* gas", {(TEXT, "gas")}),
    ("country:Iran oil", {(TEXT, "oil")}),             # words before a common facet
    ("country:Iran", {("country", "ir")}),
    ("(oil OR gas*) wheat", {(TEXT, "wheat")}),
    ("oil OR -gas", ANY),
])
def test_required_terms(query, expected):
    assert required_terms(parse(query), words) == expected


def test_the_presearcher_lets_through_only_searches_whose_terms_a_document_holds():
    presearcher = Presearcher([(1, frozenset({(TEXT, "oil")})), (2, ANY),
                               (3, frozenset({(TEXT, "gas"), ("country", "ir")}))])
    assert presearcher.candidates([(TEXT, "oil")]) == {1, 2}
    assert presearcher.candidates([("country", "ir")]) == {2, 3}
    assert presearcher.candidate_docs({(TEXT, "gas"): {4}, (TEXT, "oil"): {5}}, {4, 5, 6}) == {
        1: {5}, 2: {4, 5, 6}, 3: {4}}


@pytest.fixture(scope="module")
def corpus_batches(tmp_path_factory):
    """An instance holding OLD documents of each corpus, and NEW ones of each stored too
    (enriched, with seqs) to be matched as batches."""
    missing = [name for name in CORPORA if not (CORPUS / name).exists()]
    if missing:
        pytest.skip(f"shared corpora not found in {CORPUS} (../shared beside the project): {missing}")
    instance = Instance(tmp_path_factory.mktemp("presearch") / "home")
    store = instance.open_store()
    ingester = Ingester(store, detect_language=False)
    for name in CORPORA:
        ingester.store_batch(read_corpus(CORPUS / name, OLD + NEW), FileReport(name))
    engine = instance.open_engine()
    engine.catch_up(store)
    docs = list(store.iter_all())
    store.close()
    yield engine, docs
    engine.close()


def test_both_ways_give_identical_hits_on_generated_saved_searches(corpus_batches):
    engine, docs = corpus_batches
    searches = [SavedQuery(n, SearchParams.from_args(args).resolved(TODAY))
                for n, args in enumerate(generate(docs, 3000))]
    total = 0
    for name_at, start in enumerate(range(0, len(docs), OLD + NEW)):
        new = docs[start + OLD:start + OLD + NEW]
        for batch in (new[:NEW // 2], new[NEW // 2:]):
            fast = engine.match_new(searches, batch)
            plain = engine.match_in_index(searches, batch)
            assert fast.hits == plain.hits, CORPORA[name_at]
            assert fast.candidates < plain.candidates / 3      # the presearcher did its work
            total += sum(len(found) for found in fast.hits.values())
    assert total > 2000          # enough hits to mean something
