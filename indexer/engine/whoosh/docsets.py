"""The document numbers a query matches, as a sorted array, read a posting block at a time.

Whoosh's docs_for_query walks a query's matchers one document at a time in Python: for a
word found in a third of 100k documents that walk was a fifth of the search. Here a term's
postings are read a block at a time and AND, OR and NOT become set operations on sorted
arrays; a segment's deleted documents are taken out of each term's array. Any other query
(phrases, wildcards, ranges) is walked by Whoosh as before, so the answer is always the set
docs_for_query gives.
"""
from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcherClass, WrappingMatcher

_EMPTY = np.zeros(0, dtype=np.int64)


def matching_docnums(searcher, query: Q.Query) -> np.ndarray:
    """The sorted global document numbers the query matches (deleted ones left out)."""
    kind = type(query)
    if kind is Q.Term:
        return _term_docnums(searcher, query)
    if kind is Q.Or and not query.minmatch:
        parts = [matching_docnums(searcher, child) for child in query.subqueries]
        return np.unique(np.concatenate(parts)) if parts else _EMPTY
    if kind is Q.And:
        wanted = [c for c in query.subqueries if type(c) is not Q.Not]
        unwanted = [c.query for c in query.subqueries if type(c) is Q.Not]
        if wanted:
            found = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True),
                           (matching_docnums(searcher, c) for c in wanted))
            for child in unwanted:
                found = np.setdiff1d(found, matching_docnums(searcher, child),
                                     assume_unique=True)
            return found
    return _walked(searcher.docs_for_query(query))


def _term_docnums(searcher, term: Q.Term) -> np.ndarray:
    parts = [_matcher_ids(term.matcher(leaf)) + offset
             for leaf, offset in searcher.leaf_searchers()]
    return np.concatenate(parts) if parts else _EMPTY


def _matcher_ids(matcher) -> np.ndarray:
    """The ids of a fresh term matcher, by whole blocks when it is a plain posting list."""
    matcher, _, deleted = unwrapped(matcher)
    ids = _posting_ids(matcher)
    return ids[~np.isin(ids, deleted)] if len(deleted) else ids


def unwrapped(matcher) -> tuple[Any, float, np.ndarray]:
    """A term matcher's posting list, its boost, and the deleted ids it leaves out.

    Whoosh wraps a term's postings in a FilterMatcher of the segment's deleted documents,
    then in a WrappingMatcher for the term's boost (whoosh.query.Term.matcher).
    """
    boost, deleted = 1.0, _EMPTY
    if type(matcher) is WrappingMatcher:
        boost, matcher = matcher.boost, matcher.child
    if type(matcher) is FilterMatcher and matcher._exclude and matcher.boost == 1.0:
        deleted = np.fromiter(matcher._ids, dtype=np.int64, count=len(matcher._ids))
        matcher = matcher.child
    return matcher, boost, deleted


def _posting_ids(matcher) -> np.ndarray:
    if type(matcher) is W3LeafMatcher:
        blocks = []
        while matcher.is_active():
            blocks.append(block_ids(matcher)[matcher._i:])
            matcher._next_block()
        return np.concatenate(blocks) if blocks else _EMPTY
    if type(matcher) is ListMatcher:              # postings inlined in the term table
        return np.asarray(list(matcher.all_ids()), dtype=np.int64)
    if isinstance(matcher, NullMatcherClass):
        return _EMPTY
    return _walked(matcher.all_ids())


def block_ids(matcher: W3LeafMatcher) -> np.ndarray:
    """The ids of the matcher's current block, decoded as its _read_ids does (Whoosh
    2.7.4, pinned): a block keeps the gaps between ids unless they are single bytes."""
    if matcher._ids is not None:
        return np.asarray(matcher._ids, dtype=np.int64)
    if matcher._data is None:
        matcher._read_data()
    raw = np.asarray(matcher._data[0], dtype=np.int64)
    return raw if matcher._byteids else np.cumsum(raw)


def _walked(docnums) -> np.ndarray:
    return np.sort(np.fromiter(docnums, dtype=np.int64))
