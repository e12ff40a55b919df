"""Find, rank and count matches in SQL: SearchParams in, SearchResult out (the Whoosh
engine's search.py, over search_entries).

Counts never loop over matches in Python: one statement reads the matching rows once,
counts the days and every facet's keys (the facet arrays unnested, grouped, joined to their
labels) and returns the matches that may collapse. Near-duplicates collapse as in the
Whoosh engine, with the same functions (indexer/search/near_duplicates.py): only matches
that share a band key with some other document (copy_candidate) can collapse, so only their
signatures are read, in seq order (the Whoosh engine's document order); each group hides
under its earliest member. Relevance's first pages rank only the matches that can reach
them (bounded_rank.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, Sequence

from psycopg import sql

from indexer.engine import SearchResult, UnknownDocument
from indexer.engine.fields import UNDATED_DAY
from indexer.engine.postgres.bounded_rank import Ranking, text_bound_holds
from indexer.engine.postgres.query import (
    MAX_EXPANSIONS,
    TEXT_FIELDS,
    Compiled,
    compile_params,
    glob_regex,
    like_prefix,
    literal_prefix,
)
from indexer.search.facets import FACETS, first_values
from indexer.search.histogram import day_from_number
from indexer.search.near_duplicates import copies_by_leader, group_of
from indexer.search.params import SearchParams

Fetch = Callable[[Sequence[str]], dict[str, dict]]
FETCH_BATCH = 500          # documents read from the store at once by iter_matches
TITLE_BOOST = 2            # as the Whoosh engine: the title counts double
# Dated before undated, then by time, then id (doc_id sorts bytewise: COLLATE "C").
NEWEST = sql.SQL("(e.day = 0), e.ts DESC, e.doc_id")
OLDEST = sql.SQL("(e.day = 0), e.ts, e.doc_id")

# One pass over the matches (the CTE is read once): rows of four kinds, told apart by
# `kind`: '' a day (key = day number, n = matches that day), a facet's name (key, its
# label, n = matches holding it), '=size' a facet's number of values (key = the facet,
# n = the number), and '=copy' a match that may collapse (key = doc_id, n = seq, with its
# day, ts and signature); with a first page's ranking (bounded_rank.py), '=rank' a match
# that may be on it (key = doc_id, n = its place). No kind that starts with '=' (nor '')
# names a facet.
#
# Each facet is counted on its own (unnest in the select list, grouped by the key alone:
# at 500k documents a third faster than unnesting (facet, keys) pairs laterally and
# grouping by both). Of its values only those a search can show come back with their
# labels: the first {limit} by count and every value tied with the last of them (WITH
# TIES, so first_values can order the tied ones by label; at least one row, which carries
# the facet's size). A frequent word has tens of thousands of entity values; looking up
# and sending every label was a third of its search.
_FACET_COUNTS = """
    (SELECT {facet}::text AS facet, u.key, count(*) AS n, count(*) OVER () AS size
     FROM (SELECT unnest(m.{column}) AS key FROM m) AS u GROUP BY u.key
     ORDER BY count(*) DESC FETCH FIRST greatest({limit}, 1) ROWS WITH TIES)"""
_SUMMARY = """
WITH m AS MATERIALIZED (
    SELECT e.doc_id, e.seq, e.day, e.ts, e.copy_candidate,
           CASE WHEN e.copy_candidate THEN e.nearsig END AS nearsig, {keys}{bound}
    FROM search_entries e WHERE {where}),
c AS ({counts}){ranking}
SELECT '' AS kind, m.day::text AS key, NULL AS label, count(*) AS n,
       NULL::integer AS day, NULL::bigint AS ts, NULL::bytea AS nearsig
