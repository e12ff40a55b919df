"""Find, rank and count matches in a Whoosh searcher: SearchParams in, SearchResult out."""
from __future__ import annotations

import heapq
from itertools import islice
from typing import Iterable, Iterator, Sequence

import numpy as np

from indexer.engine import Fetch, SearchResult, UnknownDocument
from indexer.engine.fields import UNDATED_DAY
from indexer.engine.whoosh.columns import DocTable, count_days, count_facets
from indexer.engine.whoosh.docsets import matching_docnums
from indexer.engine.whoosh.query import build_query, highlight_terms
from indexer.engine.whoosh.scores import Scored, one_word_scores
from indexer.search.facets import shown_facets
from indexer.search.histogram import day_from_number
from indexer.search.near_duplicates import copies_by_leader, group_of
from indexer.search.params import SearchParams

FETCH_BATCH = 500     # documents read from the store at once by iter_matches


def ranked_docnums(searcher, table: DocTable, params: SearchParams, query=None) -> list[int]:
    """Return every matching document number in the params' sort order."""
    query = build_query(params) if query is None else query
    if params.sort_order == "relevance":
        scored = one_word_scores(searcher, query)
        if scored is not None:
            scores = dict(zip(scored[0].tolist(), scored[1].tolist(), strict=True))
        else:
            scores = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
        # Equal scores fall back to newest first, then id, as INTERFACES.md says.
        return sorted(scores, key=lambda d: (-scores[d],) + table.newest_key(d))
    key = table.newest_key if params.sort_order == "newest" else table.oldest_key
    return sorted(searcher.docs_for_query(query), key=key)


def find(searcher, table: DocTable, params: SearchParams, fetch: Fetch | None = None
         ) -> SearchResult:
    """One page of groups, with facets and day counts over every matching document.

    Near-duplicates among the matching documents are collapsed under the earliest-published
    member (ties by id), which keeps its own place in the order; pages are pages of groups.

    Only what the page needs is ranked: the matches are found unscored (for the counts
    and the groups), and by relevance only the best ones are scored and ordered; a
    one-word search has every match scored at once instead (scores.py). The page's
    documents are read through fetch (none without one: counts only).
    """
    query = build_query(params)
    scored = one_word_scores(searcher, query) if params.sort_order == "relevance" else None
    found = scored[0] if scored is not None else matching_docnums(searcher, query)
    matching = found.tolist()
    candidates = table.copy_candidates()
    copies = copies_by_leader([d for d in matching if d in candidates], table.signatures,
                              table.oldest_key, keys_of=table.band_keys)
    hidden = {d for members in copies.values() for d in members}
    start, end = (params.page - 1) * params.limit, params.page * params.limit
    if scored is not None:
        first = best_scored(scored, table, hidden, end)
    elif params.sort_order == "relevance":
        first = best_leaders(searcher, query, table, hidden, end, len(matching))
    else:
        key = table.newest_key if params.sort_order == "newest" else table.oldest_key
        first = heapq.nsmallest(end, (d for d in matching if d not in hidden), key=key)
    duplicates = {table.ids[d]: len(c) for d, c in copies.items()}
    return result(searcher, table, params, query, found, first[start:end],
                  len(matching) - len(hidden), duplicates, fetch)


def best_leaders(searcher, query, table: DocTable, hidden: set[int], count: int,
                 total: int) -> list[int]:
    """The `count` best-scoring documents not hidden as copies (ties: newest, then id).

    Whoosh scores only a top-N; N starts at what is surely enough leaders and doubles while
    a document left out could still tie with one kept (an equal score at the cut).
    """
    wanted = count + len(hidden)
    while True:
        top = searcher.search(query, limit=max(1, min(wanted, total))).top_n
        leaders = [(score, d) for score, d in top if d not in hidden]
        lowest = top[-1][0] if top else 0.0
        if len(top) >= total or (len(leaders) >= count and leaders[count - 1][0] > lowest):
            break
        wanted *= 2
    leaders.sort(key=lambda pair: (-pair[0],) + table.newest_key(pair[1]))
    return [d for _, d in leaders[:count]]


def best_scored(scored: Scored, table: DocTable, hidden: set[int], count: int) -> list[int]:
    """best_leaders for matches scored all at once: the `count` best not hidden, ties by
    newest then id; only the scores at or above the count-th best are sorted."""
    docnums, scores = scored
    if hidden:
        keep = ~np.isin(docnums, np.fromiter(hidden, dtype=np.int64, count=len(hidden)))
        docnums, scores = docnums[keep], scores[keep]
    if len(scores) > count:
        cut = np.partition(scores, len(scores) - count)[len(scores) - count]
        best = scores >= cut                    # ties at the cut all stay in the running
        docnums, scores = docnums[best], scores[best]
    ranked = sorted(zip(scores.tolist(), docnums.tolist(), strict=True),
                    key=lambda pair: (-pair[0],) + table.newest_key(pair[1]))
    return [docnum for _, docnum in ranked[:count]]


def find_copies(searcher, table: DocTable, params: SearchParams, doc_id: str,
                fetch: Fetch | None = None) -> SearchResult:
    """The matches collapsed with one document, in sort order; UnknownDocument if none."""
    target = searcher.document_number(id=doc_id)
    if target is None:
        raise UnknownDocument(f"no document with id {doc_id!r}")
    query = build_query(params)
    ranked = ranked_docnums(searcher, table, params, query)
    members = set(group_of(target, ranked, table.signatures, keys_of=table.band_keys))
    shown = [d for d in ranked if d in members]      # members are matches: in sort order
    start = (params.page - 1) * params.limit
    return result(searcher, table, params, query, shown, shown[start:start + params.limit],
                  len(shown), {}, fetch)


def result(searcher, table: DocTable, params: SearchParams, query,
           matching: np.ndarray | Sequence[int],
           shown: list[int], groups: int, duplicates: dict[str, int], fetch: Fetch | None
           ) -> SearchResult:
    """The SearchResult of one page: shown documents, counts over every matching one."""
    words = highlight_terms(query, searcher.reader()) if params.query.strip() else set()
    per_day = count_days(table, matching)
    undated = per_day.pop(UNDATED_DAY, 0)
    facets, sizes = shown_facets(count_facets(table, matching), params.facet_limit)
    return SearchResult(
        documents=documents_in_order(fetch, [table.ids[d] for d in shown]) if fetch else [],
        total=len(matching), groups=groups, duplicates=duplicates,
        facets=facets, facet_sizes=sizes,
        days={day_from_number(n): c for n, c in per_day.items()}, undated=undated,
        words=frozenset(words))


def iter_matches(searcher, table: DocTable, params: SearchParams, fetch: Fetch
                 ) -> Iterator[dict]:
    """Yield every matching document with its text, in sort order, without paging."""
    ids = (table.ids[d] for d in ranked_docnums(searcher, table, params))
    while batch := list(islice(ids, FETCH_BATCH)):
        yield from documents_in_order(fetch, batch)


def documents_in_order(fetch: Fetch, ids: Iterable[str]) -> list[dict]:
    """The documents of these ids read from the store, in order; those it lacks are left
    out (deleted since the index was written: the next catch-up drops them)."""
    ids = list(ids)
    found = fetch(ids)
    return [found[doc_id] for doc_id in ids if doc_id in found]
