"""The query language's tree (indexer/search/query_tree.py) -> an SQL condition over tsqueries.

The same meaning as the Whoosh engine's compiler (indexer/engine/whoosh/query.py):

- a single word is looked up by its marked stem (or itself when it has none); a word the
  analysis splits (a ZWNJ compound, al-Assad) is the phrase of its exact words;
- a phrase matches its exact words in order, each at most `slop` positions after the one
  before (Whoosh's SpanNear): `'a' <-> 'b'`, and with a slop `'a' <1> 'b' | 'a' <2> 'b' ...`;
- a trailing wildcard is a `:*` prefix, any other wildcard the OR of the words it stands
  for; either is refused past MAX_EXPANSIONS words of a field (read from search_words);
- title: and text: search one tsvector, a word without a field either (title OR text);
  facets are tests on the folded key arrays, dates a range of day numbers;
- a leaf holding no word (`.`) asks nothing and is left out of its AND, OR and NOT, as
  Whoosh's normalising drops a NullQuery; a query of nothing but such leaves matches all.

The tsqueries are written as literals of the already analysed words (analysis.quote), never
through to_tsquery, whose parser would analyse them again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from psycopg import sql

from indexer.engine.fields import day_number
from indexer.engine.postgres.analysis import query_words, quote
from indexer.search.facets import FACETS, facet_key
from indexer.search.params import SearchParams
from indexer.search.query_language import search_parts
from indexer.search.query_tree import (
    And,
    DateRange,
    Facet,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    QueryError,
    Wildcard,
    Word,
)

TEXT_FIELDS = ("title", "text")
MAX_EXPANSIONS = 256      # as the Whoosh engine: a wildcard's words per field
# A phrase with a slop is written as every spacing of its words; past this many
# alternatives it is searched as its words ANDed (looser; Whoosh has no such bound).
MAX_PHRASE_ALTERNATIVES = 1024
OPEN_END = 2**31 - 1      # the open end of a date range, as a day number
TRUE, FALSE = sql.SQL("true"), sql.SQL("false")

# (field, "prefix" | "wildcard", folded pattern) -> up to MAX_EXPANSIONS + 1 indexed words
Expand = Callable[[str, str, str], list[str]]


@dataclass
class Compiled:
    """A search as SQL: the condition on search_entries `e`, what ranks, what highlights."""

    where: sql.Composable
    rank: dict[str, list[str]] = field(default_factory=lambda: {f: [] for f in TEXT_FIELDS})
    words: dict[str, set[str]] = field(default_factory=lambda: {f: set() for f in TEXT_FIELDS})
    expanded: set[str] = field(default_factory=set)   # words found by wildcards: they exist

    def rank_query(self, text_field: str) -> str | None:
        """The OR of the positive leaves' tsqueries on one field, for ts_rank; None if none."""
        parts = self.rank[text_field]
        return " | ".join(f"({p})" for p in parts) if parts else None


def compile_params(params: SearchParams, expand: Expand) -> Compiled:
    """The query text AND the filters AND NOT the exclusions, as one condition."""
    text, filters, exclusions = search_parts(params)
    compiler = _Compiler(expand)
    parts = [compiler.node(text, True)] if text is not None else []
    parts += [compiler.node(f, True) for f in filters]
    parts += [compiler.node(n, True) for n in exclusions]
    kept = [p for p in parts if p is not None]
    compiler.compiled.where = sql.SQL(" AND ").join(kept) if kept else TRUE
    return compiler.compiled


