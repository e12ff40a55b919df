"""Reapply enrichment to stored documents after the rules change, resumably.

Re-enrichment is not news: raw fields and `seq` stay as they are, so alerts and the
index's change feed do not see it; the index is updated through its own callback.
"""
from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Callable, Iterable

from corpus.document import Document
from indexer.enrich import Enricher
from indexer.store import Store
from indexer.store.stored import stored_seq

MARKER = "reenrich_after_seq"   # the seq up to which the running pass is done
BATCH_SIZE = 500


def reenrich(store: Store, enricher: Enricher, now: datetime,
             on_batch: Callable[[list[Document]], None] | None = None,
             batch_size: int = BATCH_SIZE) -> int:
    """Re-enrich every document after the marker (0 if none) and return how many were done."""
    done = 0
    for batch in batches(store.iter_since(int(store.get_meta(MARKER) or 0)), batch_size):
        enriched, rows = [], []
        for doc in batch:
            new, entity_rows = enricher.enrich(doc, now)
            enriched.append(new)
            rows += entity_rows
        if on_batch:
            on_batch(enriched)       # index first: a crash before the commit redoes this batch
        with store.transaction():
            for doc in enriched:
                store.update_enrichment(doc)
            store.add_entity_rows(rows)
            store.set_meta(MARKER, str(stored_seq(batch[-1])))
        done += len(batch)
    with store.transaction():
        store.delete_meta(MARKER)
    return done


def batches(items: Iterable[Document], size: int) -> Iterable[list[Document]]:
    """Split an iterable into lists of at most size items."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
