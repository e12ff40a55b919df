"""The facets a search filters and counts, and how their values compare; no engine needed."""
from __future__ import annotations

import heapq

FACETS = ("country", "entity", "lang", "source", "kind")


def facet_key(value: str) -> str:
    """Fold a facet value the way filters compare it: case-insensitively, trimmed."""
    return " ".join(value.split()).casefold()


def first_values(counts: dict[str, int], limit: int) -> dict[str, int]:
    """The `limit` values a search shows of one facet: by count descending, then value.

    Only the shown values are ordered: a frequent word's entity facet has tens of
    thousands of values, and sorting them all cost more than the search itself.
    """
    return dict(heapq.nsmallest(limit, counts.items(), key=lambda pair: (-pair[1], pair[0])))


def shown_facets(counts: dict[str, dict[str, int]], limit: int
                 ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Every facet's first `limit` values (first_values), and how many values each has."""
    return ({name: first_values(values, limit) for name, values in counts.items()},
            {name: len(values) for name, values in counts.items()})
