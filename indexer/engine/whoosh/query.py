"""SearchParams -> Whoosh query: pure functions that tests call without an index."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import islice

from whoosh import query as Q
from whoosh.qparser import MultifieldParser

from indexer.search.params import NORMALISERS, ParamError, SearchParams
from indexer.search.query_checks import MAX_QUERY_CHARS, OPEN_END, QueryError, check_and_rewrite
from indexer.engine.whoosh.schema import FACETS, TEXT_FIELDS, build_schema, day_number, facet_key

__all__ = ["MAX_QUERY_CHARS", "MAX_EXPANSIONS", "QueryError", "build_query", "explain",
           "parse_text", "highlight_terms"]

TITLE_BOOST = 2.0
# A trailing wildcard may stand for at most this many indexed words (per field);
# read when the query runs, since only the index knows the words.
MAX_EXPANSIONS = 256


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
def query_parser() -> MultifieldParser:
    """Whoosh's parser over title and text, AND between words (its default group)."""
    return MultifieldParser(list(TEXT_FIELDS), build_schema(),
                            fieldboosts={"title": TITLE_BOOST})


def parse_text(text: str) -> Q.Query | None:
    """Check and parse the query text (QueryError when bad), or return None when empty."""
    text = text.strip()
    if not text:
        return None
    parsed = query_parser().parse(check_and_rewrite(text))
    if parsed is Q.NullQuery:
        return None
    return parsed.accept(settle_leaf)


def settle_leaf(query: Q.Query) -> Q.Query:
    """Bound wildcards; fold facet values (country names to codes) as filters do."""
    if type(query) is Q.Prefix:
        return BoundedPrefix(query.fieldname, query.text, boost=query.boost)
    if type(query) is Q.Wildcard:
        return BoundedWildcard(query.fieldname, query.text, boost=query.boost)
    if isinstance(query, Q.Term) and query.fieldname in FACETS:
        try:
            value = NORMALISERS[query.fieldname](" ".join(str(query.text).split()))
        except ParamError as exc:
            raise QueryError(f"{exc} in {query.fieldname}: of the query") from None
        return Q.Term(query.fieldname, facet_key(value))
    return query


def facet_filter(facet: str, values: tuple[str, ...]) -> Q.Query:
    """Match any of the values of one facet (OR within a facet)."""
    terms = [Q.Term(facet, facet_key(v)) for v in values]
    return terms[0] if len(terms) == 1 else Q.Or(terms)


def date_filter(params: SearchParams) -> Q.Query | None:
    """Match dated documents whose day lies in the range, both ends included."""
    if params.date_from is None and params.date_to is None:
        return None
    # Explicit ends: 2.7.4's NumericRange from None (or 0) on an unsigned field matches
    # every document up to the end, and one up to 99991231 matches every dated document.
    start = day_number(params.date_from or date.min)
    end = day_number(params.date_to) if params.date_to else OPEN_END
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


def explain(params: SearchParams) -> str:
    """The query a search runs, in readable form: words match the title or the text."""
    return render(build_query(params))


def render(query: Q.Query, bare: bool = False) -> str:
    """Render a query; `bare` leaves out the field names of title/text leaves."""
    if isinstance(query, Q.Or):
        parts = merge_title_text(query.subqueries, bare)
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if isinstance(query, Q.And):
        return "(" + " AND ".join(render(q, bare) for q in flat_and(query)) + ")"
    if isinstance(query, Q.AndNot):
        return f"({render(query.a, bare)} AND NOT {render(query.b, bare)})"
    if isinstance(query, Q.Not):
        return f"NOT {render(query.query, bare)}"
    if isinstance(query, Q.Every):
        return "ALL"
    if isinstance(query, Q.NumericRange) and query.fieldname == "day":
        return f"date:[{day_text(query.start)} TO {day_text(query.end)}]"
    field = getattr(query, "fieldname", None)
    prefix = "" if bare and field in TEXT_FIELDS else f"{field}:"
    if isinstance(query, Q.Phrase):
        slop = f"~{query.slop}" if query.slop > 1 else ""
        return f'{prefix}"{" ".join(map(str, query.words))}"{slop}'
    if isinstance(query, Q.Prefix):
        return f"{prefix}{query.text}*"
    if isinstance(query, (Q.Term, Q.Wildcard)):
        text = str(query.text)
        return f'{prefix}"{text}"' if " " in text else f"{prefix}{text}"
    return str(query)


def flat_and(query: Q.And) -> list:
    """The operands of nested ANDs, in order (AND is associative)."""
    return [leaf for q in query.subqueries
            for leaf in (flat_and(q) if isinstance(q, Q.And) else [q])]


def merge_title_text(queries: list, bare: bool) -> list[str]:
    """Render OR'ed queries, one bare entry for each title/text pair that asks the same."""
    parts, index = [], 0
    while index < len(queries):
        first, second = queries[index], queries[index + 1] if index + 1 < len(queries) else None
        if (second is not None and leaf_fields(first) == {"title"}
                and leaf_fields(second) == {"text"}
                and render(first, True) == render(second, True)):
            parts.append(render(first, True))
            index += 2
        else:
            parts.append(render(first, bare))
            index += 1
    return parts


def leaf_fields(query: Q.Query) -> set:
    """The field names of a query's leaves."""
    leaves = [query] if query.is_leaf() else list(query.leaves())
    return {getattr(leaf, "fieldname", None) for leaf in leaves}


def day_text(number) -> str:
    """YYYY-MM-DD of a YYYYMMDD day number; '*' for the open ends."""
    if number is None or number <= day_number(date.min) or number >= day_number(date.max):
        return "*"
    number = int(number)
    return f"{number // 10000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"
