"""A document's search row (pure), and writing a batch of rows in the caller's transaction.

The row holds what the Whoosh engine's document_fields holds, in the same meaning (the
field values come from the same functions): words of the title and the text as separate
tsvectors (analysis.py), folded keys per facet, the day (YYYYMMDD of the publisher's local
day, 0 for undated), month, timestamp, and the near-duplicate signature with its band keys.

write_rows(cursor, docs) runs in whatever transaction the cursor is in, so the store can
write a document and its search row together.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from corpus.document import Document
from indexer.engine.fields import (  # the same field meaning as the Whoosh engine's
    UNDATED_DAY,
    day_number,
    epoch_seconds,
    facet_values,
    indexed_day,
    month_key,
)
from indexer.engine.postgres.analysis import indexed_words, tsvector_literal
from indexer.search.facets import FACETS, facet_key
from indexer.search.near_duplicates import band_keys, signature
from indexer.store.stored import stored_id, stored_seq

TEXT_FIELDS = ("title", "text")
COLUMNS = ("doc_id", "seq", "title_words", "text_words",
           *(f"{name}_keys" for name in FACETS), "day", "month", "ts", "nearsig", "bands")


@dataclass(frozen=True)
class TextPart:
    """What a search row takes from the title and text alone: their words (as tsvector
    input) and the near-duplicate signature. Nine tenths of a row's work and pure, so an
    ingest's analysis workers work it out ahead (Store.prepare) and the process holding
    the write lock only looks it up."""

    key: bytes                     # text_key of the title and text it was made of
    title_words: str               # tsvector input
    text_words: str
    words: dict[str, list[str]]    # field -> its distinct indexed words (search_words)
    nearsig: bytes


def text_key(doc: Document) -> bytes:
    """What finds a document's TextPart: a digest of its title and text (not the texts
    themselves, which would travel back from the workers for nothing)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (doc.title or "", doc.text or ""):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


def text_part(doc: Document) -> TextPart:
    """A document's TextPart (pure: a worker process can run it)."""
    title_words, text_words = indexed_words(doc.title or ""), indexed_words(doc.text or "")
    return TextPart(text_key(doc), tsvector_literal(title_words), tsvector_literal(text_words),
                    {"title": list(title_words), "text": list(text_words)},
                    signature(doc.title, doc.text))


Parts = Mapping[bytes, TextPart]      # text_key -> the part


@dataclass(frozen=True)
class SearchRow:
    """One document's row of search_entries, with what the word and label tables need."""

    doc_id: str
    seq: int
    text: TextPart
    keys: dict[str, list[str]]                   # facet -> distinct folded keys
    labels: dict[str, dict[str, str]]            # facet -> key -> first display value
    day: int
    month: str
    ts: int

    def values(self) -> tuple:
        """The row's values in COLUMNS order."""
        return (self.doc_id, self.seq, self.text.title_words, self.text.text_words,
                *(self.keys[name] for name in FACETS),
                self.day, self.month, self.ts, self.text.nearsig, band_keys(self.text.nearsig))


def search_row(doc: Document, parts: Parts | None = None) -> SearchRow:
    """The search row of a stored document (its TextPart taken from parts when there)."""
    keys: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for name, values in facet_values(doc).items():
        firsts: dict[str, str] = {}
        for value in values:
            firsts.setdefault(facet_key(value), value)
        keys[name], labels[name] = list(firsts), firsts
    found = indexed_day(doc)
    day, month = (day_number(found), month_key(found)) if found else (UNDATED_DAY, "")
    part = (parts or {}).get(text_key(doc)) or text_part(doc)
    return SearchRow(doc_id=stored_id(doc), seq=stored_seq(doc), text=part, keys=keys,
                     labels=labels, day=day, month=month, ts=epoch_seconds(doc.published))


_STAGING = ("CREATE TEMP TABLE IF NOT EXISTS search_staging "
            "(LIKE search_entries INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
_UPSERT = (f"INSERT INTO search_entries ({', '.join(COLUMNS)}) "
           f"SELECT {', '.join(COLUMNS)} FROM search_staging ORDER BY seq "
           "ON CONFLICT (doc_id) DO UPDATE SET "
           + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:]))
# The batch's documents and every other one sharing a band key with one of them can collapse.
# The pairs are few: as an array they are found by the primary key (`IN (subquery)` was
# planned as a hash join over a scan of every entry, per batch).
_MARK_CANDIDATES = """
WITH batch AS (SELECT doc_id, bands FROM search_entries
               WHERE doc_id = ANY(%s) AND cardinality(bands) > 0),
     pairs AS (SELECT batch.doc_id AS a, other.doc_id AS b FROM batch
               JOIN search_entries other
                 ON other.bands && batch.bands AND other.doc_id <> batch.doc_id)
UPDATE search_entries SET copy_candidate = true
WHERE doc_id = ANY(ARRAY(SELECT a FROM pairs UNION SELECT b FROM pairs)) AND NOT copy_candidate
"""
_WORDS = ("INSERT INTO search_words (field, word) SELECT * FROM unnest(%s::text[], %s::text[]) "
          "ORDER BY 1, 2 ON CONFLICT DO NOTHING")
_LABELS = ("INSERT INTO search_labels (facet, key, label) "
           "SELECT DISTINCT ON (f, k) f, k, l FROM unnest(%s::text[], %s::text[], %s::text[]) "
           "WITH ORDINALITY AS u(f, k, l, n) ORDER BY f, k, n ON CONFLICT DO NOTHING")


def write_rows(cursor, docs: Iterable[Document], parts: Parts | None = None) -> int:
    """Write (or rewrite) the search rows of documents in the cursor's transaction; how many.
    parts: TextParts worked out ahead, by text_key; a document without one gets its own.

    Rows go through a COPY into a temporary table, then one upsert keyed by doc_id, so a
    document written again replaces its row. A label already known for a key stays (the
    first one written wins, as Whoosh's columns keep the first seen).
    """
    latest = {row.doc_id: row for row in sorted((search_row(doc, parts) for doc in docs),
                                                 key=lambda r: r.seq)}
    rows = list(latest.values())          # one row per document: an upsert touches it once
    if not rows:
        return 0
    cursor.execute(_STAGING)
    with cursor.copy(f"COPY search_staging ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row.values())
    cursor.execute(_UPSERT)
    cursor.execute("TRUNCATE search_staging")
    cursor.execute(_MARK_CANDIDATES, ([row.doc_id for row in rows],))
    words = sorted({(field, word) for row in rows for field in TEXT_FIELDS
                    for word in row.text.words[field]})
    cursor.execute(_WORDS, ([f for f, _ in words], [w for _, w in words]))
    labels = [(name, key, label) for row in rows for name in FACETS
              for key, label in row.labels[name].items()]
    cursor.execute(_LABELS, tuple(list(column) for column in zip(*labels, strict=True))
                   if labels else ([], [], []))
    return len(rows)


def delete_rows(cursor, doc_ids: Sequence[str]) -> None:
    """Remove documents' rows (their words and labels stay: harmless, as in Whoosh)."""
    cursor.execute("DELETE FROM search_entries WHERE doc_id = ANY(%s)", (list(doc_ids),))
