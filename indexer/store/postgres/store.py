"""PgStore: the Store's methods and meaning over a PostgreSQL database.

It is a Store whose `db` is a PostgreSQL connection speaking the same `?` SQL
(indexer.store.postgres.connection), so the reads Store already has (get_many, iter_since,
counts, the entity table, meta) run unchanged; what SQLite says in its own dialect
(INSERT OR REPLACE / IGNORE, BEGIN IMMEDIATE, the change number) is said again here.

Writers take turns, as SQLite's BEGIN IMMEDIATE makes them: `transaction()` first takes
a transaction-level advisory lock (the store's write lock), held until COMMIT or
ROLLBACK. What callers read inside their transaction is therefore still true when they
write (the ingester's merge, an alert's checkpoint), on one machine or many. Readers never
wait. The store part of an ingest batch is short; its enrichment runs before, unlocked.

The change number (seq) is monotonic in commit order, with no gaps: `next_seq`
increments the 'last_seq' row of meta inside that transaction, so numbers are given in
the order the holders of the lock commit, and every document with a seq at or below a
committed last_seq is already visible. So `iter_since(s)` never skips a document that
a transaction started earlier commits later: its seq is above anything its reader could
have seen. (The UPDATE's row lock alone gives the same order to a writer that bypasses
transaction(); next_seq refuses to run outside a transaction.)

Here the store is the index: the search rows of the documents a transaction saves or
re-enriches (indexer.engine.postgres.rows) are written in that same transaction, so a
committed document is searchable at once, on every machine, with no catch-up to run.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterable, Iterator, cast

from psycopg.pq import TransactionStatus

from corpus.document import Document
from indexer.engine.postgres import rows as search_rows
from indexer.engine.postgres import schema as search_schema
from indexer.store.postgres import pool as pools
from indexer.store.postgres.connection import PgConnection
from indexer.store.postgres.schema import migrate
from indexer.store.sqlite import COLUMNS, Store, document_to_row
from indexer.store.stored import stored_id

# pg_advisory_xact_lock's key for "writing the store" (any constant of our own).
WRITE_LOCK = 0x6D6D_0002
SEARCH_SEQ_KEY = "indexed_seq"      # PgEngine's record of the last seq with search rows

_UPSERT = (f"INSERT INTO documents ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
           f"ON CONFLICT (id) DO UPDATE SET "
           + ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS if name != "id"))


class PgStore(Store):
    """A PostgreSQL database holding documents and a commit-ordered change number.

    Opening one borrows a connection from the process's pool for the URL (see pool.py);
    close() gives it back. readonly: sessions that refuse writes and no migration (a hot
    standby, MEDIA_MONITOR_READ_URL).
    """

    def __init__(self, url: str, readonly: bool = False):
        self.url, self.readonly = url, readonly
        self.where = pools.server_name(url)      # what messages name as "the store"
        self._entry, self._conn = pools.borrow(url, readonly)
        self._closed = False
        self._written: dict[str, Document] = {}      # this transaction's documents, by id
        self._parts: dict[bytes, search_rows.TextPart] = {}    # remember()ed, by text_key
        self.pg = PgConnection(self._conn, url)
        # The store modules take `store.db` as a sqlite3.Connection; this one answers the
        # same calls (execute, executemany, rows by name, lastrowid, rowcount).
        self.db = cast(sqlite3.Connection, self.pg)
        if not readonly and not self._entry.migrated:
            self._migrate()

    def _migrate(self) -> None:
        """Bring the schema up to date (once per process and URL; see schema.migrate)."""
        migrate(self._conn)
        search_schema.apply(self._conn)         # the search rows are written with documents
        self._entry.migrated = True

    def close(self) -> None:
        """Give the connection back to the pool (rolled back if left in a transaction)."""
        if not self._closed:
            self._closed = True
            self._entry.pool.putconn(self._conn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction holding the write lock: all of it is stored or
        none. A transaction inside another is a savepoint of it."""
        outermost = self._conn.info.transaction_status == TransactionStatus.IDLE
        with self._conn.transaction():
            if not outermost:
                yield
                return
            self.db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            indexed_all = self._search_rows_current()
            self._written = {}
            try:
                yield
                if self._written:
                    with self._conn.cursor() as cursor:
                        search_rows.write_rows(cursor, self._written.values(), self._parts)
                if indexed_all:
                    # Every document had its rows before, and these have theirs now.
                    self.db.execute("UPDATE search_meta SET value = (SELECT value FROM meta "
                                    "WHERE key = 'last_seq') WHERE key = ?",
                                    (SEARCH_SEQ_KEY,))
            finally:
                self._written, self._parts = {}, {}

    def _search_rows_current(self) -> bool:
        """Whether the search rows cover every stored document (else catch_up fills the gap
        first: a database the engine met after documents were stored)."""
        row = self.db.execute("SELECT value FROM search_meta WHERE key = ?",
                              (SEARCH_SEQ_KEY,)).fetchone()
        if row is None and self.last_seq() == 0:
            # A new database: nothing to catch up, its rows start with its first document.
            self.db.execute("INSERT INTO search_meta VALUES (?, '0')", (SEARCH_SEQ_KEY,))
            return True
        return row is not None and int(row[0]) >= self.last_seq()

    # The search rows' words and signatures: an ingest's workers work them out ahead.
    prepare = staticmethod(search_rows.text_part)

    def remember(self, prepared: Iterable[search_rows.TextPart]) -> None:
        """Keep text parts for the search rows of the next transaction (then forgotten)."""
        self._parts.update((part.key, part) for part in prepared)

    def next_seq(self) -> int:
        """Take the next change number; call inside a transaction (the lock that keeps
        numbers in commit order lasts until it ends; see the module's docstring)."""
        if self._conn.info.transaction_status != TransactionStatus.INTRANS:
            raise RuntimeError("next_seq must be called inside store.transaction()")
        row = self.db.execute("UPDATE meta SET value = (value::bigint + 1)::text "
                              "WHERE key = 'last_seq' RETURNING value").fetchone()
        return int(row[0])

    def save(self, doc: Document) -> None:
        """Insert or replace a document row as it is; call inside a transaction."""
        self.db.execute(_UPSERT, document_to_row(doc))
        self._written[stored_id(doc)] = doc

    def update_enrichment(self, doc: Document) -> None:
        """Overwrite a document's enriched fields (and its search row, at commit)."""
        super().update_enrichment(doc)
        self._written[stored_id(doc)] = doc

    def add_entity_rows(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Record new variants; a variant already known keeps its canonical name."""
        self.db.executemany("INSERT INTO entities VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                            list(rows))

    def set_meta(self, key: str, value: str) -> None:
        """Write a value to the meta table."""
        self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) "
                        "DO UPDATE SET value = EXCLUDED.value", (key, value))
