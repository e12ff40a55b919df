"""One-word searches scored all at once with numpy equal Whoosh's own scores, float for
float, and so give the same pages (indexer/engine/whoosh/scores.py)."""
from __future__ import annotations

import itertools

import pytest

from indexer.engine.whoosh import search as search_module
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.query import build_query
from indexer.engine.whoosh.scores import one_word_scores
from indexer.engine.whoosh.searchers import Searchers
from indexer.instance import Instance
from indexer.search.params import SearchParams
from tests.helpers import CORPUS, ingest_and_index, search_answer, shared_records, write_jsonl

# Frequent and rare words, a word in one document (its postings inlined in the term
# table), Persian in both letter forms, a field, and words no document holds.
WORDS = ["said", "the", "oil", "bank", "pct", "mln", "ایران", "ايران", "وزیر", "گفت",
         "title:oil", "title:ایران", "text:bank", "reserves", "cocoa",
         "nosuchwordanywhere", "title:nosuchwordanywhere"]


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    folder = tmp_path_factory.mktemp("scores")
    instance = Instance(folder / "home")
    records = shared_records(900)
    # Three commits, three segments: each has its own lengths, the statistics are global.
    for number, part in enumerate((records[:500], records[500:1000], records[1000:])):
        ingest_and_index(instance, write_jsonl(folder / f"part{number}.jsonl", part))
    return instance


@pytest.fixture(scope="module")
def searcher(instance):
    searchers = Searchers(SearchIndex(instance.index_path))
    yield searchers.current()
    searchers.close()


def test_the_index_has_several_segments_and_no_deletion(searcher):
    leaves = [leaf for leaf, _ in searcher.leaf_searchers()]
    assert len(leaves) == 3
    assert not any(leaf.reader().has_deletions() for leaf in leaves)


@pytest.mark.parametrize("word", WORDS)
def test_each_match_scores_what_whoosh_scores(searcher, word):
    query = build_query(SearchParams.from_args({"q": word}))
    scored = one_word_scores(searcher, query)
    assert scored is not None
    ours = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
    whoosh = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
    assert ours == whoosh           # the same documents, the same floats
    assert list(scored[0]) == sorted(ours)
    if not word.startswith(("nosuch", "title:nosuch")):
        assert len(whoosh) > 0


def test_rare_words_with_postings_in_the_term_table_score_alike(searcher):
    # Posting lists of up to three documents are kept in the term table (codec.py).
    reader = searcher.reader()
    rare = [text.decode()[1:] for text in itertools.islice(
        (t for t in reader.lexicon("text") if t.startswith(b"~")
         and reader.doc_frequency("text", t) <= 3), 0, 400, 40)]
    assert len(rare) == 10
    for word in rare:
        query = build_query(SearchParams.from_args({"q": word}))
        scored = one_word_scores(searcher, query)
        assert scored is not None and 1 <= len(scored[0]) <= 3 * 3
        ours = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
        assert ours == {d: s for s, d in searcher.search(query, limit=None).top_n}, word


def test_other_queries_are_left_to_whoosh(searcher):
    for text in ("bank rate", '"oil prices"', "oil -gas", "pri*", "bank OR rate OR oil"):
        assert one_word_scores(searcher, build_query(SearchParams.from_args({"q": text}))) is None


@pytest.mark.parametrize("word", ["said", "oil", "ایران", "title:oil", "pct"])
def test_pages_equal_those_of_whoosh_scoring(instance, monkeypatch, word):
    engine = WhooshEngine(instance.index_path)
    try:
        pages = [SearchParams.from_args({"q": word, "limit": str(limit), "page": str(page)})
                 for limit, page in ((10, 1), (10, 2), (15, 1), (90, 1), (7, 5))]
        ours = [search_answer(engine, params) for params in pages]
        monkeypatch.setattr(search_module, "one_word_scores", lambda *_: None)
        whoosh = [search_answer(engine, params) for params in pages]
    finally:
        engine.close()
    assert ours == whoosh
    assert ours[0]["total"] > 10 and len(ours[3]["results"]) > 10


def test_a_segment_with_deletions_scores_its_live_documents_alike(tmp_path):
    instance = Instance(tmp_path / "home")
    records = shared_records(200)
    ingest_and_index(instance, write_jsonl(tmp_path / "first.jsonl", records))
    changed = dict(records[3], text=records[3]["text"] + " oil")
    ingest_and_index(instance, write_jsonl(tmp_path / "changed.jsonl", [changed]))
    searchers = Searchers(SearchIndex(instance.index_path))
    try:
        searcher = searchers.current()
        assert any(leaf.reader().has_deletions() for leaf, _ in searcher.leaf_searchers())
        deleted = {d + offset for leaf, offset in searcher.leaf_searchers()
                   for d in leaf.reader()._perdoc.deleted_docs()}
        assert len(deleted) == 1
        for word in ("oil", "said", "the"):
            query = build_query(SearchParams.from_args({"q": word}))
            scored = one_word_scores(searcher, query)
            assert scored is not None
            ours = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
            assert ours == {d: s for s, d in searcher.search(query, limit=None).top_n}, word
            assert not deleted & set(ours) and ours, word
    finally:
        searchers.close()
