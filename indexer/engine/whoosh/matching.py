"""Saved searches against new documents, the Lucene Monitor way, and the plain way.

The presearcher way (`match_batch`): the batch goes into a small in-memory Whoosh index
with the main index's schema and analysis; its terms are read back from that index, and a
presearcher (indexer/search/presearch.py) picks the saved searches that may match at all;
only those run, each over the small index. The plain way (`match_in_index`): every saved
search runs over the main index, its matches kept to the batch's documents. Both answer
the same Matches: tests hold the first to the second, the benchmark times both.

Wildcards expand over the words the index searched holds, without the search page's bound:
an alert is not the place to refuse a query it accepted when it was saved.
"""
from __future__ import annotations

import copy
import fnmatch
import re
from functools import lru_cache
from typing import Iterable, Sequence

from whoosh import query as Q
from whoosh.analysis import Filter
from whoosh.codec.memory import MemoryCodec
from whoosh.searching import Searcher

from corpus.document import Document
from indexer.engine import Matches, SavedQuery
from indexer.engine.fields import day_number, facet_values, indexed_day
from indexer.engine.whoosh.query import (
    BoundedPrefix,
    BoundedWildcard,
    analyse,
    build_query,
    positive_leaves,
)
from indexer.engine.whoosh.schema import TEXT_FIELDS, build_schema, facet_key
from indexer.search.params import SearchParams
from indexer.search.presearch import TEXT, Presearcher, Term, required_terms
from indexer.search.query_language import search_tree
from indexer.search.query_tree import Phrase
from indexer.store.stored import stored_id

WRITER_OPTIONS = {"procs": 1, "limitmb": 128}


@lru_cache(maxsize=65536)
def compiled(params: SearchParams) -> Q.Query:
    """The Whoosh query of a saved search, wildcards unbounded (params are hashable)."""
    return build_query(params).accept(unbounded)


def unbounded(query: Q.Query) -> Q.Query:
    """The plain Whoosh wildcard for a bounded one."""
    if isinstance(query, BoundedPrefix):
        return Q.Prefix(query.fieldname, query.text, boost=query.boost)
    if isinstance(query, BoundedWildcard):
        return Q.Wildcard(query.fieldname, query.text, boost=query.boost)
    return query


@lru_cache(maxsize=65536)
def cover(params: SearchParams) -> frozenset[Term] | None:
    """The terms one of which a document needs for the saved search to match it."""
    return required_terms(search_tree(params), leaf_words)


def leaf_words(leaf) -> list[str]:
    """A word's or phrase's indexed words, as the text field analyses them."""
    if isinstance(leaf, Phrase):
        return analyse("text", " ".join(leaf.words), "phrase")
    return analyse("text", leaf.text, "word")


def batch_fields(doc: Document) -> dict:
    """What the small index needs of a document: words, facets and day (nothing stored)."""
    fields: dict[str, str | list[str] | int] = {
        "id": stored_id(doc), "title": doc.title or "", "text": doc.text or ""}
    for name, values in facet_values(doc).items():
        fields[name] = [facet_key(v) for v in values]
    day = indexed_day(doc)      # the publisher's day, as the main index keeps
    if day is not None:
        fields["day"] = day_number(day)
    return fields


@lru_cache(maxsize=1)
def batch_schema():
    """The main index's fields and analysis, without its stored values and sort columns
    (a batch index is searched, never shown or sorted)."""
    batch = build_schema()
    for name in ("timestamp", "nearsig", "month", "date_source"):
        batch.remove(name)
    for name in batch.names():
        batch[name].column_type = None
        batch[name].stored = False
    return batch


class KeepNeeded(Filter):
    """Let through only the words some saved search can ask for (see needed_words).

    Positions are given before this filter, so the words kept keep theirs and phrases
    match as in the main index; a word no search names cannot change any answer.
    """

    def __init__(self, needed: "NeededWords"):
        self.needed = needed

    def __call__(self, tokens):
        for token in tokens:
            if self.needed.wants(token.text):
                yield token


class NeededWords:
    """The title and text words saved searches name: exact words, prefixes and patterns."""

    def __init__(self, exact: set[str], prefixes: set[str], patterns: list):
        self.exact, self.patterns = exact, patterns
        self.prefixes = prefixes
        self.lengths = sorted({len(p) for p in prefixes})
        self.known: dict[str, bool] = {}      # a batch says the same words many times

    def wants(self, word: str) -> bool:
        """Whether a saved search can ask for this indexed word."""
        verdict = self.known.get(word)
        if verdict is None:
            verdict = self.known[word] = (
                word in self.exact or any(word[:n] in self.prefixes for n in self.lengths)
                or any(pattern.match(word) for pattern in self.patterns))
        return verdict