FROM m GROUP BY m.day
UNION ALL
SELECT c.facet, c.key, l.label, c.n, NULL, NULL, NULL FROM c
LEFT JOIN search_labels l ON l.facet = c.facet AND l.key = c.key
UNION ALL
SELECT DISTINCT '=size', c.facet, NULL, c.size, NULL::integer, NULL::bigint, NULL::bytea FROM c
UNION ALL
SELECT '=copy', m.doc_id, NULL, m.seq, m.day, m.ts, m.nearsig FROM m WHERE m.copy_candidate{ranked}
"""
# The planner prices reading a tsvector like any column, but a document's text words are
# compressed out of line (TOAST): a sequential scan testing @@ on every row unpacks every
# document's words (at 20k documents, 220 ms for a word in 20% of them against 10 ms
# through the GIN index). Searches therefore never choose it while an index can answer
# (a search no index can answer, e.g. NOT oil, still scans); JIT compiling costs more than
# these short statements run. The matches' bitmap must stay exact: past work_mem it turns
# lossy and every row of a lossy page is tested again, its text words unpacked (at 500k
# documents, a word in 140,000 of them: 4.1 s for the counts and 2.8 s for the first page
# with the default 4MB, 1.4 s and 0.4 s with 32MB; 128MB gained nothing more).
# (set_config(..., true) is SET LOCAL: all in one round trip)
_PLAN_SETTINGS = ("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true), "
                  "set_config('work_mem', '32MB', true)")


@dataclass(frozen=True)
class Summary:
    """Counts over every match, and the matches that may collapse (by seq)."""

    facets: dict[str, dict[str, int]]          # each facet's first values (first_values)
    sizes: dict[str, int]                      # how many values each facet has
    days: dict[date, int]
    undated: int
    total: int
    candidates: list[tuple]        # (doc_id, seq, day, ts, nearsig), in seq order
    ranked: list[str] | None = None   # a Ranking's pool in score order (None: none asked)


def expander(cur) -> Callable[[str, str, str], list[str]]:
    """Wildcard expansion over search_words: up to MAX_EXPANSIONS + 1 words, in order."""
    def expand(text_field: str, kind: str, pattern: str) -> list[str]:
        prefix = pattern if kind == "prefix" else literal_prefix(pattern)
        condition, args = "field = %s AND word LIKE %s", [text_field, like_prefix(prefix)]
        if kind != "prefix":
            condition += " AND word ~ %s"
            args.append(glob_regex(pattern))
        rows = cur.execute(f"SELECT word FROM search_words WHERE {condition} "
                           f"ORDER BY word LIMIT {MAX_EXPANSIONS + 1}", args).fetchall()
        return [row[0] for row in rows]
    return expand


def compile_search(cur, params: SearchParams) -> Compiled:
    return compile_params(params, expander(cur))


def plan_for_matches(cur) -> None:
    """Settle how the rest of this transaction's statements are planned (_PLAN_SETTINGS)."""
    cur.execute(_PLAN_SETTINGS)


def find(cur, params: SearchParams, fetch: Fetch | None) -> SearchResult:
    """One page of groups, with facets and day counts over every matching document."""
    plan_for_matches(cur)
    compiled = compile_search(cur, params)
    start, end = (params.page - 1) * params.limit, params.page * params.limit
    found = summary(cur, compiled.where, params.facet_limit,
                    first_page_ranking(compiled, params.sort_order, end))
    copies, hidden = collapsed(found.candidates)
    if found.ranked is not None:
        shown = set(hidden)
        page = [doc_id for doc_id in found.ranked if doc_id not in shown][start:end]
    else:
        page = ranked_ids(cur, compiled, params.sort_order, hidden, end)[start:end]
    return SearchResult(
        documents=documents_in_order(fetch, page) if fetch else [],
        total=found.total, groups=found.total - len(hidden),
        duplicates={found.candidates[leader][0]: len(group) for leader, group in copies.items()},
        facets=found.facets, facet_sizes=found.sizes, days=found.days, undated=found.undated,
        words=highlight_words(cur, compiled) if params.query.strip() else frozenset())


def collapsed(members: list[tuple]) -> tuple[dict[int, list[int]], list[str]]:
    """The near-duplicate groups of the matches that may collapse (leader -> members, as
    positions in members) and the ids they hide."""
    copies = copies_by_leader(range(len(members)), [m[4] for m in members],
                              lambda i: oldest_key(members[i]))
    return copies, [members[i][0] for group in copies.values() for i in group]


