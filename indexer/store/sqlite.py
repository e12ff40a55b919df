"""The SQLite store: the truth about every document. All SQL of the project lives here."""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from corpus.document import Document, format_local, format_time, parse_local, parse_time
from indexer.store.sources import MIGRATION as SOURCES_MIGRATION

SCHEMA_VERSION = 7


def rekey_entities(db: sqlite3.Connection) -> None:
    """Compute every entity variant key again with today's folding (indexer.text).

    Migration 3, for the one folding table: older keys kept ئ ہ ھ ے ٱ and other forms
    apart. Rows merge as entity_table.rekey says. A later change of variant_key adds a
    migration that runs this again.
    """
    # Imported here: only a store being migrated needs the enrichment's key function.
    from indexer.enrich.entity_table import rekey

    rows = [tuple(row) for row in
            db.execute("SELECT variant, name, type FROM entities ORDER BY rowid")]
    db.execute("DELETE FROM entities")
    db.executemany("INSERT INTO entities VALUES (?, ?, ?)", rekey(rows))


# One schema step: SQL statements, or a function given the connection.
Migration = str | Callable[[sqlite3.Connection], None]


def run_migration(db: sqlite3.Connection, step: Migration) -> None:
    """Run one migration inside the caller's transaction: SQL statements, or a function."""
    if callable(step):
        step(db)
        return
    # executescript() would commit halfway; run the statements one by one.
    for statement in step.split(";"):
        if statement.strip():
            db.execute(statement)


MIGRATIONS: dict[int, Migration] = {
    1: """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        external_id TEXT,
        kind TEXT NOT NULL,
        parent_id TEXT,
        source TEXT,
        url TEXT,
        title TEXT,
        text TEXT NOT NULL,
        published TEXT,
        date_source TEXT NOT NULL,
        declared_lang TEXT,
        lang TEXT,
        countries TEXT NOT NULL,     -- JSON list of ISO codes
        entities TEXT NOT NULL,      -- JSON list of {name, type}
        ingested_at TEXT NOT NULL,
        seq INTEGER NOT NULL UNIQUE
    );
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('last_seq', '0');
    """,
    2: """
    CREATE TABLE entities (
        variant TEXT PRIMARY KEY,    -- folded name key, see indexer.enrich.entity_table
        name TEXT NOT NULL,          -- the canonical name it was first given
        type TEXT NOT NULL
    );
    CREATE INDEX documents_source ON documents (source);
    """,
    3: rekey_entities,
    4: """
    CREATE INDEX documents_parent ON documents (parent_id);
    """,
    # Accounts and alerts: indexer/store/users.py and indexer/store/alerts.py read them.
    5: """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        email TEXT,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        digest_hour INTEGER NOT NULL DEFAULT 8,     -- local hour of daily and weekly digests
        digest_weekday INTEGER NOT NULL DEFAULT 0,  -- weekly digests: 0 = Monday
        created_at TEXT NOT NULL
    );
    CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        token_hash TEXT NOT NULL UNIQUE,            -- sha256 of the token (shown once, never kept)
        label TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        last_used_at TEXT
    );
    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        name TEXT NOT NULL,
        args TEXT NOT NULL,                         -- JSON: SearchParams.to_args()
        frequency TEXT NOT NULL,                    -- instant | daily | weekly | off
        paused INTEGER NOT NULL DEFAULT 0,
        checkpoint INTEGER NOT NULL,                -- the last store seq matched
        email INTEGER NOT NULL DEFAULT 0,
        webhook_url TEXT,
        webhook_secret TEXT NOT NULL,
        feed_token TEXT UNIQUE,                     -- the Atom feed secret (NULL: revoked)
        broken TEXT,                                -- why the search no longer runs
        last_run_at TEXT,
        last_digest_at TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX saved_searches_user ON saved_searches (user_id);
    CREATE TABLE alert_hits (
        id INTEGER PRIMARY KEY,
        search_id INTEGER NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        seq INTEGER NOT NULL,                       -- the document's seq when it matched
        words TEXT NOT NULL,                        -- JSON: the indexed words that matched
        duplicate_of INTEGER,                       -- the hit this one is a near-copy of
        signature BLOB NOT NULL,                    -- near_duplicates.signature of the document
        matched_at TEXT NOT NULL,
        queued INTEGER NOT NULL DEFAULT 0,          -- put in a message (or never to be sent)
        read INTEGER NOT NULL DEFAULT 0,
        UNIQUE (search_id, doc_id)
    );
    CREATE INDEX alert_hits_unqueued ON alert_hits (search_id, queued);
    CREATE TABLE alert_hit_bands (
        search_id INTEGER NOT NULL,
        band BLOB NOT NULL,
        hit_id INTEGER NOT NULL,
        PRIMARY KEY (search_id, band, hit_id)
    ) WITHOUT ROWID;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        search_id INTEGER NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
        channel TEXT NOT NULL,                      -- email | webhook
        kind TEXT NOT NULL,                         -- instant | daily | weekly | broken
        hit_ids TEXT NOT NULL,                      -- JSON list of alert_hits ids
        status TEXT NOT NULL DEFAULT 'pending',     -- pending | sent | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_due ON outbox (status, next_try_at);
    """,
    # Polled sources: indexer/store/sources.py holds their SQL.
    6: SOURCES_MIGRATION,
    # The input's own time at its UTC offset (issue 14): the publisher's local day.
    # Documents stored before keep NULL, so their UTC day, until re-ingested.
    7: """
    ALTER TABLE documents ADD COLUMN published_local TEXT;
    """,
}

