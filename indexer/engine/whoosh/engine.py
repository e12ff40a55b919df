"""The Whoosh engine: the SearchEngine protocol over an index folder derived from the store."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from corpus.document import Document
from indexer.engine import Progress, SearchResult
from indexer.engine.whoosh import search as whoosh_search
from indexer.engine.whoosh.columns import ColumnCache
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.searchers import Searchers
from indexer.search.params import SearchParams


class WhooshEngine:
    """Writes through SearchIndex (one writer, by lock); reads through reused searchers."""

    def __init__(self, path: str | Path):
        self.index = SearchIndex(path)
        self.searchers = Searchers(self.index)
        self.columns = ColumnCache()

    def catch_up(self, store, progress: Progress | None = None, wait: bool = True) -> int:
        """Index what the store changed since the recorded seq (IndexBusy if not wait)."""
        return self.index.catch_up(store, progress=progress, wait=wait)

    def rebuild(self, store, progress: Progress | None = None) -> int:
        """Build a fresh index from the whole store beside the old one, then swap them."""
        return self.index.rebuild(store, progress=progress)

    def refresh(self, docs: list[Document]) -> None:
        """Rewrite documents whose enriched fields changed; the recorded seq stays."""
        self.index.refresh(docs)

    def indexed_seq(self) -> int | None:
        """The last store seq the index holds; None while there is no index."""
        return self.index.seq()

    def search(self, params: SearchParams) -> SearchResult:
        """One page of matches with counts over all of them."""
        searcher = self.searchers.current()
        return whoosh_search.find(searcher, self.columns.table(searcher), params)

    def duplicates_of(self, params: SearchParams, doc_id: str) -> SearchResult:
        """The matches collapsed with one document."""
        searcher = self.searchers.current()
        return whoosh_search.find_copies(searcher, self.columns.table(searcher), params, doc_id)

    def iter_matches(self, params: SearchParams) -> Iterator[dict]:
        """Every match with its text, in sort order."""
        searcher = self.searchers.current()
        yield from whoosh_search.iter_matches(searcher, self.columns.table(searcher), params)

    def close(self) -> None:
        """Close this thread's searcher."""
        self.searchers.close()