def find_copies(cur, params: SearchParams, doc_id: str, fetch: Fetch | None) -> SearchResult:
    """The matches collapsed with one document, in sort order; UnknownDocument if none."""
    plan_for_matches(cur)
    target = cur.execute("SELECT doc_id, seq, day, ts, nearsig FROM search_entries "
                         "WHERE doc_id = %s", (doc_id,)).fetchone()
    if target is None:
        raise UnknownDocument(f"no document with id {doc_id!r}")
    compiled = compile_search(cur, params)
    ranked = candidates(cur, compiled.where, order(compiled, params.sort_order))
    if not any(m[0] == doc_id for m in ranked):
        ranked.append(target)
    position = {m[0]: i for i, m in enumerate(ranked)}
    group = set(group_of(position[doc_id], range(len(ranked)), [m[4] for m in ranked]))
    shown = [ranked[i][0] for i in sorted(group)]          # in sort order
    found = summary(cur, sql.SQL("e.doc_id = ANY({})").format(sql.Literal(shown)),
                    params.facet_limit)
    start = (params.page - 1) * params.limit
    return SearchResult(
        documents=documents_in_order(fetch, shown[start:start + params.limit]) if fetch else [],
        total=len(shown), groups=len(shown), facets=found.facets, facet_sizes=found.sizes,
        days=found.days,
        undated=found.undated,
        words=highlight_words(cur, compiled) if params.query.strip() else frozenset())


def iter_ids(cur, params: SearchParams) -> list[str]:
    """Every matching document's id in the params' sort order, without paging."""
    plan_for_matches(cur)
    compiled = compile_search(cur, params)
    return ranked_ids(cur, compiled, params.sort_order, [], None)


def first_page_ranking(compiled: Compiled, sort_order: str, count: int) -> Ranking | None:
    """The bounded ranking of the first `count` matches by relevance, when it holds
    (bounded_rank.py); None for the other sorts and rankings (ranked_ids ranks them)."""
    text = field_score(compiled, "text")
    if (sort_order != "relevance" or not count or text is None
            or not text_bound_holds(compiled.rank["text"])):
        return None
    return Ranking(field_score(compiled, "title") or sql.SQL("0"), text, count)


def summary(cur, where: sql.Composable, limit: int, ranking: Ranking | None = None) -> Summary:
    """Each facet's first `limit` values with their counts, by label, and its number of
    values; dated matches per day, the undated and all matches, and the matches that may
    collapse: one statement, reading the matches once. With a ranking, the same statement
    ranks the matches that can reach the first page (Summary.ranked)."""
    keys = sql.SQL(", ").join(sql.SQL("e.{}").format(sql.Identifier(f"{n}_keys"))
                              for n in FACETS)
    counts = sql.SQL("\n    UNION ALL").join(sql.SQL(_FACET_COUNTS).format(
        facet=sql.Literal(n), column=sql.Identifier(f"{n}_keys"), limit=sql.Literal(limit))
        for n in FACETS)
    facets: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    sizes: dict[str, int] = {name: 0 for name in FACETS}
    days: dict[date, int] = {}
    members: list[tuple] = []
    places: list[tuple[int, str]] = []
    undated = total = 0
    empty = sql.SQL("")
    for kind, key, label, count, day, ts, nearsig in cur.execute(
            sql.SQL(_SUMMARY).format(
                keys=keys, where=where, counts=counts,
                bound=sql.SQL(", {}").format(ranking.columns()) if ranking else empty,
                ranking=ranking.steps() if ranking else empty,
                ranked=ranking.rows() if ranking else empty)):
        if kind == "=copy":
            members.append((key, count, day, ts, nearsig))
        elif kind == "=rank":
            places.append((count, key))
        elif kind == "=size":
            sizes[key] = count
        elif kind:
            facets[kind][label if label is not None else key] = count
        else:
            total += count
            if int(key) == UNDATED_DAY:
                undated = count
            else:
                days[day_from_number(int(key))] = count
    members.sort(key=lambda member: member[1])        # seq: the Whoosh engine's doc order
    shown = {name: first_values(values, limit) for name, values in facets.items()}
    ranked = [doc_id for _place, doc_id in sorted(places)] if ranking else None
    return Summary(shown, sizes, days, undated, total, members, ranked)


