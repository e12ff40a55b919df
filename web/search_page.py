"""The search page's parts as plain data: facet rows with their include and exclude links,
active filters as chips, histogram bars, sort choices and the pager.

Every link is a new SearchParams made by its own helpers (with_filter, without_filter,
with_dates, with_page); no count or date rule is worked out here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

from indexer.pages import bucket_range
from indexer.search.facets import facet_key
from indexer.search.params import FACETS, MAX_LIMIT, SORTS, RelativeDay, SearchParams
from web import i18n
from web.links import search_url

HISTOGRAM_WIDTH, HISTOGRAM_HEIGHT = 720, 84


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with its count and the links that narrow by it."""
    value: str
    label: str
    count: int
    state: str | None          # "include" when kept by a filter
    include_url: str
    exclude_url: str


@dataclass(frozen=True)
class Facet:
    """One facet of the sidebar."""
    name: str
    values: list[FacetValue]
    more: int
    more_url: str | None


@dataclass(frozen=True)
class Chip:
    """One active filter, with the link that removes it."""
    facet: str
    label: str
    excluded: bool
    remove_url: str


@dataclass(frozen=True)
class Bar:
    """One histogram bar: its box in the SVG and the search it narrows to."""
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str


def value_label(facet: str, value: str) -> str:
    """How a facet value reads in the UI language."""
    if facet == "country":
        return i18n.country_name(value)
    if facet == "lang":
        return i18n.language_name(value)
    if facet == "kind":
        return str(i18n.KIND_LABELS.get(value, value))
    return value


def facets(params: SearchParams, data: dict) -> list[Facet]:
    """The sidebar's facets, each value with its include and exclude links."""
    return [facet_block(params, name, data["facets"][name]) for name in FACETS]


def facet_block(params: SearchParams, name: str, counts: dict) -> Facet:
    """One facet's values and, when it has more, the link that shows more of them."""
    kept = {facet_key(v) for v in params.include.get(name, ())}
    values = [facet_value(params, name, row, facet_key(row["value"]) in kept)
              for row in counts["values"]]
    more_url = None
    if counts["more"] and params.facet_limit < MAX_LIMIT:
        more_url = search_url(replace(params, facet_limit=min(MAX_LIMIT, params.facet_limit * 5)))
    return Facet(name, values, counts["more"], more_url)


def facet_value(params: SearchParams, name: str, row: dict, kept: bool) -> FacetValue:
    """A facet value whose include link keeps it (or, when kept already, lets it go)."""
    value = row["value"]
    include = params.without_filter(name, value) if kept else params.with_filter(name, value)
    return FacetValue(value, value_label(name, value), row["count"], "include" if kept else None,
                      search_url(include), search_url(params.with_filter(name, value, exclude=True)))


def chips(params: SearchParams) -> list[Chip]:
    """Every active filter and date bound, each with the link that removes it."""
    found = []
    for side, excluded in (("include", False), ("exclude", True)):
        for facet, values in getattr(params, side).items():
            found += [Chip(facet, value_label(facet, value), excluded,
                           search_url(params.without_filter(facet, value, exclude=excluded)))
                      for value in values]
    if params.date_from or params.date_to:
        found.append(Chip("date", date_span(params), False,
                          search_url(params.with_dates(None, None))))
    return found


def date_span(params: SearchParams) -> str:
    """The date range of a search, said in the UI locale (a relative bound as written: -7d)."""
    return f"{bound_label(params.date_from)} – {bound_label(params.date_to)}"


def bound_label(bound) -> str:
    """A date bound in the UI locale; a relative one as written; … for none."""
    if bound is None:
        return "…"
    return bound.text if isinstance(bound, RelativeDay) else i18n.day(bound)


def bars(params: SearchParams, histogram: dict) -> list[Bar]:
    """The histogram's bars, scaled to the tallest; each narrows the search to its bucket."""
    buckets = histogram["buckets"]
    if not buckets:
        return []
    tallest = max(b["count"] for b in buckets) or 1
    width = HISTOGRAM_WIDTH / len(buckets)
    gap = min(2.0, width * 0.15)
    found = []
    for index, bucket in enumerate(buckets):
        height = HISTOGRAM_HEIGHT * bucket["count"] / tallest
        if bucket["count"]:
            height = max(height, 2.0)       # a bucket with matches never vanishes
        first, last = bucket_range(bucket["bucket"], histogram["interval"])
        found.append(Bar(i18n.bucket_label(bucket["bucket"], histogram["interval"]),
                         bucket["count"], round(index * width + gap / 2, 2),
                         round(HISTOGRAM_HEIGHT - height, 2), round(width - gap, 2),
                         round(height, 2), search_url(params.within_dates(first, last))))
    return found


def sort_choices(params: SearchParams) -> list[tuple[str, str, bool]]:
    """(order, link, chosen) for each sort order."""
    return [(order, search_url(replace(params, sort=order, page=1)), order == params.sort_order)
            for order in SORTS]


@dataclass(frozen=True)
class Pager:
    """Where this page stands among the pages of groups, and the links around it."""
    page: int
    pages: int
    previous_url: str | None
    next_url: str | None


def pager(params: SearchParams, data: dict) -> Pager:
    """The pager of a search page: pages of groups, as the search pages them."""
    pages = max(1, math.ceil(data["groups"] / params.limit))
    previous_url = search_url(params.with_page(params.page - 1)) if params.page > 1 else None
    next_url = search_url(params.with_page(params.page + 1)) if params.page < pages else None
    return Pager(params.page, pages, previous_url, next_url)
