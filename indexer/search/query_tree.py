"""The parse tree of the query language: small frozen values that know no search engine.

query_language.parse() builds these from query text; explain.py renders them; each
engine compiles them (engine/whoosh/query.py). A word's analysis (folding, stems) is the
engine's business, so leaves keep the text as the user typed it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Union

from indexer.search.params import NORMALISERS

MAX_QUERY_CHARS = 1000
# How deep groups and NOTs may nest: every layer that compiles and explains a tree walks it
# recursively, and no real query comes near this.
MAX_NESTING = 32
# The fields a user may name, in the order the unknown-field message lists them.
FIELDS = ("title", "text", "source", "country", "entity", "lang", "kind", "date")
TEXT_FIELDS = ("title", "text")
# The facets a query may name: those whose values search parameters know how to normalise.
FACET_FIELDS = tuple(NORMALISERS)


class QueryError(ValueError):
    """The query text cannot be searched; the message says what is wrong."""


def unknown_field(name: str) -> QueryError:
    """The refusal of a field name the language does not know."""
    return QueryError(f"unknown field '{name}:' in query "
                      f"(use {', '.join(f + ':' for f in FIELDS)})")


@dataclass(frozen=True)
class Word:
    """One word as typed; field None means the title or the text."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Phrase:
    """Quoted words in order, at most `slop` positions apart (1: next to each other)."""

    words: tuple[str, ...]
    field: str | None = None
    slop: int = 1


@dataclass(frozen=True)
class Prefix:
    """A trailing wildcard: the words that start with `text` (the part before the *)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Wildcard:
    """Any other wildcard pattern: * for any letters, ? for one; never a leading one."""

    pattern: str
    field: str | None = None


@dataclass(frozen=True)
class Facet:
    """A facet value, normalised as filters are (country names become codes)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    """Documents whose day lies between start and end, both included; None is open."""

    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class And:
    """Every item matches."""

    items: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    """At least one item matches."""

    items: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    """The item does not match."""

    item: "Node"


@dataclass(frozen=True)
class MatchAll:
    """Every document (the empty query)."""


Node = Union[Word, Phrase, Prefix, Wildcard, Facet, DateRange, And, Or, Not, MatchAll]


def all_of(items: list[Node]) -> Node:
    """AND the items, flattening nested ANDs (AND is associative); one item stays itself."""
    flat = tuple(leaf for item in items
                 for leaf in (item.items if isinstance(item, And) else (item,)))
    return flat[0] if len(flat) == 1 else And(flat)


def any_of(items: list[Node]) -> Node:
    """OR the items, flattening nested ORs; one item stays itself."""
    flat = tuple(leaf for item in items
                 for leaf in (item.items if isinstance(item, Or) else (item,)))
    return flat[0] if len(flat) == 1 else Or(flat)
