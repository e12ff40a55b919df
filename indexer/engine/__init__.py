"""Search engines behind one protocol; whoosh/ is the embedded default.

An engine finds and counts; it knows nothing of JSON, snippets or histograms.
indexer/search/results.py turns its SearchResult into the Search JSON of INTERFACES.md,
so every engine answers with the same shape and the same snippet and histogram rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator, Protocol, Sequence

from corpus.document import Document
from indexer.search.params import SearchParams

Progress = Callable[[int], None]     # called with the seq of each document indexed
# Documents by id, as INTERFACES.md JSON with their text, read from the store: an index
# holds no document, only what finds and sorts them. Ids the store lacks are left out.
Fetch = Callable[[Sequence[str]], dict[str, dict]]


@dataclass
class SearchResult:
    """What an engine found for one page of a search.

    `documents` are the page's documents in order (INTERFACES.md fields, text included,
    for the snippets); `facets` count values over all matches, labels as stored: each
    facet's first params.facet_limit values (facets.first_values: by count, then label),
    and `facet_sizes` how many values each facet has in all;
    `days` count dated matches per published day; `words` are the folded words (and
    marked stems, indexer.text) the query matched, which snippets highlight.
    """

    documents: list[dict]
    total: int
    groups: int
    duplicates: dict[str, int] = field(default_factory=dict)       # id -> collapsed copies
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    facet_sizes: dict[str, int] = field(default_factory=dict)
    days: dict[date, int] = field(default_factory=dict)
    undated: int = 0
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SavedQuery:
    """A saved search as matching runs it: its id and its params, date bounds resolved."""

    id: int
    params: SearchParams


@dataclass
class Matches:
    """What match_new found: search id -> document id -> the indexed words that matched.

    `candidates` counts the (search, document) pairs the engine ran a search on (its
    presearcher's choice; every pair for an engine without one), for the benchmark.
    """

    hits: dict[int, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    candidates: int = 0


class UnknownDocument(LookupError):
    """No document in the index has the id asked for."""


class IndexDamaged(RuntimeError):
    """The engine's index cannot be read (a file missing or broken); rebuild it."""


class IndexBusy(RuntimeError):
    """Another process is writing the index (catch_up asked not to wait)."""


class IndexWorkerFault(RuntimeError):
    """A process writing part of the index failed or died; nothing of that commit is kept
    (the documents are in the store: the next catch-up indexes them)."""


class SearchEngine(Protocol):
    """What every engine does: follow the store, and search what it holds."""

    def catch_up(self, store, progress: Progress | None = None, wait: bool = True,
                 workers: int | None = None) -> int:
        """Index the documents the store changed since the engine last looked; how many.

        workers: processes an engine that indexes in this process may use (default: one
        per core); a server engine ignores it.
        """

    def rebuild(self, store, progress: Progress | None = None,
                workers: int | None = None) -> int:
        """Index the whole store afresh; return how many documents (workers: catch_up's)."""

    def refresh(self, docs: list[Document]) -> None:
        """Rewrite documents whose enrichment changed (their seq did not)."""

    def indexed_seq(self) -> int | None:
        """The last store seq the engine holds; None while it holds no index."""

    def document_count(self) -> int:
        """How many documents the index holds (IndexDamaged when it cannot be read)."""

    def search(self, params: SearchParams) -> SearchResult:
        """One page of matches (near-duplicates collapsed), with counts over all matches."""

    def duplicates_of(self, params: SearchParams, doc_id: str) -> SearchResult:
        """The matches collapsed with one document; UnknownDocument when there is none."""

    def iter_matches(self, params: SearchParams) -> Iterator[dict]:
        """Every match with its text, in the params' sort order, without paging."""

    def explain(self, params: SearchParams) -> str:
        """The query as the engine runs it (words as the engine analyses them)."""

    def match_new(self, saved_searches: Sequence[SavedQuery], documents: Sequence[Document]
                  ) -> Matches:
        """Which saved searches match which of these documents (new ones, not yet indexed
        or not: the engine reads them as given), with the words that matched."""

    def close(self) -> None:
        """Let go of open searchers and files."""

