"""The PostgreSQL schema as numbered migrations, like the SQLite store's.

The version lives in the meta table (key 'schema_version'). Migrations run in one
transaction holding a transaction-level advisory lock, so processes that open a new
database at once wait for each other: the first creates, the others find it done.
Column types keep the SQLite store's values exactly: times are the same ISO text (UTC
with Z; the local time with its offset) with the "C" collation so that they order by
time whatever the database's locale; countries and entities are the same JSON text.
"""
from __future__ import annotations

import psycopg

# Any constant of our own: pg_advisory_xact_lock's key for "the schema is being changed".
MIGRATION_LOCK = 0x6D6D_0001

TIME = 'TEXT COLLATE "C"'

MIGRATIONS: dict[int, str] = {
    # The documents, the meta table (last_seq: the commit-ordered change number) and the
    # entity table: SQLite's migrations 1 to 4 and 7 as they stand today.
    1: f"""
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        external_id TEXT,
        kind TEXT NOT NULL,
        parent_id TEXT,
        source TEXT,
        url TEXT,
        title TEXT,
        text TEXT NOT NULL,
        published {TIME},
        date_source TEXT NOT NULL,
        declared_lang TEXT,
        lang TEXT,
        countries TEXT NOT NULL,     -- JSON list of ISO codes
        entities TEXT NOT NULL,      -- JSON list of {{name, type}}
        ingested_at {TIME} NOT NULL,
        seq BIGINT NOT NULL UNIQUE,
        published_local TEXT         -- the input's own time at its offset
    );
    CREATE INDEX documents_source ON documents (source);
    CREATE INDEX documents_parent ON documents (parent_id);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('last_seq', '0');
    CREATE TABLE entities (
        variant TEXT PRIMARY KEY,    -- folded name key, see indexer.enrich.entity_table
        name TEXT NOT NULL,          -- the canonical name it was first given
        type TEXT NOT NULL
    );
    CREATE INDEX entities_name ON entities (name);
    """,
}

SCHEMA_VERSION = max(MIGRATIONS)


def schema_version(conn: psycopg.Connection) -> int:
    """The version the database is at (0 when it holds no Media Monitor schema)."""
    # pg_class read by a query, not to_regclass(): that one looks in the backend's catalog
    # cache, which may not yet know a table another process just created under our lock.
    table = conn.execute("SELECT 1 FROM pg_class WHERE relname = 'meta' "
                         "AND relnamespace = current_schema()::regnamespace").fetchone()
    if table is None:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: psycopg.Connection) -> int:
    """Bring the schema up to date; safe when several processes start at once. Returns
    the version found before (0 for a new database)."""
    if schema_version(conn) >= SCHEMA_VERSION:
        return SCHEMA_VERSION       # the common case: no lock taken to open a store
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        found = schema_version(conn)     # read again: another process may have done it
        for target in range(found + 1, SCHEMA_VERSION + 1):
            conn.execute(MIGRATIONS[target])
        if found < SCHEMA_VERSION:
            conn.execute("INSERT INTO meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = EXCLUDED.value", (str(SCHEMA_VERSION),))
    return found
