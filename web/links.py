"""URLs of searches: every state of a search lives in its URL, as SearchParams.to_args()."""
from __future__ import annotations

from dataclasses import replace

from flask import url_for

from indexer.search.params import SearchParams


def search_url(params: SearchParams, endpoint: str = "search.index", **extra) -> str:
    """The URL of a search (the search page unless another endpoint is named)."""
    return url_for(endpoint, **params.to_args(), **extra)


def unpaged(params: SearchParams) -> SearchParams:
    """The same search without paging (for exports and feeds, which take every match)."""
    return replace(params, page=1, limit=SearchParams.limit, facet_limit=SearchParams.facet_limit)


def filter_url(facet: str, value: str) -> str:
    """The search for documents with one facet value (an entity's or a country's search)."""
    return search_url(SearchParams(include={facet: (value,)}))
