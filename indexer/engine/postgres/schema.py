"""The PostgreSQL engine's tables: numbered DDL steps, applied on open under an advisory lock.

The engine keeps its own version in `search_meta` (key `schema`), apart from the store's
migrations, so the store and the engine can share one database and change apart. A step
never changes once released; a new need is a new step.

search_entries  one row per document: its words (title and text as separate tsvectors),
                folded facet keys per facet (text[]), day (YYYYMMDD of the publisher's
                local day, 0 undated), month, timestamp, near-duplicate signature, band keys
                and whether it shares a band key with another document (copy_candidate).
search_labels   the display label of each facet key, the first one written.
search_words    every indexed word per text field: the wildcard bound and the words a
                query highlights are read here (what Whoosh's term dictionary answers).

Step 2 adds text_positions, the number of positions in text_words (what ts_rank's length
normalisation divides by), kept by PostgreSQL as a generated column: relevance bounds a
document's text rank by it without unpacking its words (indexer/engine/postgres/bounded_rank.py).
Step 3 writes the band keys' GIN index without a pending list (see the step).
"""
from __future__ import annotations

from indexer.search.facets import FACETS

# Any 64-bit number of our own: the lock every process takes to apply the steps.
SCHEMA_LOCK = 0x6D6D_7365_6172_6368     # "mmsearch"
# Held while the entries are written (catch-up, rebuild, refresh): one writer at a time.
WRITE_LOCK = 0x6D6D_7772_6974_6572      # "mmwriter"

_FACET_COLUMNS = "\n".join(f"    {name}_keys text[] NOT NULL," for name in FACETS)
_FACET_INDEXES = "\n".join(
    f"CREATE INDEX search_entries_{name} ON search_entries USING gin ({name}_keys);"
    for name in FACETS)

STEPS: tuple[str, ...] = (
    # 1: the entries, labels and words
    f"""
CREATE TABLE search_entries (
    doc_id text COLLATE "C" PRIMARY KEY,
    seq bigint NOT NULL,
    title_words tsvector NOT NULL,
    text_words tsvector NOT NULL,
{_FACET_COLUMNS}
    day integer NOT NULL,
    month text NOT NULL,
    ts bigint NOT NULL,
    nearsig bytea NOT NULL,
    bands bytea[] NOT NULL,
    copy_candidate boolean NOT NULL DEFAULT false
);
CREATE INDEX search_entries_title ON search_entries USING gin (title_words);
CREATE INDEX search_entries_text ON search_entries USING gin (text_words);
{_FACET_INDEXES}
CREATE INDEX search_entries_bands ON search_entries USING gin (bands);
CREATE INDEX search_entries_day ON search_entries (day);
CREATE INDEX search_entries_seq ON search_entries (seq);
CREATE INDEX search_entries_candidates ON search_entries (seq) WHERE copy_candidate;
CREATE TABLE search_labels (
    facet text NOT NULL,
    key text NOT NULL,
    label text NOT NULL,
    PRIMARY KEY (facet, key)
);
CREATE TABLE search_words (
    field text NOT NULL,
    word text COLLATE "C" NOT NULL,
    PRIMARY KEY (field, word)
);
""",
    # 2: ts_rank's length of the text words, kept beside them (adding it fills every row;
    # nullable only because rows.py's staging table copies the columns but not how this
    # one is generated)
    """
CREATE FUNCTION search_text_positions(words tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)::integer
      FROM unnest(words) AS u $$;
ALTER TABLE search_entries ADD COLUMN text_positions integer
    GENERATED ALWAYS AS (search_text_positions(text_words)) STORED;
""",
    # 3: the band keys' index without a pending list: every batch written looks up each of
    # its documents' band keys, and each lookup read the whole unsorted pending list
    # (up to gin_pending_list_limit), which made marking copy candidates most of an ingest
    """
ALTER INDEX search_entries_bands SET (fastupdate = off);
SELECT gin_clean_pending_list('search_entries_bands');
""",
)
VERSION = len(STEPS)


def apply(conn) -> int:
    """Bring the engine's tables to VERSION (one transaction, under SCHEMA_LOCK); the version.

    A database whose engine tables are newer than this code is refused: its rows may mean
    what this version cannot read.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS search_meta "
                     "(key text PRIMARY KEY, value text NOT NULL)")
        row = conn.execute("SELECT value FROM search_meta WHERE key = 'schema'").fetchone()
        current = int(row[0]) if row else 0
        if current > VERSION:
            raise RuntimeError(f"the search tables are at version {current}, newer than this "
                               f"program's {VERSION}; upgrade the program")
        for step in STEPS[current:]:
            conn.execute(step)
        if current != VERSION:
            conn.execute("INSERT INTO search_meta VALUES ('schema', %s) ON CONFLICT (key) "
                         "DO UPDATE SET value = excluded.value", (str(VERSION),))
    return VERSION
