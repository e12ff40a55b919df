"""The Whoosh engine: the SearchEngine protocol over an index folder derived from the store."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from corpus.document import Document
from indexer.engine import (
    Fetch,
    IndexDamaged,
    Matches,
    Progress,
    SavedQuery,
    SearchResult,
    UnknownDocument,
)
from indexer.engine.documents import store_documents
from indexer.engine.whoosh import matching
from indexer.engine.whoosh import query as whoosh_query
from indexer.engine.whoosh import search as whoosh_search
from indexer.engine.whoosh.columns import ColumnCache
from indexer.engine.whoosh.index import SearchIndex
from indexer.engine.whoosh.searchers import Searchers
from indexer.search.params import SearchParams
from indexer.search.query_tree import QueryError


class WhooshEngine:
    """Writes through SearchIndex (one writer, by lock); reads through reused searchers.

    The index holds no documents: those a search shows are read by id through `fetch`
    (the instance passes its store's); without one, from the store the index was last
    built from, as the index folder records it.
    """

    def __init__(self, path: str | Path, fetch: Fetch | None = None):
        self.index = SearchIndex(path)
        self.searchers = Searchers(self.index)
        self.columns = ColumnCache()
        self._fetch = fetch

    def fetch(self, ids) -> dict[str, dict]:
        """The documents of these ids from the store (those it lacks left out)."""
        if self._fetch is not None:
            return self._fetch(ids)
        store = self.index.store_path()
        return store_documents(store)(ids) if store is not None else {}

    def catch_up(self, store, progress: Progress | None = None, wait: bool = True,
                 workers: int | None = None) -> int:
        """Index what the store changed since the recorded seq (IndexBusy if not wait); a
        large backlog in `workers` processes (default: one per core)."""
        return self.index.catch_up(store, progress=progress, wait=wait, workers=workers)

    def rebuild(self, store, progress: Progress | None = None,
                workers: int | None = None) -> int:
        """Build a fresh index from the whole store beside the old one, then swap them."""
        return self.index.rebuild(store, progress=progress, workers=workers)

    def refresh(self, docs: list[Document]) -> None:
        """Rewrite documents whose enriched fields changed; the recorded seq stays."""
        self.index.refresh(docs)

    def indexed_seq(self) -> int | None:
        """The last store seq the index holds; None while there is no index."""
        return self.index.seq()

    def document_count(self) -> int:
        """How many documents the index holds."""
        # _reading builds the column table, which proves the segments' files are there
        with self._reading() as (searcher, _table):
            return searcher.doc_count()

    def search(self, params: SearchParams) -> SearchResult:
        """One page of matches with counts over all of them."""
        with self._reading() as (searcher, table):
            return whoosh_search.find(searcher, table, params, self.fetch)

    def duplicates_of(self, params: SearchParams, doc_id: str) -> SearchResult:
        """The matches collapsed with one document."""
        with self._reading() as (searcher, table):
            return whoosh_search.find_copies(searcher, table, params, doc_id,
                                            self.fetch)

    def iter_matches(self, params: SearchParams) -> Iterator[dict]:
        """Every match with its text, in sort order."""
        with self._reading() as (searcher, table):
            yield from whoosh_search.iter_matches(searcher, table, params, self.fetch)

    @contextmanager
    def _reading(self) -> Iterator[tuple]:
        """This thread's searcher and column table; IndexDamaged when the index is unreadable.

        The index is derived from the store, so any failure to read it (a file deleted,
        cut short or garbled) has one way out, a rebuild, whatever Whoosh raised. What a
        user asked wrongly (QueryError, UnknownDocument) passes through as it is, and so
        does a failure to read documents from the store (sqlite3.Error), not the index's.
        """
        try:
            searcher = self.searchers.current()
            yield searcher, self.columns.table(searcher)
        except (QueryError, UnknownDocument, sqlite3.Error):
            raise
        except Exception as exc:  # noqa: BLE001 - see the docstring
            self.searchers.close()
            raise IndexDamaged(f"the index at {self.index.path} cannot be read "
                               f"({type(exc).__name__}: {exc})") from exc

    def explain(self, params: SearchParams) -> str:
        """The query in readable form, words shown as Whoosh's analysis indexes them."""
        return whoosh_query.explain(params)

    def match_new(self, saved_searches: Sequence[SavedQuery], documents: Sequence[Document]
                  ) -> Matches:
        """Saved searches against new documents: presearcher + in-memory index (matching.py)."""
        return matching.match_batch(saved_searches, documents)

    def match_in_index(self, saved_searches: Sequence[SavedQuery],
                       documents: Sequence[Document]) -> Matches:
        """The plain way, over the main index (the benchmark's baseline, the tests' oracle)."""
        with self._reading() as (searcher, _table):
            return matching.match_in_index(searcher, saved_searches, documents)

    def close(self) -> None:
        """Close this thread's searcher."""
        self.searchers.close()