def needed_words(queries: Iterable[Q.Query]) -> NeededWords | None:
    """The words of title and text the queries can match, even under a NOT; None when a
    query holds a kind of leaf this does not know (then every word is kept)."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    patterns = []
    stack = list(queries)
    while stack:
        query = stack.pop()
        if not query.is_leaf() and not isinstance(query, Q.Phrase):
            stack.extend(query.children())
            continue
        if getattr(query, "fieldname", None) not in TEXT_FIELDS:
            continue                    # facets, days, Every(): not title or text words
        if isinstance(query, Q.Term):
            exact.add(query.text)
        elif isinstance(query, Q.Phrase):
            exact.update(query.words)
        elif isinstance(query, Q.Prefix):
            prefixes.add(query.text)
        elif isinstance(query, Q.Wildcard):
            patterns.append(re.compile(fnmatch.translate(query.text)))
        else:
            return None
    return NeededWords(exact, prefixes, patterns)


def batch_searcher(documents: Sequence[Document], needed: NeededWords | None = None) -> Searcher:
    """A searcher over an in-memory index of the documents (docnums in their order).

    Whoosh's memory codec keeps the postings in Python structures: nothing is encoded
    into segment files only to be decoded again. Indexing only the needed words cuts
    most of the rest: a saved search names few of a batch's words.
    """
    schema = batch_schema()
    if needed is not None:
        schema = copy.deepcopy(schema)
        for name in TEXT_FIELDS:
            schema[name].analyzer = schema[name].analyzer | KeepNeeded(needed)
    codec = MemoryCodec()
    writer = codec.writer(schema)
    for doc in documents:
        writer.add_document(**batch_fields(doc))
    writer.commit()
    return Searcher(codec.reader(schema))


def postings_of(reader, terms: Iterable[Term]) -> dict[Term, set[int]]:
    """The documents of the batch holding each of these terms (absent terms left out)."""
    found: dict[Term, set[int]] = {}
    for term in terms:
        field, word = term
        docs: set[int] = set()
        for name in (TEXT_FIELDS if field == TEXT else (field,)):
            if (name, word) in reader:
                docs.update(reader.postings(name, word).all_ids())
        if docs:
            found[term] = docs
    return found


def match_batch(saved: Sequence[SavedQuery], documents: Sequence[Document]) -> Matches:
    """The presearcher way: candidate searches only, over an in-memory index of the batch."""
    found = Matches()
    if not documents or not saved:
        return found
    presearcher = Presearcher((query.id, cover(query.params)) for query in saved)
    needed = needed_words(compiled(query.params) for query in saved)
    with batch_searcher(documents, needed) as searcher:
        reader = searcher.reader()
        candidates = presearcher.candidate_docs(
            postings_of(reader, presearcher.by_term), every=set(range(len(documents))))
        ids = dict(enumerate(stored_id(doc) for doc in documents))
        words = WordFinder(reader)
        for query in saved:
            maybe = candidates.get(query.id)
            if maybe:
                found.candidates += len(maybe)
                record(found, query, searcher, words, ids, maybe)
    return found


def match_in_index(searcher, saved: Sequence[SavedQuery], documents: Sequence[Document]
                   ) -> Matches:
    """The plain way: every saved search over the main index, kept to the batch's documents."""
    found = Matches()
    batch = {searcher.document_number(id=doc.id): stored_id(doc) for doc in documents}
    batch.pop(None, None)
    words = WordFinder(searcher.reader())
    for query in saved:
        found.candidates += len(batch)
        record(found, query, searcher, words, batch, set(batch))
    return found


def record(found: Matches, query: SavedQuery, searcher, words: "WordFinder",
           ids: dict[int, str], allowed: set[int]) -> None:
    """Run one saved search and note its matches among the allowed documents."""
    whoosh_query = compiled(query.params)
    matched = [d for d in searcher.docs_for_query(whoosh_query) if d in allowed]
    if matched:
        per_doc = words.of(whoosh_query, matched)
        found.hits[query.id] = {ids[d]: per_doc[d] for d in matched}


class WordFinder:
    """The words of a query each matching document holds, postings read once per word."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self._postings: dict[tuple[str, str], frozenset[int]] = {}
        self._expanded: dict[Q.Query, list[tuple[str, str]]] = {}

    def of(self, query: Q.Query, docnums: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """docnum -> the sorted query words (folded, stems marked) it holds."""
        terms = self.terms(query)
        return {d: tuple(sorted({word for field, word in terms if d in self.docs(field, word)}))
                for d in docnums}

    def terms(self, query: Q.Query) -> list[tuple[str, str]]:
        """The (field, word) pairs of title and text the query asks for, wildcards expanded."""
        if query not in self._expanded:
            found = set()
            for leaf in positive_leaves(query):
                if getattr(leaf, "fieldname", None) not in TEXT_FIELDS:
                    continue
                for field, word in leaf.existing_terms(self.reader, phrases=True, expand=True):
                    if field in TEXT_FIELDS:
                        found.add((field, word.decode("utf-8") if isinstance(word, bytes) else word))
            self._expanded[query] = sorted(found)
        return self._expanded[query]

    def docs(self, field: str, word: str) -> frozenset[int]:
        """The documents holding a word in a field."""
        key = (field, word)
        if key not in self._postings:
            self._postings[key] = frozenset(self.reader.postings(field, word).all_ids())
        return self._postings[key]
