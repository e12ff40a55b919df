"""The Search JSON of INTERFACES.md, built from what any engine found (engine-free)."""
from __future__ import annotations

from indexer.engine import SearchResult
from indexer.search.histogram import histogram
from indexer.search.params import FACETS, SearchParams
from indexer.search.snippets import make_snippet


def search_json(params: SearchParams, found: SearchResult) -> dict:
    """query, total, groups, page, per_page, results, facets and histogram of one page."""
    return {
        "query": params.query, "total": found.total, "groups": found.groups,
        "page": params.page, "per_page": params.limit,
        "results": [result_entry(doc, found.words, found.duplicates.get(doc["id"], 0))
                    for doc in found.documents],
        "facets": {facet: facet_json(found.facets.get(facet, {}), params.facet_limit,
                                     found.facet_sizes.get(facet, 0))
                   for facet in FACETS},
        "histogram": histogram(found.days, found.undated),
    }


def result_entry(document: dict, words: frozenset[str], duplicates: int = 0) -> dict:
    """One result: the document without text, its snippet, and its collapsed copies."""
    entry = {name: value for name, value in document.items() if name != "text"}
    entry["snippet"] = make_snippet(document.get("text") or "", set(words))
    entry["duplicates"] = duplicates
    return entry


def facet_json(counts: dict[str, int], limit: int, size: int) -> dict:
    """{values: [{value, count}], more}: the engine's first values of a facet (by count
    descending, then value ascending) and how many of its `size` values are not shown."""
    shown = list(counts.items())[:limit]
    return {"values": [{"value": v, "count": n} for v, n in shown],
            "more": max(0, size - len(shown))}
