"""Relevance's first page on PostgreSQL ranks only the matches that can reach it
(indexer/engine/postgres/bounded_rank.py): the same ids in the same order as ranking every
match, on real news in three languages; and the stored text length is the one ts_rank
divides by.
"""
from __future__ import annotations

import gzip
import math
from collections import Counter
from itertools import islice

import pytest
from psycopg import sql

from indexer.engine.postgres.bounded_rank import text_bound_holds, top_level
from indexer.search.params import SearchParams
from indexer.text.tokens import tokenize
from tests.helpers import CORPUS, FARSNEWS, REUTERS, invoke

SAUDI = CORPUS / "saudinewsnet.jsonl.gz"
SLICE = 300


# ---- pure parts -------------------------------------------------------------------------

def test_the_bound_holds_for_ts_ranks_or_ranking_without_prefixes():
    assert text_bound_holds(["'~oil'"])
    assert text_bound_holds(["'~oil'", "'crude' <-> 'oil'"])           # joined by |
    assert text_bound_holds(["'a' | 'b'"])
    assert text_bound_holds(["('a') <1> 'b' | ('a') <2> 'b'"])
    assert not text_bound_holds(["'crude' <-> 'oil'"])                  # AND ranking
    assert not text_bound_holds(["'a' & 'b'"])
    assert not text_bound_holds(["'opec':*"])                           # a prefix
    assert not text_bound_holds(["'~oil'", "'gas':*"])
    assert not text_bound_holds(["('a' <-> 'b')"])
    assert not text_bound_holds([])


def test_operators_inside_quotes_are_part_of_the_word():
    assert top_level("'a|b'") == (set(), 1)
    assert top_level("'it''s' <-> 'a\\\\b'") == ({"<"}, 2)
    assert top_level("('a' | 'b') & 'c'") == ({"&"}, 3)


# ---- on real news -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def engine(pg_cluster, tmp_path_factory):
    """A PostgreSQL engine over 300 records of each shared corpus, and the store."""
    corpora = (REUTERS, FARSNEWS, SAUDI)
    if not all(path.exists() for path in corpora):
        pytest.skip(f"shared corpus not found at {CORPUS} (../shared beside the project)")
    from indexer.engine.postgres.engine import PgEngine
    from indexer.instance import Instance

    folder = tmp_path_factory.mktemp("pg-bounded")
    lines = []
    for path in corpora:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines += list(islice(handle, SLICE))
    (folder / "slice.jsonl").write_text("".join(lines), encoding="utf-8")
    result = invoke(folder / "home", "ingest", "--workers", "1", folder / "slice.jsonl")
    assert result.exit_code == 0, result.output
    store = Instance(folder / "home").open_store()
    pg = PgEngine(pg_cluster.create_database(), store)
    pg.catch_up(store)
    yield pg, store
    pg.close()
    store.close()


def frequent_words(store, count: int) -> list[str]:
    seen: Counter[str] = Counter()
    for doc in store.iter_all():
        seen.update({t.raw for t in tokenize(f"{doc.title or ''} {doc.text or ''}")
                     if t.raw.isalpha()})
    return [word for word, _ in seen.most_common(count)]


def both_rankings(pg, query: str, count: int) -> tuple[list[str], list[str], int]:
    """(the first page of find(), ranked inside its summary statement; every match not
    hidden as a near-duplicate ranked in full; how many are hidden) of one query."""
    from indexer.engine.postgres import search

    params = SearchParams(query=query, limit=count)
    with pg.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
        search.plan_for_matches(cur)
        compiled = search.compile_search(cur, params)
        assert text_bound_holds(compiled.rank["text"]), query
        assert search.first_page_ranking(compiled, "relevance", count) is not None
        page = search.find(cur, params, lambda ids: {doc_id: {"id": doc_id} for doc_id in ids})
        _copies, hidden = search.collapsed(search.summary(cur, compiled.where, 0).candidates)
        where = compiled.where
        if hidden:
            where = sql.SQL("{} AND NOT (e.doc_id = ANY({}))").format(where, sql.Literal(hidden))
        rows = cur.execute(sql.SQL("SELECT e.doc_id FROM search_entries e WHERE {} ORDER BY {} "
                                   "LIMIT {}").format(where, search.order(compiled, "relevance"),
                                                      sql.Literal(count))).fetchall()
    return [doc["id"] for doc in page.documents], [row[0] for row in rows], len(hidden)


def test_the_bounded_first_pages_are_the_full_rankings(engine):
    pg, store = engine
    words = frequent_words(store, 60)
    queries = words + [f"{a} {b}" for a, b in zip(words[::2], words[1::2], strict=True)]
    queries += [f'{a} "{b} {c}"' for a, b, c in zip(words[:10], words[10:20], words[20:30], strict=True)]
    compared = with_copies = 0
    for query in queries:
        for count in (10, 20, 60):
            bounded, full, hidden = both_rankings(pg, query, count)
            assert bounded == full, (query, count)
            compared += bool(full)
            with_copies += bool(full) and hidden > 0
    assert compared >= 240         # 100 queries, three page sizes; some find nothing
    assert with_copies >= 30       # near-duplicates hidden from the page: the pool drops them


def test_text_positions_is_what_ts_rank_divides_by(engine):
    pg, _store = engine
    with pg.pool.connection() as conn:
        rows = conn.execute(
            "SELECT ts_rank(text_words, '~oil', 0), ts_rank(text_words, '~oil', 1), "
            "text_positions FROM search_entries WHERE text_words @@ '~oil'").fetchall()
    assert len(rows) > 20
    for plain, normalised, positions in rows:
        assert positions > 0
        assert normalised == pytest.approx(plain / math.log2(positions + 1), rel=1e-6)