class _Compiler:
    def __init__(self, expand: Expand):
        self.expand = expand
        self.compiled = Compiled(TRUE)

    def node(self, node: Node, positive: bool) -> sql.Composable | None:
        """One node as a condition; None when it asks nothing (dropped by its parent)."""
        if isinstance(node, And):
            items: list[Node] = [i for i in node.items if not isinstance(i, MatchAll)]
            items = items or list(node.items)
            return self.group([self.node(i, positive) for i in items], " AND ")
        if isinstance(node, Or):
            return self.group([self.node(i, positive) for i in node.items], " OR ")
        if isinstance(node, Not):
            if isinstance(node.item, Not):             # a double negation asks for the item
                return self.node(node.item.item, positive)
            inner = self.node(node.item, False)
            return None if inner is None else sql.SQL("NOT {}").format(inner)
        if isinstance(node, MatchAll):
            return TRUE
        if isinstance(node, Facet):
            return sql.SQL("e.{} @> ARRAY[{}]::text[]").format(
                sql.Identifier(facet_column(node.field)), sql.Literal(facet_key(node.value)))
        if isinstance(node, DateRange):
            return day_range(node.start, node.end)
        fields = (node.field,) if node.field is not None else TEXT_FIELDS
        return self.group([self.text_leaf(node, f, positive) for f in fields], " OR ")

    @staticmethod
    def group(parts: list[sql.Composable | None], operator: str) -> sql.Composable | None:
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else sql.SQL("({})").format(
            sql.SQL(operator).join(kept))

    def text_leaf(self, node: Word | Phrase | Prefix | Wildcard, text_field: str,
                  positive: bool) -> sql.Composable | None:
        """A word, phrase or wildcard on one text field."""
        if isinstance(node, (Prefix, Wildcard)):
            text = node.text if isinstance(node, Prefix) else node.pattern
            pattern = query_words(text, "pattern")
            if not pattern:
                return None
            whole = pattern[0] + "*" if isinstance(node, Prefix) else pattern[0]
            return self.wildcard(whole, text_field, positive)
        if isinstance(node, Phrase):
            return self.words(query_words(" ".join(node.words), "phrase"), node.slop,
                              text_field, positive)
        words = query_words(node.text, "word")
        if len(words) != 1:         # a split word: the phrase of its exact words
            words = query_words(node.text, "phrase")
        return self.words(words, 1, text_field, positive)

    def words(self, words: list[str], slop: int, text_field: str, positive: bool
              ) -> sql.Composable | None:
        """A term (one word) or a phrase (several) on one field."""
        if not words:
            return None
        if positive:
            self.compiled.words[text_field].update(words)
        return self.matches(text_field, phrase_query(words, slop), positive)

    def wildcard(self, pattern: str, text_field: str, positive: bool) -> sql.Composable | None:
        """A folded glob as Whoosh's Wildcard.normalize reads it, bounded by its words."""
        if pattern == "*":
            return TRUE
        if "*" not in pattern and "?" not in pattern:
            return self.words([pattern], 1, text_field, positive)
        prefix_only = "?" not in pattern and pattern.find("*") == len(pattern) - 1
        kind = "prefix" if prefix_only else "wildcard"
        found = self.expand(text_field, kind, pattern[:-1] if prefix_only else pattern)
        if len(found) > MAX_EXPANSIONS:
            raise QueryError(f"wildcard {pattern} matches more than {MAX_EXPANSIONS} "
                             "words; give more letters before the *")
        if positive:
            self.compiled.expanded.update(found)
        if prefix_only:
            return self.matches(text_field, quote(pattern[:-1]) + ":*", positive)
        if not found:
            return FALSE
        return self.matches(text_field, " | ".join(map(quote, found)), positive)

    def matches(self, text_field: str, tsquery: str, positive: bool) -> sql.Composable:
        if positive:
            self.compiled.rank[text_field].append(tsquery)
        return sql.SQL("e.{} @@ {}::tsquery").format(
            sql.Identifier(f"{text_field}_words"), sql.Literal(tsquery))


def facet_column(name: str) -> str:
    """The key array column of a facet the query language names."""
    if name not in FACETS:
        raise QueryError(f"unknown facet {name!r}")
    return f"{name}_keys"


def day_range(start: date | None, end: date | None) -> sql.Composable:
    """Dated documents whose day lies in the range, both ends included."""
    low = day_number(start) if start else 1
    high = day_number(end) if end else OPEN_END
    return sql.SQL("e.day BETWEEN {} AND {}").format(sql.Literal(low), sql.Literal(high))


def phrase_query(words: list[str], slop: int) -> str:
    """Words in order, each 1..slop positions after the one before (one word: a term)."""
    quoted = [quote(w) for w in words]
    if len(quoted) == 1 or slop <= 1:
        return " <-> ".join(quoted)
    if slop ** (len(quoted) - 1) > MAX_PHRASE_ALTERNATIVES:
        return " & ".join(quoted)
    query = quoted[0]
    for word in quoted[1:]:
        query = " | ".join(f"({query}) <{gap}> {word}" for gap in range(1, slop + 1))
    return query


def like_prefix(prefix: str) -> str:
    """A LIKE pattern for words starting with prefix (its % _ and \\ escaped)."""
    return re.sub(r"([%_\\])", r"\\\1", prefix) + "%"


def glob_regex(pattern: str) -> str:
    """A PostgreSQL regular expression of a glob: * any letters, ? one, the rest literal.

    Every character that is not a letter or digit is escaped (a backslash before a
    non-alphanumeric character is that character in PostgreSQL's regular expressions).
    """
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(char if char.isalnum() else "\\" + char)
    return "^" + "".join(parts) + "$"


def literal_prefix(pattern: str) -> str:
    """The letters before a glob's first wildcard (Whoosh expands from them)."""
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]
