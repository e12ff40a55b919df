"""SearchParams -> Whoosh query: pure functions that tests call without an index."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from whoosh import query as Q
from whoosh.qparser import MultifieldParser

from indexer.params import SearchParams
from indexer.schema import FACETS, TEXT_FIELDS, build_schema, day_number, facet_key

MAX_QUERY_CHARS = 1000
TITLE_BOOST = 2.0


class QueryError(ValueError):
    """The query text cannot be searched; the message says what is wrong."""


@lru_cache(maxsize=1)
def query_parser() -> MultifieldParser:
    """Whoosh's parser over title and text, AND between words (its default group)."""
    return MultifieldParser(list(TEXT_FIELDS), build_schema(),
                            fieldboosts={"title": TITLE_BOOST})


def check_query(text: str) -> None:
    """Refuse query text that Whoosh would silently misread."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        raise QueryError("unbalanced quote in query")
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise QueryError("unbalanced parenthesis in query")


def parse_text(text: str) -> Q.Query | None:
    """Parse the query text, or return None when it is empty."""
    text = text.strip()
    if not text:
        return None
    check_query(text)
    parsed = query_parser().parse(text)
    return None if parsed is Q.NullQuery else parsed


def facet_filter(facet: str, values: tuple[str, ...]) -> Q.Query:
    """Match any of the values of one facet (OR within a facet)."""
    terms = [Q.Term(facet, facet_key(v)) for v in values]
    return terms[0] if len(terms) == 1 else Q.Or(terms)


def date_filter(params: SearchParams) -> Q.Query | None:
    """Match dated documents whose day lies in the range, both ends included."""
    if params.date_from is None and params.date_to is None:
        return None
    # Explicit ends: 2.7.4's NumericRange from None (or 0) on an unsigned field matches
    # every document up to the end, not only those from the first day.
    start = day_number(params.date_from or date.min)
    end = day_number(params.date_to or date.max)
    return Q.NumericRange("day", start, end)


def build_query(params: SearchParams) -> Q.Query:
    """Combine text, included facets, dates and exclusions with AND."""
    positive = [facet_filter(f, params.include[f]) for f in FACETS if params.include.get(f)]
    text, dates = parse_text(params.query), date_filter(params)
    positive = ([text] if text else []) + positive + ([dates] if dates else [])
    negative = [Q.Not(facet_filter(f, params.exclude[f]))
                for f in FACETS if params.exclude.get(f)]
    # Whoosh needs something positive to subtract exclusions from.
    parts = (positive or [Q.Every()]) + negative
    return parts[0] if len(parts) == 1 else Q.And(parts)


def highlight_terms(query: Q.Query, reader) -> set[str]:
    """Return the indexed words of title/text that the query asks for, never excluded ones."""
    words: set[str] = set()
    for leaf in positive_leaves(query):
        if getattr(leaf, "fieldname", None) not in TEXT_FIELDS:
            continue      # filters and date ranges: nothing to highlight, costly to expand
        for field, word in leaf.existing_terms(reader, phrases=True, expand=True):
            if field in TEXT_FIELDS:
                words.add(word.decode("utf-8") if isinstance(word, bytes) else word)
    return words


def positive_leaves(query: Q.Query):
    """Yield the leaf queries that are not under a NOT."""
    if isinstance(query, (Q.Not, Q.AndNot)):
        if isinstance(query, Q.AndNot):
            yield from positive_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from positive_leaves(child)
