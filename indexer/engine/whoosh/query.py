"""The query language's tree (indexer/search/query_tree.py) -> Whoosh queries.

Pure functions that tests call without an index. Words are analysed by the field's own
analyzer, as Whoosh's parser did: a single word through process_text (StemmedText looks
it up by its stem), a phrase through tokenize (exact words), a wildcard kept whole.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import islice

from whoosh import query as Q

from indexer.engine.fields import day_number
from indexer.engine.whoosh.schema import TEXT_FIELDS, build_schema, facet_key
from indexer.search import explain as explaining
from indexer.search.params import SearchParams
from indexer.search.query_language import parse, search_parts
from indexer.search.query_tree import (
    MAX_QUERY_CHARS,
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

__all__ = ["MAX_QUERY_CHARS", "MAX_EXPANSIONS", "QueryError", "build_query", "explain",
           "parse_text", "compile_tree", "highlight_terms"]

TITLE_BOOST = 2.0
# Words without a field search these, the title counting double.
FIELD_BOOSTS = (("title", TITLE_BOOST), ("text", 1.0))
# A trailing wildcard may stand for at most this many indexed words (per field);
# read when the query runs, since only the index knows the words.
MAX_EXPANSIONS = 256
# The open end of a date range: the largest 32-bit day number. Not 99991231 (date.max):
# whoosh 2.7.4's NumericRange up to 99991231 on this field also matches earlier days.
OPEN_END = 2**32 - 1


class BoundedExpansion:
    """Mixin for Prefix/Wildcard: refuse, when searched, to expand past MAX_EXPANSIONS."""

    def _btexts(self, ixreader):
        words = list(islice(super()._btexts(ixreader), MAX_EXPANSIONS + 1))
        if len(words) > MAX_EXPANSIONS:
            raise QueryError(f"wildcard {self.pattern()} matches more than {MAX_EXPANSIONS} "
                             "words; give more letters before the *")
        return words


class BoundedPrefix(BoundedExpansion, Q.Prefix):
    def pattern(self) -> str:
        return f"{self.text}*"


class BoundedWildcard(BoundedExpansion, Q.Wildcard):
    def pattern(self) -> str:
        return self.text


@lru_cache(maxsize=1)
def schema():
    """The index schema, whose field analyzers turn query words into indexed words."""
    return build_schema()


def analyse(field: str, text: str, how: str) -> list[str]:
    """The indexed words of query text: how="word" (stems), "phrase" (exact), "pattern"."""
    field_type = schema()[field]
    if how == "phrase":
        return [token.text for token in field_type.tokenize(text, mode="query")]
    whole = how == "pattern"
    return list(field_type.process_text(text, mode="query", tokenize=not whole,
                                        removestops=not whole))


def explain(params: SearchParams) -> str:
    """The query a search runs, in readable form: words match the title or the text."""
    return explaining.explain(params, analyse)


def parse_text(text: str) -> Q.Query | None:
    """Parse query text (QueryError when bad) to a Whoosh query; None when it asks nothing."""
    return compile_tree(parse(text))


def compile_tree(tree: Node) -> Q.Query | None:
    """A query tree as a normalised Whoosh query with bounded wildcards; None for none."""
    query = leaf_or_group(tree).normalize()
    if query is Q.NullQuery or isinstance(tree, MatchAll):
        return None
    return query.accept(bound_expansion)


def leaf_or_group(node: Node) -> Q.Query:
    """Compile one node (not yet normalised: normalising drops the empty parts)."""
    if isinstance(node, And):
        # Whoosh normalises an AND holding Every() to Every(), dropping the other items.
        items = [item for item in node.items if not isinstance(item, MatchAll)]
        return Q.And([leaf_or_group(item) for item in items or node.items])
    if isinstance(node, Or):
        return Q.Or([leaf_or_group(item) for item in node.items])
    if isinstance(node, Not):
        if isinstance(node.item, Not):              # a double negation asks for the item
            return leaf_or_group(node.item.item)
        return Q.Not(leaf_or_group(node.item))
    if isinstance(node, MatchAll):
        return Q.Every()
    if isinstance(node, Facet):
        return Q.Term(node.field, facet_key(node.value))
    if isinstance(node, DateRange):
        return day_range(node.start, node.end)
    if node.field is not None:
        return text_leaf(node, node.field, 1.0)
    return Q.Or([text_leaf(node, field, boost) for field, boost in FIELD_BOOSTS])


def text_leaf(node: Word | Phrase | Prefix | Wildcard, field: str, boost: float) -> Q.Query:
    """A word, phrase or wildcard on one field (a phrase when a word holds several)."""
    if isinstance(node, Phrase):
        words = analyse(field, " ".join(node.words), "phrase")
        return Q.Phrase(field, words, slop=node.slop, boost=boost)
    if isinstance(node, Word):
        words = analyse(field, node.text, "word")
        if len(words) == 1:
            return Q.Term(field, words[0], boost=boost)
        # A word the analysis splits (a ZWNJ compound, al-Assad, U.S.-Iran) asks for its
        # parts in their order, as a phrase of their exact words: a compound typed with a
        # ZWNJ finds the compound, not documents that hold its parts apart.
        return Q.Phrase(field, analyse(field, node.text, "phrase"), boost=boost)
    kind = Q.Prefix if isinstance(node, Prefix) else Q.Wildcard
    pattern = analyse(field, node.text if isinstance(node, Prefix) else node.pattern, "pattern")
    return kind(field, pattern[0], boost=boost) if pattern else Q.NullQuery


def day_range(start: date | None, end: date | None) -> Q.NumericRange:
    """Dated documents whose day lies in the range, both ends included."""
    # Explicit ends: 2.7.4's NumericRange from None (or 0) on an unsigned field matches
    # every document up to the end, and one up to 99991231 matches every dated document.
    return Q.NumericRange("day", day_number(start or date.min),
                          day_number(end) if end else OPEN_END)


def bound_expansion(query: Q.Query) -> Q.Query:
    """Bound wildcards: refuse at search time to expand past MAX_EXPANSIONS words."""
    if type(query) is Q.Prefix:
        return BoundedPrefix(query.fieldname, query.text, boost=query.boost)
    if type(query) is Q.Wildcard:
        return BoundedWildcard(query.fieldname, query.text, boost=query.boost)
    return query


def build_query(params: SearchParams) -> Q.Query:
    """Combine text, included facets, dates and exclusions with AND."""
    text, filters, exclusions = search_parts(params)
    query = compile_tree(text) if text is not None else None
    positive = ([query] if query is not None else []) + [leaf_or_group(f) for f in filters]
    negative = [leaf_or_group(n) for n in exclusions]
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
