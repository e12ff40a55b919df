"""The query language: query text -> parse tree (query_tree.py), with every refusal.

Grammar, loosest first (the grouping Whoosh's parser gave, so answers stay the same):

    sequence     := disjunction+              words side by side are ANDed
    disjunction  := conjunction (OR conjunction)*
    conjunction  := unary (AND unary)*        so `a b OR c` is a AND (b OR c)
    unary        := NOT unary | -unary | primary
    primary      := ( sequence ) | field:primary | "phrase"~N | [range] | term

A field before a group applies to the words inside (`country:(Iran OR Syria)`). NOT and -
may be doubled (`NOT NOT oil`, `NOT -oil`): that is a double negation, the same as `oil`.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from indexer.search.params import NORMALISERS, DateBound, ParamError, RelativeDay, SearchParams
from indexer.search.query_dates import DATE_FORMS, date_brackets, date_value
from indexer.search.query_lexer import Token, tokenize
from indexer.search.query_tree import (
    FACET_FIELDS,
    FIELDS,
    MAX_NESTING,
    MAX_QUERY_CHARS,
    DateRange,
    Facet,
    MatchAll,
    Node,
    Not,
    Phrase,
    Prefix,
    QueryError,
    Wildcard,
    Word,
    all_of,
    any_of,
    unknown_field,
)

__all__ = ["QueryError", "MAX_QUERY_CHARS", "parse", "search_parts", "search_tree"]

# Whoosh read `oil^2` as a boost; the language has none, and the words would differ.
_BOOST = re.compile(r"\^(\d+(\.\d+)?|\.\d+)$")


def parse(text: str) -> Node:
    """Parse query text into a tree; MatchAll when empty; QueryError when it is bad."""
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    tokens = tokenize(text)
    if not tokens:
        return MatchAll()
    check_parentheses(tokens)
    return _Parser(text, tokens).sequence(None, None)


def check_parentheses(tokens: list[Token]) -> None:
    """Refuse a ')' without its '(' or a '(' without its ')' (quotes aside)."""
    depth = 0
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token.kind, 0)
        if depth < 0:
            raise QueryError("unbalanced parenthesis in query (a ')' without its '(')")
    if depth:
        raise QueryError("unbalanced parenthesis in query (a '(' without its ')')")


class _Parser:
    """Recursive descent over the tokens; `field` is the field a group's words inherit."""

    def __init__(self, text: str, tokens: list[Token]):
        self.text, self.tokens, self.at = text, tokens, 0
        self.depth = 0          # groups, NOTs and fields open around the token at hand

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        self.at += 1
        return self.tokens[self.at - 1]

    def sequence(self, field: str | None, opening: Token | None) -> Node:
        items: list[Node] = []
        while (token := self.peek()) is not None and token.kind != ")":
            if not items and token.kind in ("AND", "OR"):
                where = "after '('" if opening else "at the start of the query"
                raise dangling(token, f"{where} (nothing before it)")
            items.append(self.disjunction(field))
        if not items:
            raise QueryError("empty parentheses '()' in query; put words inside or remove them")
        return all_of(items)

    def disjunction(self, field: str | None) -> Node:
        items = [self.conjunction(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.operand_after(self.take())
            items.append(self.conjunction(field))
        return any_of(items)

    def conjunction(self, field: str | None) -> Node:
        items = [self.unary(field)]
        while (token := self.peek()) is not None and token.kind == "AND":
            self.operand_after(self.take())
            items.append(self.unary(field))
        return all_of(items)

    def unary(self, field: str | None) -> Node:
        token = self.peek()
        # sequence and operand_after call here only with a token ahead.
        assert token is not None, "unary() at the end of the query"
        if token.kind in ("NOT", "-"):
            self.operand_after(self.take())
            with self.nested():
                return Not(self.unary(field))
        return self.primary(field)

    @contextmanager
    def nested(self) -> Iterator[None]:
        """One level deeper; a query nested past MAX_NESTING is refused."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(f"query nests more than {MAX_NESTING} levels deep (parentheses, "
                             "NOT or fields inside each other); write it flatter")
        try:
            yield
        finally:
            self.depth -= 1

    def operand_after(self, operator: Token) -> None:
        """Refuse an operator with nothing after it: at the end, before ')' or another."""
        token = self.peek()
        if token is None:
            raise dangling(operator, "at the end of the query (nothing after it)")
        if token.kind == ")":
            raise dangling(operator, "before ')' (nothing after it)")
        if token.kind in ("AND", "OR"):
            raise QueryError(f"doubled operator '{operator.text} {token.text}' in query "
                             "(nothing between them)")

    def primary(self, field: str | None) -> Node:
        token = self.take()
        if token.kind == "(":
            with self.nested():
                node = self.sequence(field, token)
            self.take()                                  # its ')': parentheses balance
            return node
        if token.kind == "field":
            with self.nested():
                return self.fielded(token)
        if token.kind == "phrase":
            return phrase_leaf(token, field, self.raw(token))
        if token.kind == "range":
            return range_leaf(token, field, self.raw(token))
        return term_leaf(token.text, field)

    def fielded(self, token: Token) -> Node:
        """The value after `name:`, which must follow the colon at once."""
        if token.text not in FIELDS:
            raise unknown_field(token.text)
        value = self.peek()
        if value is None or value.start != token.end or value.kind == ")":
            if token.text == "date":
                raise QueryError(f"malformed date 'date:' (use {DATE_FORMS})")
            raise QueryError(f"nothing after '{token.text}:' in query "
                             f"(write {token.text}:word, with no space after the colon)")
        return self.primary(token.text)

    def raw(self, token: Token) -> str:
        return self.text[token.start:token.end]


def dangling(operator: Token, where: str) -> QueryError:
    """The refusal of an operator that lacks a side."""
    if operator.kind == "-":
        return QueryError(f"dangling '-' {where}; put the word to leave out right after "
                          "it, as in -word")
    return QueryError(f"dangling operator '{operator.text}' {where}; to search for the "
                      f"word itself, quote it: \"{operator.text.lower()}\"")


def term_leaf(text: str, field: str | None) -> Node:
    """A term outside quotes: a word, a wildcard, a facet value or a date."""
    if field == "date":
        return date_value(text)
    if text[0] in "*?":
        raise QueryError(f"leading wildcard '{text}' is not allowed; "
                         "put at least one letter before * or ?")
    if _BOOST.search(text):
        raise QueryError(f"'{text}': the query language has no ^ boosts; "
                         "remove the ^ and the number")
    if "*" in text or "?" in text:
        # Only a single * at the end is a prefix (as Whoosh read it): `o*l`, `oil**` are not.
        if "?" not in text and text.find("*") == len(text) - 1:
            return Prefix(text[:-1], field)
        return Wildcard(text, field)
    if field in FACET_FIELDS:
        return Facet(field, facet_value(field, text))
    return Word(text, field)


def phrase_leaf(token: Token, field: str | None, raw: str) -> Node:
    """A quoted phrase; on a facet, one value with spaces (`source:"Fars News"`)."""
    words = tuple(token.text.split())
    if field == "date":
        raise QueryError(f"malformed date 'date:{raw}' (use {DATE_FORMS})")
    if field in FACET_FIELDS:
        if not words:
            raise QueryError(f"empty value '{field}:{raw}' in query")
        return Facet(field, facet_value(field, " ".join(words)))
    return Phrase(words, field, token.slop)


def range_leaf(token: Token, field: str | None, raw: str) -> DateRange:
    """A bracketed range: only `date:` has them."""
    whole = f"{field}:{raw.strip()}" if field else raw.strip()
    if field != "date":
        raise QueryError(f"range '{whole}' is not allowed: only date: takes a range (as in "
                         "date:[2020-01 TO 2020-06]); to search for the words, drop the brackets")
    return date_brackets(token.text, whole, token.closed)


def facet_value(field: str, text: str) -> str:
    """Normalise a facet value as filters do; refuse an unknown country or kind."""
    try:
        return NORMALISERS[field](" ".join(text.split()))
    except ParamError as exc:
        raise QueryError(f"{exc} in {field}: of the query") from None


def search_parts(params: SearchParams) -> tuple[Node | None, list[Node], list[Node]]:
    """The query text's tree (None when empty), the filters ANDed with it, the exclusions.

    Filters combine with AND across facets and OR within one, as INTERFACES.md says.
    """
    text = parse(params.query)
    filters: list[Node] = [any_of([Facet(f, v) for v in params.include[f]])
                           for f in FACET_FIELDS if params.include.get(f)]
    if params.date_from is not None or params.date_to is not None:
        filters.append(DateRange(_day(params.date_from), _day(params.date_to)))
    exclusions: list[Node] = [Not(any_of([Facet(f, v) for v in params.exclude[f]]))
                              for f in FACET_FIELDS if params.exclude.get(f)]
    return (None if isinstance(text, MatchAll) else text), filters, exclusions


def _day(bound: DateBound | None) -> date | None:
    """A date bound of resolved params: a day, or None when open."""
    # Callers pass params.resolved(today) (the service and alert matching both do).
    assert not isinstance(bound, RelativeDay), f"{bound.text} was not resolved to a day"
    return bound


def search_tree(params: SearchParams) -> Node:
    """The whole search as one tree: the query text AND the filters AND NOT exclusions."""
    text, filters, exclusions = search_parts(params)
    positive = ([text] if text is not None else []) + filters
    parts = (positive or [MatchAll()]) + exclusions
    return parts[0] if len(parts) == 1 else all_of(parts)