def candidates(cur, where: sql.Composable, ordering: sql.Composable) -> list[tuple]:
    """(doc_id, seq, day, ts, nearsig) of the matches that may collapse, in that order."""
    return cur.execute(sql.SQL(
        "SELECT e.doc_id, e.seq, e.day, e.ts, e.nearsig FROM search_entries e "
        "WHERE e.copy_candidate AND {} ORDER BY {}").format(where, ordering)).fetchall()


def oldest_key(member: tuple) -> tuple:
    """Dated before undated, older first, then id (the Whoosh engine's oldest_key)."""
    doc_id, _seq, day, ts, _sig = member
    return (day == UNDATED_DAY, ts, doc_id)


def order(compiled: Compiled, sort_order: str) -> sql.Composable:
    """ORDER BY of a sort: relevance (ties newest, then id), newest or oldest."""
    if sort_order == "newest":
        return NEWEST
    if sort_order == "oldest":
        return OLDEST
    ranking = score(compiled)
    return NEWEST if ranking is None else sql.SQL("{} DESC, {}").format(ranking, NEWEST)


def score(compiled: Compiled) -> sql.Composable | None:
    """ts_rank of the positive words on the title (counting double) and on the text;
    None when the search asks no word (every match scores the same)."""
    parts = [part for part in (field_score(compiled, f) for f in TEXT_FIELDS) if part is not None]
    return sql.SQL(" + ").join(parts) if parts else None


def field_score(compiled: Compiled, text_field: str) -> sql.Composable | None:
    """One field's part of the score (weight * ts_rank); None when it ranks no word."""
    query = compiled.rank_query(text_field)
    if query is None:
        return None
    weight = TITLE_BOOST if text_field == "title" else 1
    return sql.SQL("{} * ts_rank(e.{}, {}::tsquery, 1)").format(
        sql.Literal(weight), sql.Identifier(f"{text_field}_words"), sql.Literal(query))


def ranked_ids(cur, compiled: Compiled, sort_order: str, hidden: list[str],
               count: int | None) -> list[str]:
    """The ids of the first `count` matches (all for None) not hidden, in sort order."""
    where = compiled.where
    if hidden:
        where = sql.SQL("{} AND NOT (e.doc_id = ANY({}))").format(where, sql.Literal(hidden))
    limit = sql.SQL("") if count is None else sql.SQL(" LIMIT {}").format(sql.Literal(count))
    rows = cur.execute(sql.SQL("SELECT e.doc_id FROM search_entries e WHERE {} "
                               "ORDER BY {}{}").format(where, order(compiled, sort_order),
                                                       limit)).fetchall()
    return [row[0] for row in rows]


def highlight_words(cur, compiled: Compiled) -> frozenset[str]:
    """The indexed words the query asks for that the index holds (never excluded ones)."""
    wanted = sorted({(f, w) for f in TEXT_FIELDS for w in compiled.words[f]})
    found = set(compiled.expanded)
    if wanted:
        rows = cur.execute("SELECT word FROM search_words JOIN unnest(%s::text[], %s::text[]) "
                           "AS q(field, word) USING (field, word)",
                           ([f for f, _ in wanted], [w for _, w in wanted])).fetchall()
        found.update(row[0] for row in rows)
    return frozenset(found)


def documents_in_order(fetch: Fetch, ids: Iterable[str]) -> list[dict]:
    """The documents of these ids read from the store, in order; those it lacks left out."""
    ids = list(ids)
    found = fetch(ids)
    return [found[doc_id] for doc_id in ids if doc_id in found]


def iter_documents(fetch: Fetch, ids: list[str]) -> Iterator[dict]:
    """The documents of ids in order, read FETCH_BATCH at a time."""
    for start in range(0, len(ids), FETCH_BATCH):
        yield from documents_in_order(fetch, ids[start:start + FETCH_BATCH])
