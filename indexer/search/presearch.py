"""The presearcher's engine-free half: which terms a document must hold for a query to
match it at all, as Lucene Monitor (Luwak) and the percolator put it.

`required_terms(tree, analyse)` walks a parse tree (query_tree.py) and returns a set of
terms such that any document the query matches holds at least one of them, or ANY when no
such set can be said (a query of only NOT, wildcards or dates, or the empty query): such
a query is a candidate for every document. An AND needs only one of its parts, so the part
with the fewest (then the longest, so rarest) terms is kept; an OR needs one of each part.

Terms are (field, word) pairs: ("", word) for the title and text, whose words the engine's
analysis gives through `analyse(leaf)`; (facet, key) for facet values. Being a superset is
all a presearcher must be: whatever it lets through, the real query then decides.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Final, Iterable, Sequence

from indexer.search.facets import facet_key
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
    Wildcard,
    Word,
)

Term = tuple[str, str]
ANY: Final = None       # no set of terms covers the query: always a candidate
TEXT = ""               # the field of title and text words


def required_terms(tree: Node, analyse: Callable[[Word | Phrase], Sequence[str]]
                   ) -> frozenset[Term] | None:
    """Terms one of which every matching document holds; ANY when there are none to say."""
    if isinstance(tree, (Word, Phrase)):
        words = [w for w in analyse(tree) if w]
        # Every word of a phrase (or of a word that analyses to several) is needed: one will do.
        return frozenset({(TEXT, max(words, key=len))}) if words else ANY
    if isinstance(tree, Facet):
        return frozenset({(tree.field, facet_key(tree.value))})
    if isinstance(tree, (Prefix, Wildcard, DateRange, MatchAll, Not)):
        return ANY
    if isinstance(tree, Or):
        parts = [required_terms(item, analyse) for item in tree.items]
        covers = [p for p in parts if p is not ANY]
        return frozenset().union(*covers) if len(covers) == len(parts) else ANY
    if isinstance(tree, And):
        covers = [p for p in (required_terms(item, analyse) for item in tree.items) if p is not ANY]
        return min(covers, key=_cost) if covers else ANY
    raise TypeError(f"not a query node: {tree!r}")


def _cost(terms: frozenset[Term]) -> tuple[int, bool, int]:
    """Fewer terms first, then words before facet values (a country is common), then
    longer words (long words are rarer)."""
    return (len(terms), any(field != TEXT for field, _ in terms),
            -min(len(word) for _, word in terms))


class Presearcher:
    """An index from terms to the queries that need them, and the always-candidates."""

    def __init__(self, covers: Iterable[tuple[int, frozenset[Term] | None]]):
        self.by_term: dict[Term, list[int]] = defaultdict(list)
        self.always: list[int] = []
        for query_id, terms in covers:
            if terms is ANY:
                self.always.append(query_id)
            else:
                for term in terms:
                    self.by_term[term].append(query_id)

    def candidates(self, terms: Iterable[Term]) -> set[int]:
        """The queries that may match a document (or batch) holding these terms."""
        found = set(self.always)
        for term in terms:
            found.update(self.by_term.get(term, ()))
        return found

    def candidate_docs(self, postings: dict[Term, set[int]], every: set[int]
                       ) -> dict[int, set[int]]:
        """For each query that may match, the documents of a batch it may match.

        postings maps terms of the batch to the documents holding them (terms no query
        needs may be left out); an always-candidate gets every document of the batch.
        """
        found: dict[int, set[int]] = {query_id: every for query_id in self.always}
        for term, docs in postings.items():
            for query_id in self.by_term.get(term, ()):
                found.setdefault(query_id, set())
                if found[query_id] is not every:
                    found[query_id] = found[query_id] | docs
        return found
