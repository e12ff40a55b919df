"""Run a search: SearchParams in, the Search JSON of INTERFACES.md out (or every match)."""
from __future__ import annotations

import heapq
from collections import Counter
from typing import Iterator

from indexer.engine.whoosh.columns import DocTable, count_facets, doc_table
from indexer.search.histogram import day_from_number, histogram
from indexer.search.near_duplicates import copies_by_leader, group_of
from indexer.search.params import ParamError, SearchParams
from indexer.engine.whoosh.query import QueryError, build_query, highlight_terms
from indexer.engine.whoosh.schema import UNDATED_DAY, stored_document
from indexer.engine.whoosh.snippets import make_snippet

__all__ = ["ParamError", "QueryError", "SearchParams", "UnknownDocument", "build_query",
           "search", "duplicates_of", "ranked_docnums", "iter_matches"]


class UnknownDocument(LookupError):
    """No document in the index has the id asked for."""


def ranked_docnums(searcher, params: SearchParams, query=None) -> list[int]:
    """Return every matching document number in the params' sort order."""
    query = build_query(params) if query is None else query
    table = doc_table(searcher)
    order = params.sort_order
    if order == "relevance":
        scores = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
        # Equal scores fall back to newest first, then id, as INTERFACES.md says.
        return sorted(scores, key=lambda d: (-scores[d],) + table.newest_key(d))
    key = table.newest_key if order == "newest" else table.oldest_key
    return sorted(searcher.docs_for_query(query), key=key)


def search(searcher, params: SearchParams) -> dict:
    """Search and return query, total, groups, page, per_page, results, facets, histogram.

    Near-duplicates among the matching documents are collapsed under the earliest-published
    member (ties by id), which keeps its own place in the order; pages are pages of groups.
    Facets and the histogram count every matching document, copies included.

    Only what the page needs is ranked: the matches are found unscored (for the counts
    and the groups), and by relevance only the best ones are scored and ordered.
    """
    query = build_query(params)
    table = doc_table(searcher)
    matching = sorted(searcher.docs_for_query(query))
    candidates = table.copy_candidates()
    copies = copies_by_leader([d for d in matching if d in candidates], table.signatures,
                              table.oldest_key, keys_of=table.band_keys)
    hidden = {d for members in copies.values() for d in members}
    start, end = (params.page - 1) * params.limit, params.page * params.limit
    if params.sort_order == "relevance":
        first = best_leaders(searcher, query, table, hidden, end, len(matching))
    else:
        key = table.newest_key if params.sort_order == "newest" else table.oldest_key
        first = heapq.nsmallest(end, (d for d in matching if d not in hidden), key=key)
    return search_json(searcher, params, query, table, matching, first[start:end],
                       len(matching) - len(hidden), {d: len(c) for d, c in copies.items()})


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


def duplicates_of(searcher, params: SearchParams, doc_id: str) -> dict:
    """The Search JSON of the copies collapsed with a document (among the matching ones).

    Raise UnknownDocument when no document has that id.
    """
    target = searcher.document_number(id=doc_id)
    if target is None:
        raise UnknownDocument(f"no document with id {doc_id!r}")
    query = build_query(params)
    table = doc_table(searcher)
    ranked = ranked_docnums(searcher, params, query)
    members = set(group_of(target, ranked, table.signatures, keys_of=table.band_keys))
    shown = [d for d in ranked if d in members]      # members are matches: in sort order
    start = (params.page - 1) * params.limit
    return search_json(searcher, params, query, table, shown,
                       shown[start:start + params.limit], len(shown), {})


def search_json(searcher, params: SearchParams, query, table: DocTable, matching: list[int],
                shown: list[int], groups: int, duplicates: dict[int, int]) -> dict:
    """The JSON of one page: shown results, facets and dates over every matching document."""
    words = highlight_terms(query, searcher.reader()) if params.query.strip() else set()
    return {
        "query": params.query, "total": len(matching), "groups": groups,
        "page": params.page, "per_page": params.limit,
        "results": [result_entry(searcher.stored_fields(d), words, duplicates.get(d, 0))
                    for d in shown],
        "facets": count_facets(table, matching, params.facet_limit),
        "histogram": date_histogram(table, matching),
    }


def result_entry(stored: dict, words: set[str], duplicates: int = 0) -> dict:
    """One result: the document without text, its snippet, and its collapsed copies."""
    entry = stored_document(stored, with_text=False)
    entry["snippet"] = make_snippet(stored.get("text", ""), words)
    entry["duplicates"] = duplicates
    return entry


def date_histogram(table: DocTable, docnums: list[int]) -> dict:
    """Count the matches per day, week, month or year; undated ones apart."""
    per_number = Counter(table.days[d] for d in docnums)
    undated = per_number.pop(UNDATED_DAY, 0)
    return histogram({day_from_number(n): c for n, c in per_number.items()}, undated)


def iter_matches(searcher, params: SearchParams) -> Iterator[dict]:
    """Yield every matching document with its text, in sort order, without paging."""
    for docnum in ranked_docnums(searcher, params):
        yield stored_document(searcher.stored_fields(docnum))
