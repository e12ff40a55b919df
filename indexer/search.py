"""Run a search: SearchParams in, the Search JSON of INTERFACES.md out (or every match)."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

from indexer.columns import DocTable, count_facets, doc_table
from indexer.histogram import day_from_number, histogram
from indexer.params import ParamError, SearchParams
from indexer.query import QueryError, build_query, highlight_terms
from indexer.schema import UNDATED_DAY, stored_document
from indexer.snippets import make_snippet

__all__ = ["ParamError", "QueryError", "SearchParams", "build_query", "search",
           "ranked_docnums", "iter_matches"]


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
    """Search and return query, total, groups, page, per_page, results, facets, histogram."""
    query = build_query(params)
    table = doc_table(searcher)
    ranked = ranked_docnums(searcher, params, query)
    start = (params.page - 1) * params.limit
    shown = ranked[start:start + params.limit]
    words = highlight_terms(query, searcher.reader()) if params.query.strip() else set()
    return {
        "query": params.query, "total": len(ranked), "groups": len(ranked),
        "page": params.page, "per_page": params.limit,
        "results": [result_entry(searcher.stored_fields(d), words) for d in shown],
        "facets": count_facets(table, ranked, params.facet_limit),
        "histogram": date_histogram(table, ranked),
    }


def result_entry(stored: dict, words: set[str]) -> dict:
    """One result: the document without text, its snippet, and its collapsed copies (0)."""
    entry = stored_document(stored, with_text=False)
    entry["snippet"] = make_snippet(stored.get("text", ""), words)
    entry["duplicates"] = 0
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