COLUMNS = ("id", "external_id", "kind", "parent_id", "source", "url", "title", "text",
           "published", "date_source", "declared_lang", "lang",
           "countries", "entities", "ingested_at", "seq", "published_local")


WAL_ATTEMPTS = 40      # ~16 s of waiting in all, well past any store's creation


LAST_POSSIBLE_SEQ = 2**63 - 1      # SQLite's largest integer


class Store:
    """A SQLite database in WAL mode holding documents and a monotonic change number."""

    # Work a store does for each document it saves that needs the document alone: a pure,
    # module-level function an ingest's worker processes run ahead (None: there is none;
    # the Whoosh index is written apart), its results handed back through remember().
    prepare: Callable[[Document], Any] | None = None

    def remember(self, prepared: Iterable[Any]) -> None:
        """Keep prepare's results for the documents of the next transaction."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            self.db = open_readonly(self.path)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self._switch_to_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    def _switch_to_wal(self) -> None:
        """Put the database in WAL mode, waiting out other processes creating it too.

        Changing the journal mode needs an exclusive lock, and SQLite answers "database is
        locked" at once, without its busy handler, when waiting could deadlock (several
        processes opening a new store together); the change is retried for a while.
        """
        for attempt in range(WAL_ATTEMPTS):
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def _migrate(self) -> None:
        """Bring the schema up to date, safe when several processes open a new store at once.

        The version is read inside the write transaction: a process that waited for the
        lock sees what the first one did and runs only what is still missing.
        """
        if self.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return          # the common case: no write lock taken to open a store
        with self.transaction():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for target in range(version + 1, SCHEMA_VERSION + 1):
                run_migration(self.db, MIGRATIONS[target])
            self.db.execute(f"PRAGMA user_version={max(version, SCHEMA_VERSION)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one immediate transaction: all of it is stored or none."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get_many(self, ids: Iterable[str]) -> dict[str, Document]:
        """Return the stored documents among ids, keyed by id."""
        ids = list(dict.fromkeys(ids))
        found: dict[str, Document] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM documents WHERE id IN ({marks})", chunk):
                found[row["id"]] = row_to_document(row)
        return found

    def get(self, doc_id: str) -> Document | None:
        """Return one stored document, or None."""
        return self.get_many([doc_id]).get(doc_id)

    def next_seq(self) -> int:
        """Take the next change number; call inside a transaction."""
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'last_seq'")
        return self.last_seq()

    def last_seq(self) -> int:
        """Return the highest change number given out so far (0 on an empty store)."""
        return int(self.db.execute("SELECT value FROM meta WHERE key = 'last_seq'").fetchone()[0])

    def save(self, doc: Document) -> None:
        """Insert or replace a document row as it is; call inside a transaction."""
        marks = ",".join("?" * len(COLUMNS))
        self.db.execute(f"INSERT OR REPLACE INTO documents ({','.join(COLUMNS)}) VALUES ({marks})",
                        document_to_row(doc))

    def iter_since(self, seq: int, batch_size: int = 1000) -> Iterator[Document]:
        """Yield documents changed after seq, in seq order, reading in batches."""
        return self.iter_between(seq, LAST_POSSIBLE_SEQ, batch_size)

    def iter_between(self, after: int, upto: int, batch_size: int = 1000) -> Iterator[Document]:
        """Yield the documents whose seq is in (after, upto], in seq order, in batches."""
        while True:
            rows = self.db.execute(
                "SELECT * FROM documents WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                (after, upto, batch_size)).fetchall()
            if not rows:
                return
            for row in rows:
                yield row_to_document(row)
            after = rows[-1]["seq"]

    def count_between(self, after: int, upto: int) -> int:
        """How many documents have a seq in (after, upto]."""
        return self.db.execute("SELECT COUNT(*) FROM documents WHERE seq > ? AND seq <= ?",
                               (after, upto)).fetchone()[0]

    def ids_between(self, after: int, upto: int) -> list[str]:
        """The ids of the documents whose seq is in (after, upto]."""
        return [row[0] for row in self.db.execute(
            "SELECT id FROM documents WHERE seq > ? AND seq <= ?", (after, upto))]

    def seq_splits(self, after: int, upto: int, parts: int, per_document: int = 0) -> list[int]:
        """Seqs that cut (after, upto] into `parts` runs holding about as much text each.

        Returns [after, s1, ..., upto], each run (s_k, s_k+1]; a document weighs its title
        and text characters plus `per_document`. Runs may be empty when few documents are.
        """
        rows = self.db.execute(
            "SELECT seq, length(text) + coalesce(length(title), 0) FROM documents "
            "WHERE seq > ? AND seq <= ? ORDER BY seq", (after, upto)).fetchall()
        total = sum(chars + per_document for _, chars in rows)
        cuts, weight, part = [after], 0, 1
        for seq, chars in rows:
            weight += chars + per_document
            while part < parts and weight >= total * part / parts:
                cuts.append(seq)
                part += 1
        cuts += [upto] * (parts + 1 - len(cuts))
        cuts[-1] = upto
        return cuts

    def iter_all(self, batch_size: int = 1000) -> Iterator[Document]:
        """Yield every document in seq order."""
        return self.iter_since(0, batch_size)

    def count_by_kind(self) -> dict[str, int]:
        """Count documents per kind, both kinds always present."""
        counts = {"article": 0, "brief": 0}
        for kind, n in self.db.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind"):
            counts[kind] = n
        return counts

    def entity_rows(self) -> list[tuple[str, str, str]]:
        """Return every (variant, canonical name, type) row of the entity table."""
        return [tuple(row) for row in self.db.execute("SELECT variant, name, type FROM entities")]

    def add_entity_rows(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Record new variants; a variant already known keeps its canonical name."""
        self.db.executemany("INSERT OR IGNORE INTO entities VALUES (?, ?, ?)", rows)

    def entity_name(self, variant: str) -> str | None:
        """Return the canonical name recorded for a variant key, None if unknown."""
        row = self.db.execute("SELECT name FROM entities WHERE variant = ?", (variant,)).fetchone()
        return row[0] if row else None

    def language_of(self, doc_id: str) -> str | None:
        """Return a stored document's language, None if unknown."""
        row = self.db.execute("SELECT lang FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def common_language(self, source: str) -> str | None:
        """Return the most common language among a source's stored documents."""
        row = self.db.execute(
            "SELECT lang FROM documents WHERE source = ? AND lang IS NOT NULL "
            "GROUP BY lang ORDER BY COUNT(*) DESC, lang LIMIT 1", (source,)).fetchone()
        return row[0] if row else None

    def update_enrichment(self, doc: Document) -> None:
        """Overwrite a document's enriched fields, leaving raw fields and seq alone."""
        self.db.execute(
            "UPDATE documents SET published = ?, date_source = ?, lang = ?, countries = ?, "
            "entities = ?, published_local = ? WHERE id = ?",
            (format_time(doc.published), doc.date_source, doc.lang,
             json.dumps(doc.countries, ensure_ascii=False),
             json.dumps(doc.entities, ensure_ascii=False), format_local(doc.published_local),
             doc.id))

    def get_meta(self, key: str) -> str | None:
        """Read a value from the meta table."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Write a value to the meta table."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def delete_meta(self, key: str) -> None:
        """Remove a key from the meta table."""
        self.db.execute("DELETE FROM meta WHERE key = ?", (key,))


def document_to_row(doc: Document) -> tuple:
    """Flatten a Document into the column order of the documents table."""
    return (doc.id, doc.external_id, doc.kind, doc.parent_id, doc.source, doc.url, doc.title,
            doc.text, format_time(doc.published), doc.date_source,
            doc.declared_lang, doc.lang, json.dumps(doc.countries, ensure_ascii=False),
            json.dumps(doc.entities, ensure_ascii=False), format_time(doc.ingested_at), doc.seq,
            format_local(doc.published_local))


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a store for reading only, in a folder this process cannot write.

    A WAL database wants to create its -shm file even to read; where it cannot, the file
    is opened as immutable, which is safe because nobody can write there either.
    """
    for options in ("mode=ro", "mode=ro&immutable=1"):
        db = sqlite3.connect(f"file:{path}?{options}", uri=True, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("SELECT count(*) FROM meta").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
            if options.endswith("immutable=1"):
                raise
    raise AssertionError("unreachable")


class UnreadableRow(ValueError):
    """A stored row holds a value this version cannot read (`manage.py check --repair`)."""


def row_to_document(row: sqlite3.Row) -> Document:
    """Rebuild a Document from a documents row; UnreadableRow when a value is garbled."""
    try:
        return Document(
            id=row["id"], external_id=row["external_id"], kind=row["kind"],
            parent_id=row["parent_id"], source=row["source"], url=row["url"],
            title=row["title"], text=row["text"], published=parse_time(row["published"]),
            date_source=row["date_source"], declared_lang=row["declared_lang"],
            lang=row["lang"], countries=json.loads(row["countries"]),
            entities=json.loads(row["entities"]), ingested_at=parse_time(row["ingested_at"]),
            seq=row["seq"], published_local=parse_local(row["published_local"]))
    except (ValueError, TypeError) as exc:
        raise UnreadableRow(f"stored document {row['id']} (seq {row['seq']}) cannot be "
                            f"read ({exc})") from None
