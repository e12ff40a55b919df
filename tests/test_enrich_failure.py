"""A rule that fails on one document stores it unenriched; the rest of its file goes on."""
from __future__ import annotations

from datetime import datetime, timezone

from corpus.sample import write_sample
from indexer.enrich import entities
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance

NOW = datetime(2025, 7, 1, tzinfo=timezone.utc)


def test_one_document_a_rule_fails_on_is_stored_unenriched(tmp_path, monkeypatch):
    feed = write_sample(tmp_path / "demo") / "demo-wire.atom"
    real = entities.arabic_mentions
    victims = []

    def failing(text, *args, **kwargs):        # a rule bug, on one document only
        if "Ukraine" in text and not victims:
            victims.append(text)
            raise IndexError("list index out of range")
        return real(text, *args, **kwargs)
    monkeypatch.setattr(entities, "arabic_mentions", failing)
    store = Instance(tmp_path / "home").open_store()
    try:
        report = Ingester(store, clock=lambda: NOW).ingest_file(str(feed))
        assert (report.status, report.error, report.new) == ("ok", None, report.documents)
        assert report.warning_count == 1 and len(victims) == 1
        [warning] = report.warnings
        assert warning.startswith("document ") and "the entities rule failed (IndexError" in warning
        doc_id = warning.split()[1].rstrip(":")
        stored = store.get(doc_id)
        assert (stored.entities, stored.countries) == ([], [])
        assert stored.published is not None and stored.date_source == "metadata"
        others = [d for d in store.iter_all() if d.id != doc_id]
        assert any(d.entities for d in others) and len(others) == report.documents - 1
    finally:
        store.close()
