"""Near-duplicates among an alert's hits: a copy of a story already alerted is recorded
under the first hit of that story (its leader) and never sent again on its own.

Uses the signatures and thresholds of indexer/search/near_duplicates.py, so an alert
groups copies exactly as the search page collapses them.
"""
from __future__ import annotations

import sqlite3

from corpus.document import Document
from indexer.search.near_duplicates import THRESHOLD, band_keys, signature, similarity
from indexer.store import alerts as rows


def document_signature(doc: Document) -> bytes:
    """The near-duplicate signature of a document's title and text."""
    return signature(doc.title, doc.text)


def leader_of(db: sqlite3.Connection, search_id: int, sig: bytes) -> int | None:
    """The first recorded hit of the search whose document is a near-copy, or None."""
    for hit_id, other in rows.hits_sharing_bands(db, search_id, band_keys(sig)):
        if similarity(sig, other) >= THRESHOLD:
            return hit_id
    return None


def remember_leader(db: sqlite3.Connection, search_id: int, hit_id: int, sig: bytes) -> None:
    """Let later copies of this hit's document find it."""
    rows.insert_bands(db, search_id, hit_id, band_keys(sig))
