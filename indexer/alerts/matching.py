"""Matching: the documents a store holds past each alert's checkpoint, against its search.

Exactly once, whatever stops the run: the hits of a batch, the messages of its instant
alerts and the checkpoints that pass it are written in one transaction, before anything is
sent. A run killed before that commit leaves the checkpoints where they were, and the
next run does the batch again; a hit is unique per (alert, document), so a document that
changes (a new seq) alerts again only if it had not matched before. Re-enrichment and
reindexing keep every seq, so they never alert; a document ingested late gets a new seq
and alerts when it arrives, whatever its date.

A saved search that no longer reads (the query language grew stricter, a country name is
gone) is marked broken and its owner told; its checkpoint waits, so once it is mended it
catches up, as a paused alert does when resumed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Callable, Iterable, Iterator

from corpus.document import Document, format_time
from indexer.alerts.grouping import document_signature, leader_of, remember_leader
from indexer.alerts.saved import SavedSearch
from indexer.engine import Matches, SavedQuery
from indexer.search.params import ParamError
from indexer.search.query_language import parse
from indexer.search.query_tree import QueryError
from indexer.store import Store
from indexer.store import alerts as rows
from indexer.store.stored import stored_id, stored_seq

BATCH_SIZE = 1000
SENDING = ("email", "webhook")


@dataclass
class MatchReport:
    """What a matching run did."""

    searches: int = 0
    documents: int = 0
    hits: int = 0
    broken: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"searches": self.searches, "documents": self.documents, "hits": self.hits,
                "broken": self.broken}


def run_matching(store: Store, engine, now: datetime, batch_size: int = BATCH_SIZE,
                 on_batch: Callable[[int], None] | None = None) -> MatchReport:
    """Match every active saved search against the documents past its checkpoint."""
    report = MatchReport()
    searches = [SavedSearch.from_row(row) for row in rows.matchable_searches(store.db)]
    queries = {}
    for search in searches:
        query = readable(store, search, now)
        if query is None:
            report.broken.append(search.id)
        else:
            queries[search.id] = (search, query)
    report.searches = len(queries)
    if not queries:
        return report
    target = store.last_seq()
    start = min(search.checkpoint for search, _ in queries.values())
    for batch in batches(store.iter_since(start), batch_size, target):
        last = stored_seq(batch[-1])
        running = [query for search, query in queries.values() if search.checkpoint < last]
        matches = engine.match_new(running, batch)
        report.hits += commit_batch(store, queries, batch, matches, now)
        report.documents += len(batch)
        if on_batch:
            on_batch(last)
    return report


def readable(store: Store, search: SavedSearch, now: datetime) -> SavedQuery | None:
    """The search as matching runs it; None (and the search marked broken) when it no
    longer reads."""
    try:
        params = search.params_on(now.date())
        parse(params.query)
    except (ParamError, QueryError) as exc:
        mark_broken(store, search, str(exc), now)
        return None
    if search.broken:
        with store.transaction():
            rows.update_search(store.db, search.id, broken=None)
    return SavedQuery(search.id, params)


def mark_broken(store: Store, search: SavedSearch, reason: str, now: datetime) -> None:
    """Record why the search no longer runs, and tell its owner once on its channels."""
    if search.broken == reason:
        return
    with store.transaction():
        rows.update_search(store.db, search.id, broken=reason)
        queue_messages(store, search, "broken", [], format_time(now))


def batches(docs: Iterable[Document], size: int, target: int) -> Iterator[list[Document]]:
    """Documents in lists of at most size, up to seq target (later ones wait for next run)."""
    iterator = iter(docs)
    while batch := [doc for doc in islice(iterator, size) if stored_seq(doc) <= target]:
        yield batch
        if stored_seq(batch[-1]) >= target:
            return


def commit_batch(store: Store, queries: dict, batch: list[Document], matches: Matches,
                 now: datetime) -> int:
    """Record a batch's hits and messages and move the checkpoints past it, together."""
    when, last = format_time(now), stored_seq(batch[-1])
    recorded = 0
    signatures: dict[str, bytes] = {}
    with store.transaction():
        # Read again under the write lock: another run, a pause or a delete may have come.
        current = rows.checkpoints(store.db, queries)
        for search_id, found in matches.hits.items():
            if search_id not in current:
                continue
            search = queries[search_id][0]
            leaders = []
            for doc in batch:
                if doc.id in found and stored_seq(doc) > current[search_id]:
                    sig = signatures.setdefault(doc.id, document_signature(doc))
                    hit = record_hit(store, search, doc, found[doc.id], sig, when)
                    recorded += hit is not None
                    if hit is not None and hit[1]:
                        leaders.append(hit[0])
            if leaders and search.frequency == "instant":
                queue_messages(store, search, "instant", leaders, when)
        behind = [search_id for search_id, checkpoint in current.items() if checkpoint < last]
        rows.advance_checkpoints(store.db, behind, last, when)
    return recorded


def record_hit(store: Store, search: SavedSearch, doc: Document, words: tuple[str, ...],
               sig: bytes, when: str) -> tuple[int, bool] | None:
    """Record one hit, under its leader when it is a near-copy; (hit id, is leader) or None
    when the alert already had this document."""
    leader = leader_of(store.db, search.id, sig)
    # Digests gather what is not queued yet; anything else is sent now or never.
    queued = leader is not None or search.frequency not in ("daily", "weekly")
    hit_id = rows.insert_hit(store.db, search.id, stored_id(doc), stored_seq(doc), list(words), leader, sig,
                             when, queued)
    if hit_id is None:
        return None
    if leader is None:
        remember_leader(store.db, search.id, hit_id, sig)
    return hit_id, leader is None


def queue_messages(store: Store, search: SavedSearch, kind: str, hit_ids: list[int],
                   when: str) -> None:
    """One message per sending channel the search has switched on."""
    for channel in channels_of(search):
        rows.insert_message(store.db, search.id, channel, kind, hit_ids, when)


def channels_of(search: SavedSearch) -> list[str]:
    """The sending channels of a search (the inbox and the feed need no message)."""
    return [name for name, on in (("email", search.email), ("webhook", bool(search.webhook_url)))
            if on]
