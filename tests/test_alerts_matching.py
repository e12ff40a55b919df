"""Matching saved searches against new documents: each (alert, document) hit exactly once,
with the words that matched; updates, re-ingests, reindex and reenrich do not alert; late
documents do; near-copies are grouped; broken and paused alerts wait and catch up."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from indexer import accounts
from indexer.instance import Instance
from indexer.service import Monitor
from indexer.store import alerts as rows
from tests.helpers import write_jsonl

NOW = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
STORY = ("The oil ministry said exports through the southern terminals would rise next month "
         "after repairs to the pipeline were finished ahead of schedule and tankers returned")


def record(ident: str, title: str, text: str, published: str = "2026-03-09T08:00:00Z",
           source: str = "Alpha News", url: str | None = None) -> dict:
    return {"id": ident, "source": source, "title": title, "text": text, "published": published,
            "url": url or f"https://alpha.example/{ident}", "lang": "en"}


@pytest.fixture
def monitor(tmp_path):
    monitor = Monitor(Instance(tmp_path / "home"), clock=lambda: NOW)
    yield monitor
    monitor.close()


def user(monitor, name="ana"):
    with monitor.store() as store:
        return accounts.add_user(store, name, "password1", f"{name}@example.org")


def ingest(monitor, tmp_path, name, records):
    report = monitor.ingest([str(write_jsonl(tmp_path / f"{name}.jsonl", records))])
    assert not report.count_status("failed")


def hits(monitor) -> list[tuple[str, str, str | None]]:
    """(alert name, document external id, leader's external id) of every hit."""
    with monitor.store() as store:
        names = {row["id"]: row["name"] for row in rows.searches_of(store.db)}
        pairs = rows.all_hit_pairs(store.db)
        docs = store.get_many(doc_id for _, doc_id, _ in pairs)
        by_hit = {row[0]: row[1] for row in store.db.execute("SELECT id, doc_id FROM alert_hits")}
    external = lambda doc_id: docs[doc_id].external_id  # noqa: E731
    return sorted((names[s], external(d), external(by_hit[lead]) if lead else None)
                  for s, d, lead in pairs)


def test_every_matching_document_alerts_once_with_its_words(monitor, tmp_path):
    ana = user(monitor)
    oil = monitor.alerts.create(ana, "oil", {"q": "oil"})
    monitor.alerts.create(ana, "gold not Beta", {"q": "gold", "exclude_source": "Beta Times"},
                          frequency="off")
    monitor.alerts.create(ana, "pipeline phrase", {"q": '"oil pipeline" OR tanker*'})
    ingest(monitor, tmp_path, "one", [
        record("a", "Oil prices", "Crude oil rose."),
        record("b", "Gold rally", "Gold and silver gained.", source="Beta Times"),
        record("c", "Gold in Alpha", "Gold miners struck."),
        record("d", "Weather", "Rain in the north."),
        record("e", "Shipping", "Two tankers docked near the oil pipeline."),
    ])
    assert hits(monitor) == [("gold not Beta", "c", None), ("oil", "a", None),
                             ("oil", "e", None), ("pipeline phrase", "e", None)]
    shown = {h.document["external_id"]: h for h in monitor.alerts.hits(ana, oil.id)}
    assert shown["a"].words == ["Oil"] and "<mark>oil</mark>" in shown["a"].snippet
    pipeline = monitor.alerts.list(ana)[2]
    assert monitor.alerts.hits(ana, pipeline.id)[0].words == ["tankers", "oil", "pipeline"]


def test_reingest_updates_reindex_and_reenrich_do_not_alert_again(monitor, tmp_path):
    ana = user(monitor)
    monitor.alerts.create(ana, "oil", {"q": "oil"})
    first = [record("a", "Oil prices", "Crude oil rose."), record("b", "Wheat", "Wheat fell.")]
    ingest(monitor, tmp_path, "one", first)
    ingest(monitor, tmp_path, "again", first)                       # unchanged
    ingest(monitor, tmp_path, "updated", [
        record("a", "Oil prices", "Crude oil rose again, traders said."),  # still matches
        record("b", "Wheat", "Wheat fell as oil rose."),            # newly matches
    ])
    monitor.reindex()
    monitor.reenrich()
    assert monitor.alerts.run().hits == 0
    assert hits(monitor) == [("oil", "a", None), ("oil", "b", None)]


def test_a_late_document_alerts_when_it_arrives_and_relative_bounds_use_the_clock(monitor, tmp_path):
    ana = user(monitor)
    monitor.alerts.create(ana, "oil", {"q": "oil"})
    monitor.alerts.create(ana, "oil this week", {"q": "oil", "from": "-7d"})
    ingest(monitor, tmp_path, "late", [
        record("old", "Oil in 1999", "An oil report from long ago.", "1999-05-01T00:00:00Z"),
        record("new", "Oil today", "An oil report of yesterday."),
    ])
    assert hits(monitor) == [("oil", "new", None), ("oil", "old", None),
                             ("oil this week", "new", None)]


def test_documents_stored_before_an_alert_was_saved_do_not_alert(monitor, tmp_path):
    ana = user(monitor)
    ingest(monitor, tmp_path, "before", [record("a", "Oil", "oil")])
    monitor.alerts.create(ana, "oil", {"q": "oil"})
    ingest(monitor, tmp_path, "after", [record("b", "Oil", "more oil")])
    assert hits(monitor) == [("oil", "b", None)]


def test_near_copies_are_grouped_under_the_first_hit_and_not_sent_again(monitor, tmp_path):
    ana = user(monitor)
    alert = monitor.alerts.create(ana, "oil", {"q": "oil"}, webhook_url="http://127.0.0.1:9/hook")
    ingest(monitor, tmp_path, "one", [record("first", "Oil exports to rise", STORY)])
    ingest(monitor, tmp_path, "two", [
        record("copy", "Oil exports to rise", STORY + " on Monday", source="Beta Times"),
        record("other", "Oil talks", "A different oil story about talks in Vienna."),
    ])
    assert hits(monitor) == [("oil", "copy", "first"), ("oil", "first", None),
                             ("oil", "other", None)]
    with monitor.store() as store:
        sent = [rows.message_row(store.db, m)["hit_ids"] for m in
                rows.due_messages(store.db, "9999", 100)]
    assert len(sent) == 2 and all(len(ids) == 1 for ids in sent)   # the copy is in neither
    first = [h for h in monitor.alerts.hits(ana, alert.id) if h.document["external_id"] == "first"]
    assert first[0].copies == 1


def test_a_paused_alert_catches_up_from_its_checkpoint_on_resume(monitor, tmp_path):
    ana = user(monitor)
    alert = monitor.alerts.create(ana, "oil", {"q": "oil"})
    monitor.alerts.pause(ana, alert.id)
    ingest(monitor, tmp_path, "while-paused", [record("a", "Oil", "oil news")])
    assert hits(monitor) == []
    monitor.alerts.resume(ana, alert.id)
    assert monitor.alerts.run().hits == 1
    assert hits(monitor) == [("oil", "a", None)]


def test_a_search_that_no_longer_reads_is_marked_broken_told_and_kept(monitor, tmp_path):
    ana = user(monitor)
    alert = monitor.alerts.create(ana, "oil", {"q": "oil"}, email=True)
    with monitor.store() as store:          # as if the language had grown stricter since
        store.db.execute("UPDATE saved_searches SET args = ? WHERE id = ?",
                         ('{"q": ["oil AND"]}', alert.id))
    ingest(monitor, tmp_path, "one", [record("a", "Oil", "oil news")])
    ingest(monitor, tmp_path, "two", [record("b", "Oil", "more oil news")])
    broken = monitor.alerts.get(ana, alert.id)
    assert broken.broken.startswith("dangling operator 'AND'") and hits(monitor) == []
    with monitor.store() as store:
        kinds = [rows.message_row(store.db, m)["kind"] for m in rows.due_messages(store.db, "9999", 9)]
    assert kinds == ["broken"]                                     # told once, not per run
    monitor.alerts.update(ana, alert.id, args={"q": "oil"})
    monitor.alerts.run()
    assert monitor.alerts.get(ana, alert.id).broken is None
    assert hits(monitor) == [("oil", "a", None), ("oil", "b", None)]


def test_a_disabled_users_alerts_do_not_match(monitor, tmp_path):
    ana = user(monitor)
    monitor.alerts.create(ana, "oil", {"q": "oil"})
    with monitor.store() as store:
        accounts.set_disabled(store, "ana")
    ingest(monitor, tmp_path, "one", [record("a", "Oil", "oil news")])
    assert hits(monitor) == []
