"""The PostgreSQL engine: the SearchEngine protocol over search_entries, through a pool.

PgEngine(url or pool, store): the search rows live in the database the URL names (the
store's own, when the store is PostgreSQL too, or any other). catch_up indexes the
documents the store changed since the seq recorded in search_meta, in batches, each
batch's rows and the new seq in one transaction; a store that writes search rows itself
(rows.write_rows in its own transaction) leaves catch_up nothing to do. Writers take an
advisory lock (one at a time across machines); readers need none, and every search reads
one snapshot (REPEATABLE READ, READ ONLY: a hot standby serves it too).
"""
from __future__ import annotations

from contextlib import contextmanager
from itertools import islice
from typing import Iterable, Iterator, Sequence

from corpus.document import Document, to_json
from indexer.engine import IndexBusy, Matches, Progress, SavedQuery, SearchResult
from indexer.engine.postgres import schema
from indexer.engine.postgres import search as pg_search
from indexer.engine.postgres.analysis import analyse
from indexer.engine.postgres.rows import write_rows
from indexer.search import explain as explaining
from indexer.search.params import SearchParams
from indexer.store.postgres.pool import pooled
from indexer.store.stored import stored_seq

BATCH = 500               # documents per catch-up transaction
SEQ_KEY = "indexed_seq"


class PgEngine:
    """Search rows in PostgreSQL; documents shown are read from the store by id."""

    def __init__(self, database, store=None, fetch: pg_search.Fetch | None = None,
                 read_database: str | None = None):
        # A URL borrows the process's pool for it, the one the PostgreSQL store uses too.
        self.pool = pooled(database).pool if isinstance(database, str) else database
        # Searches go to a hot standby when one is named; writes and the schema never do.
        self.read_pool = pooled(read_database, readonly=True).pool if read_database else None
        self.store = store
        self._fetch = fetch
        with self.pool.connection() as conn:
            schema.apply(conn)

    def fetch(self, ids: Sequence[str]) -> dict[str, dict]:
        """The documents of these ids from the store (those it lacks left out)."""
        if self._fetch is not None:
            return self._fetch(ids)
        if self.store is None or not ids:
            return {}
        return {doc_id: to_json(doc) for doc_id, doc in self.store.get_many(ids).items()}

    # ---- writing ---------------------------------------------------------------------

    @contextmanager
    def _writing(self, wait: bool = True) -> Iterator:
        """A connection holding the write lock (a session lock: batches commit apart)."""
        with self.pool.connection() as conn:
            if wait:
                conn.execute("SELECT pg_advisory_lock(%s)", (schema.WRITE_LOCK,))
            elif not _first(conn.execute("SELECT pg_try_advisory_lock(%s)",
                                         (schema.WRITE_LOCK,))):
                raise IndexBusy("the search rows are being written by another process")
            try:
                yield conn
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (schema.WRITE_LOCK,))

    def catch_up(self, store, progress: Progress | None = None, wait: bool = True,
                 workers: int | None = None) -> int:
        """Index what the store changed since the recorded seq (IndexBusy if not wait).

        workers is ignored: the rows are written by the server, in this one transaction.
        """
        with self._writing(wait) as conn:
            start, target = self._seq(conn), store.last_seq()
            if start is None or start > target:
                # Never indexed, or rows ahead of their store (another store): afresh.
                return self._rebuild(conn, store, progress)
            if start == target:
                return 0
            return self._write(conn, store.iter_since(start), target, progress)

    def rebuild(self, store, progress: Progress | None = None,
                workers: int | None = None) -> int:
        """Index the whole store afresh, in one transaction: searches see the old rows
        until it commits."""
        with self._writing() as conn:
            return self._rebuild(conn, store, progress)

    def _rebuild(self, conn, store, progress: Progress | None) -> int:
        target = store.last_seq()
        with conn.transaction():
            # DELETE, not TRUNCATE: a search running meanwhile keeps reading the old rows.
            for table in ("search_entries", "search_words", "search_labels"):
                conn.execute(f"DELETE FROM {table}")
            return self._write(conn, store.iter_all(), target, progress)

    def _write(self, conn, docs: Iterable[Document], target: int,
               progress: Progress | None) -> int:
        """Write documents up to seq target in batches, recording each batch's last seq."""
        count = 0
        docs = iter(docs)
        while batch := [d for d in islice(docs, BATCH) if stored_seq(d) <= target]:
            with conn.transaction(), conn.cursor() as cur:
                count += write_rows(cur, batch)
                self._set_seq(conn, stored_seq(batch[-1]))
            if progress:
                for doc in batch:
                    progress(stored_seq(doc))
            if stored_seq(batch[-1]) >= target:
                break
        with conn.transaction():
            self._set_seq(conn, max(target, self._seq(conn) or 0))
        return count

    def refresh(self, docs: list[Document]) -> None:
        """Rewrite documents whose enriched fields changed; the recorded seq stays."""
        with self._writing() as conn, conn.transaction(), conn.cursor() as cur:
            write_rows(cur, docs)

    @staticmethod
    def _seq(conn) -> int | None:
        row = conn.execute("SELECT value FROM search_meta WHERE key = %s", (SEQ_KEY,)).fetchone()
        return int(row[0]) if row else None

    @staticmethod
    def _set_seq(conn, seq: int) -> None:
        conn.execute("INSERT INTO search_meta VALUES (%s, %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", (SEQ_KEY, str(seq)))

    # ---- reading ---------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator:
        """A cursor in one read-only snapshot."""
        pool = self.read_pool or self.pool
        with pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cur

    def indexed_seq(self) -> int | None:
        """The last store seq the rows hold; None before the first catch-up."""
        with self.pool.connection() as conn:
            return self._seq(conn)

    def document_count(self) -> int:
        """How many documents the rows hold."""
        with self._reading() as cur:
            return _first(cur.execute("SELECT count(*) FROM search_entries"))

    def search(self, params: SearchParams) -> SearchResult:
        """One page of matches with counts over all of them."""
        with self._reading() as cur:
            return pg_search.find(cur, params, self.fetch)

    def duplicates_of(self, params: SearchParams, doc_id: str) -> SearchResult:
        """The matches collapsed with one document."""
        with self._reading() as cur:
            return pg_search.find_copies(cur, params, doc_id, self.fetch)

    def iter_matches(self, params: SearchParams) -> Iterator[dict]:
        """Every match with its text, in sort order (the ids of one snapshot)."""
        with self._reading() as cur:
            ids = pg_search.iter_ids(cur, params)
        yield from pg_search.iter_documents(self.fetch, ids)

    def explain(self, params: SearchParams) -> str:
        """The query in readable form, words as this engine indexes them."""
        return explaining.explain(params, analyse)

    def match_new(self, saved_searches: Sequence[SavedQuery], documents: Sequence[Document]
                  ) -> Matches:
        """Saved searches against new documents: the Whoosh engine's in-memory matching,
        which reads the documents as given with the same analysis (no index involved)."""
        from indexer.engine.whoosh import matching

        return matching.match_batch(saved_searches, documents)

    def close(self) -> None:
        """Nothing to let go of: the pools are the process's, shared with the store
        (indexer.store.postgres.pool.close_pools closes them)."""


def _first(cursor):
    """The first column of the one row a statement returns."""
    row = cursor.fetchone()
    assert row is not None, "the statement returns one row"
    return row[0]
