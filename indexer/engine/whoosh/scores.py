"""Relevance scores of a one-word search for every match at once, equal to Whoosh's.

A single word is the most common search and, for a frequent word, the slowest: Whoosh
scores its tens of thousands of matches one at a time in Python (BM25F, one call per
posting per field) to keep the best page. A word compiles to at most two terms (its
marked stem in the title, boosted, and in the text: query.py); here each term's postings
are read a block at a time and scored with numpy using the very formula, statistics and
order of operations of Whoosh's BM25FScorer, so every score is the same float and the
pages are the same. The sum of a document's two field scores is one addition, which does
not depend on the order Whoosh's union matcher adds them in.

Anything else (more terms, whose sums Whoosh associates by its matcher tree; another
weighting) returns None, and Whoosh scores it as before.
"""
from __future__ import annotations

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching import ListMatcher, NullMatcherClass
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.util.numeric import _length_byte_cache

from indexer.engine.whoosh.docsets import block_ids, unwrapped

_LENGTHS = np.asarray(_length_byte_cache, dtype=np.float64)    # Whoosh's byte_to_length
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float64)

Scored = tuple[np.ndarray, np.ndarray]      # sorted global document numbers, their scores


def one_word_scores(searcher, query: Q.Query) -> Scored | None:
    """Every match of a query of one or two terms with its BM25F score; None otherwise."""
    terms = scored_terms(query)
    if terms is None or type(searcher.weighting) is not BM25F or searcher.weighting._field_B:
        return None
    docnums, scores = [], []
    for leaf, offset in searcher.leaf_searchers():
        parts = [term_scores(leaf, term) for term in terms]
        if any(part is None for part in parts):
            return None
        ids, total = add_up(parts)       # type: ignore[arg-type]
        docnums.append(ids + offset)
        scores.append(total)
    if not docnums:
        return _EMPTY_IDS, _EMPTY_SCORES
    return np.concatenate(docnums), np.concatenate(scores)


def scored_terms(query: Q.Query) -> list[Q.Term] | None:
    """The terms of a Term, or of an Or of at most two Terms; None for any other query."""
    if type(query) is Q.Term:
        return [query]
    if (type(query) is Q.Or and not query.minmatch and not query.scale and query.boost == 1.0
            and 0 < len(query.subqueries) <= 2
            and all(type(child) is Q.Term for child in query.subqueries)):
        return list(query.subqueries)
    return None


def term_scores(leaf, term: Q.Term) -> Scored | None:
    """One segment's matches of a term and their scores, as Whoosh's matcher gives them."""
    matcher, boost, deleted = unwrapped(term.matcher(leaf))
    if isinstance(matcher, NullMatcherClass):
        return _EMPTY_IDS, _EMPTY_SCORES
    if type(matcher) is W3LeafMatcher:
        scorer, (ids, weights) = matcher.scorer, leaf_postings(matcher)
    elif type(matcher) is ListMatcher:           # postings inlined in the term table
        scorer, (ids, weights) = matcher._scorer, list_postings(matcher)
    else:
        return None
    if type(scorer) is not BM25FScorer:
        return None
    if len(deleted):
        live = ~np.isin(ids, deleted)
        ids, weights = ids[live], weights[live]
    lengths = _LENGTHS[field_length_bytes(leaf.reader(), term.fieldname)[ids]]
    scores = bm25(scorer.idf, weights, lengths, scorer.avgfl, scorer.B, scorer.K1)
    return ids, scores * boost if boost != 1.0 else scores


def bm25(idf: float, tf: np.ndarray, fl: np.ndarray, avgfl: float, B: float, K1: float
         ) -> np.ndarray:
    """whoosh.scoring.bm25 on arrays, operation for operation (so float for float)."""
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))


def leaf_postings(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """A fresh block matcher's ids and weights (float32 on disk, as Whoosh reads them)."""
    ids, weights = [], []
    while matcher.is_active():
        if matcher._weights is None:
            matcher._read_weights()
        ids.append(block_ids(matcher)[matcher._i:])
        weights.append(np.asarray(matcher._weights, dtype=np.float64)[matcher._i:])
        matcher._next_block()
    if not ids:
        return _EMPTY_IDS, _EMPTY_SCORES
    return np.concatenate(ids), np.concatenate(weights)


def list_postings(matcher: ListMatcher) -> tuple[np.ndarray, np.ndarray]:
    """An inlined posting list's ids and weights, as ListMatcher.weight gives them."""
    ids = np.asarray(matcher._ids, dtype=np.int64)
    if matcher._all_weights:
        weights = np.full(len(ids), matcher._all_weights, dtype=np.float64)
    elif matcher._weights:
        weights = np.asarray(matcher._weights, dtype=np.float64)
    else:
        weights = np.ones(len(ids), dtype=np.float64)
    return ids, weights


def field_length_bytes(reader, fieldname: str) -> np.ndarray:
    """A segment's length byte of a field per document, read once per reader."""
    cache = reader.__dict__.setdefault("_mm_length_bytes", {})
    if fieldname not in cache:
        column = reader._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        data = np.zeros(reader.doc_count_all(), dtype=np.uint8)
        if column is not None:
            count = min(column._count, len(data))
            data[:count] = np.frombuffer(column._dbfile.get(column._basepos, count),
                                         dtype=np.uint8)
        cache[fieldname] = data
    return cache[fieldname]


def add_up(parts: list[Scored]) -> Scored:
    """The union of one or two terms' matches, each document's scores added."""
    if len(parts) == 1:
        return parts[0]
    ids = np.union1d(parts[0][0], parts[1][0])
    total = np.zeros(len(ids), dtype=np.float64)
    for part_ids, part_scores in parts:
        total[np.searchsorted(ids, part_ids)] += part_scores
    return ids, total
