"""The PostgreSQL engine against the Whoosh engine on one shared slice of real news.

600 Farsnews and 600 Reuters records are ingested into an embedded instance (SQLite +
Whoosh, `manage.py ingest`); the PostgreSQL engine catches up from that instance's store.
Both engines are then asked the same searches of the query language: totals, groups,
facet counts, histograms, collapsed copies, highlighted words, refusals and the newest
and oldest pages must be equal; for relevance (BM25F against ts_rank) the top-10 overlap
is printed, not asserted.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import replace
from itertools import islice

import pytest

from indexer.engine.postgres.analysis import indexed_words, query_words, tsvector_literal
from indexer.engine.postgres.query import glob_regex, phrase_query
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.search.query_tree import QueryError
from indexer.text.tokens import tokenize
from tests.helpers import CORPUS, FARSNEWS, REUTERS, invoke

SLICE = 600
ZWNJ = "\u200c"


# ---- pure parts -------------------------------------------------------------------------

def test_indexed_words_are_the_whoosh_analyzers_words_at_the_same_positions():
    from indexer.engine.whoosh.analysis import field_analyzer

    text = ("Iran's oil exports rose; U.S. sanctions \u0643\u062a\u0627\u0628 "
            "\u0645\u06cc\u200c\u0634\u0648\u062f \u064e . al-Assad")
    whoosh: dict[str, list[int]] = {}
    for token in field_analyzer()(text, positions=True, mode="index"):
        whoosh.setdefault(token.text, []).append(token.pos + 1)
    assert indexed_words(text) == whoosh
    assert indexed_words("Oil exports")["~export"] == [2]


def chain_words(text: str) -> dict[str, list[int]]:
    """What Whoosh's field analyzer indexes, as indexed_words gives it (1-based positions,
    a word's first 256 positions, positions past PostgreSQL's last one held at it)."""
    from indexer.engine.postgres.analysis import MAX_POSITION, MAX_POSITIONS_PER_WORD
    from indexer.engine.whoosh.analysis import field_analyzer

    words: dict[str, list[int]] = {}
    for token in field_analyzer()(text, positions=True, mode="index"):
        kept = words.setdefault(token.text, [])
        at = min(token.pos + 1, MAX_POSITION)
        if len(kept) < MAX_POSITIONS_PER_WORD and (not kept or kept[-1] != at):
            kept.append(at)
    return words


def test_indexed_words_of_real_news_and_long_texts_are_the_chains_words():
    if not (FARSNEWS.exists() and REUTERS.exists()):
        pytest.skip(f"the shared corpora are not in {CORPUS}")
    texts = [json.loads(line)["text"] or "" for path in (FARSNEWS, REUTERS)
             for line in first_lines(path, 150)]
    # Case forms of one word merged, a word past 256 occurrences, a text past 16,383 words.
    texts += ["Oil oil OIL exports Exports " * 100,
              " ".join(f"w{n % 500} Sanctions" for n in range(9000))]
    for text in texts:
        assert indexed_words(text) == chain_words(text)
    assert len(indexed_words(texts[-1])["~sanction"]) == 256


def test_the_tsvector_literal_quotes_what_postgres_would_read_apart():
    assert tsvector_literal({"it's": [1], "a\\b": [2, 3], "~oil": [4]}) == \
        "'it''s':1 'a\\\\b':2,3 '~oil':4"


def test_query_words_ask_stems_for_a_word_and_exact_words_for_a_phrase():
    assert query_words("Sanctions", "word") == ["~sanction"]
    assert query_words("oil exports", "phrase") == ["oil", "exports"]
    assert query_words("Oil*", "pattern") == ["oil*"]
    assert query_words(".", "word") == []


def test_a_phrase_with_a_slop_is_every_spacing_of_its_words():
    assert phrase_query(["a", "b"], 1) == "'a' <-> 'b'"
    assert phrase_query(["a", "b"], 2) == "('a') <1> 'b' | ('a') <2> 'b'"
    assert phrase_query(["a", "b", "c"], 2) == (
        "(('a') <1> 'b' | ('a') <2> 'b') <1> 'c' | (('a') <1> 'b' | ('a') <2> 'b') <2> 'c'")
    assert glob_regex("u.s?x*") == "^u\\.s.x.*$"


# ---- parity on real news ---------------------------------------------------------------

def first_lines(path, count: int) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(islice(handle, count))


@pytest.fixture(scope="module")
def engines(pg_cluster, tmp_path_factory):
    """(Whoosh engine, PostgreSQL engine, the slice's texts) over the same store."""
    if not (FARSNEWS.exists() and REUTERS.exists()):
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    from indexer.engine.postgres.engine import PgEngine

    folder = tmp_path_factory.mktemp("pg-parity")
    lines = first_lines(FARSNEWS, SLICE) + first_lines(REUTERS, SLICE)
    (folder / "slice.jsonl").write_text("".join(lines), encoding="utf-8")
    result = invoke(folder / "home", "ingest", "--workers", "1", folder / "slice.jsonl")
    assert result.exit_code == 0, result.output
    instance = Instance(folder / "home")
    store = instance.open_store()
    whoosh = instance.open_engine()
    whoosh.catch_up(store)
    pg = PgEngine(pg_cluster.create_database(), store)
    assert pg.catch_up(store) == whoosh.document_count() == 2 * SLICE
    yield whoosh, pg, store
    pg.close()
    whoosh.close()
    store.close()


def frequent_words(store, script: str, skip: int, count: int) -> list[str]:
    """Words (as written, lower case) of one script ranked by document frequency."""
    seen: Counter[str] = Counter()
    for doc in store.iter_all():
        words = {t.raw for t in tokenize(f"{doc.title or ''} {doc.text or ''}")}
        seen.update(w for w in words if (w.isascii() == (script == "latin")) and w.isalpha())
    return [w for w, _ in seen.most_common(skip + count)][skip:]


def parity_queries(store, whoosh) -> list[dict]:
    """A few hundred searches: fixed forms of the language, then generated from the slice."""
    fixed = [
        "oil", "Oil", "OIL prices", '"oil prices"', '"crude oil"~3', '"prices oil"~2',
        "oil NOT crude", "oil -gas", "NOT oil", "NOT NOT oil", "-oil -wheat",
        "oil OR wheat", "(oil OR gas) AND prices", "wheat AND (export OR import)",
        "opec*", "comp*", "w?eat", "ba*k", "oil**", "title:oil", "text:oil", "title:(oil OR gold)",
        'title:"oil prices"', "text:opec*", "source:Reuters", 'source:"Fars News"',
        "country:US", "country:Iran", "country:(Japan OR China)", "lang:en", "lang:fa",
        "kind:brief", "kind:article", "date:1987-03", "date:[1987-03-01 TO 1987-03-15]",
        "date:[* TO 1987-03-05]", "date:[2010 TO *]", "oil date:1987-04", "sanctions",
        "u.s", "U.S. dollar", "al-Assad", ".", "oil .", "NOT .", "shr cts net",
        "\u0627\u06cc\u0631\u0627\u0646", "\u0627\u064a\u0631\u0627\u0646",       # ایران, ايران
        "\u06a9\u0634\u0648\u0631", "\u0643\u0634\u0648\u0631",                   # کشور, كشور
        "\u0631\u06cc\u06cc\u0633", "\u0631\u0626\u06cc\u0633",                   # رییس, رئیس
        f"\u0645\u06cc{ZWNJ}\u0634\u0648\u062f", f"\u0645\u064a{ZWNJ}\u0634\u0648\u062f",
        "\u0645\u06cc \u0634\u0648\u062f", f'"\u0628\u06cc\u0646{ZWNJ}\u0627\u0644\u0645\u0644\u0644\u06cc"',
        f"\u06af\u0641\u062a{ZWNJ}\u0648\u06af\u0648", "\u0647\u0633\u062a\u0647*",
        "\u062a\u062d\u0631\u06cc\u0645", "\u062a\u062d\u0631\u06cc\u0645\u200c\u0647\u0627",
        '"\u0645\u062c\u0644\u0633 \u0634\u0648\u0631\u0627\u06cc"~2',
        "\u0627\u0633\u0644\u0627\u0645\u06cc -\u0627\u06cc\u0631\u0627\u0646",
        "oil )", "title:", "foo:bar", "*oil", "date:[1987 TO", "a*", "1987",
    ]
    searches = [{"q": q} for q in fixed]
    latin = frequent_words(store, "latin", 30, 26)
    arabic = frequent_words(store, "arabic", 30, 26)
    for words in (latin, arabic):
        for i, word in enumerate(words):
            searches.append({"q": word})
            if i % 2 == 0:
                searches.append({"q": f"title:{word}"})
                searches.append({"q": f'"{word} {words[i + 1]}"~4'})
            else:
                searches.append({"q": f"{word[:4]}*"})
                searches.append({"q": f"{word} -{words[i - 1]}"})
    everything = whoosh.search(SearchParams.from_args({"limit": "1", "facet_limit": "100"}))
    for facet in ("country", "entity", "source", "lang"):
        for value in list(everything.facets[facet])[:4]:
            searches.append({facet: value})
            searches.append({"q": "oil", f"exclude_{facet}": value})
    searches += [{"from": "1987-03-01", "to": "1987-03-31"}, {"q": "oil", "from": "1987-04"},
                 {"q": "\u0627\u06cc\u0631\u0627\u0646", "to": "2015-12-31"}]
    return searches


def answer(engine, args: dict):
    """What an engine answers to one search, by sort: counts and pages; or its refusal."""
    try:
        params = SearchParams.from_args({"limit": "10", "facet_limit": "60", **args})
        found = {sort: engine.search(replace(params, sort=sort))
                 for sort in ("relevance", "newest", "oldest")}
        second = engine.search(replace(params, sort="newest", page=2))
    except QueryError as exc:
        return f"refused: {exc}"
    top = found["relevance"]
    return {"counts": (top.total, top.groups, top.days, top.undated, top.duplicates, top.words),
            "facets": ({name: list(values.items()) for name, values in top.facets.items()},
                       top.facet_sizes),
            "newest": [d["id"] for d in found["newest"].documents],
            "newest2": [d["id"] for d in second.documents],
            "oldest": [d["id"] for d in found["oldest"].documents],
            "dups": (found["newest"].duplicates, found["oldest"].duplicates),
            "relevance": [d["id"] for d in top.documents]}


def test_both_engines_answer_the_same_searches_alike(engines):
    whoosh, pg, store = engines
    searches = parity_queries(store, whoosh)
    assert len(searches) >= 250
    differ, overlaps, refused = [], [], 0
    for args in searches:
        expected, got = answer(whoosh, args), answer(pg, args)
        if isinstance(expected, str) or isinstance(got, str):
            refused += 1
            if expected != got:
                differ.append((args, "refusal", expected, got))
            continue
        for part in ("counts", "newest", "newest2", "oldest", "dups"):
            if expected[part] != got[part]:
                differ.append((args, part, expected[part], got[part]))
        if expected["relevance"]:
            shared = len(set(expected["relevance"]) & set(got["relevance"]))
            overlaps.append(shared / len(expected["relevance"]))
    equal = len(searches) - len({str(d[0]) for d in differ})
    print(f"\nparity: {len(searches)} searches ({refused} refused by both or either), "
          f"{equal} answered alike; relevance top-10 overlap mean "
          f"{sum(overlaps) / len(overlaps):.2f}, min {min(overlaps):.2f} "
          f"over {len(overlaps)} searches with matches")
    assert differ == []


def test_duplicates_of_and_iter_matches_agree(engines):
    whoosh, pg, _store = engines
    params = SearchParams.from_args({"limit": "100", "sort": "oldest"})
    found = whoosh.search(params)
    leaders = sorted(found.duplicates)
    assert leaders, "the slice holds near-duplicates (Farsnews repeats records)"
    for leader in leaders:
        assert ([d["id"] for d in pg.duplicates_of(params, leader).documents]
                == [d["id"] for d in whoosh.duplicates_of(params, leader).documents])
    query = SearchParams.from_args({"q": "oil", "sort": "newest"})
    assert ([d["id"] for d in pg.iter_matches(query)]
            == [d["id"] for d in whoosh.iter_matches(query)])
    assert pg.explain(query) == whoosh.explain(query)


def test_catch_up_follows_the_store_and_refresh_rewrites(engines):
    _whoosh, pg, store = engines
    assert pg.indexed_seq() == store.last_seq()
    assert pg.catch_up(store) == 0
    tuvalu = SearchParams.from_args({"country": "TV"})
    assert pg.search(tuvalu).total == 0
    doc = next(iter(store.iter_all()))
    pg.refresh([replace(doc, countries=["TV"])])
    assert [d["id"] for d in pg.search(tuvalu).documents] == [doc.id]
    assert pg.search(tuvalu).facets["country"] == {"TV": 1}
    pg.refresh([doc])
    assert pg.search(tuvalu).total == 0
    assert pg.indexed_seq() == store.last_seq()
