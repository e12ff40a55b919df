"""Documents read from the store by id: what an engine shows, since its index holds none."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from corpus.document import to_json
from indexer.engine import Fetch
from indexer.store import Store


def store_documents(path: str | Path) -> Fetch:
    """A Fetch reading the store file at path, one short read-only connection per call.

    A connection per call, not one kept: searches run in any thread of a server, and a
    SQLite connection belongs to the thread that opened it.
    """
    def fetch(ids: Sequence[str]) -> dict[str, dict]:
        if not ids:
            return {}
        store = Store(path, readonly=True)
        try:
            return {doc_id: to_json(doc) for doc_id, doc in store.get_many(ids).items()}
        finally:
            store.close()
    return fetch
