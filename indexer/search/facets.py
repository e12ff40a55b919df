"""The facets a search filters and counts, and how their values compare; no engine needed."""
from __future__ import annotations

FACETS = ("country", "entity", "lang", "source", "kind")


def facet_key(value: str) -> str:
    """Fold a facet value the way filters compare it: case-insensitively, trimmed."""
    return " ".join(value.split()).casefold()
