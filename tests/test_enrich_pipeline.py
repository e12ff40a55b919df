"""Enrichment inside ingest: language fallbacks, the entity table, and resumable re-enrichment."""
import json
from datetime import datetime, timezone

import pytest

from corpus.document import Document
from indexer.enrich import Enricher
from indexer.ingest.ingester import FileReport, Ingester, store_enricher
from indexer.ingest.reenrich import MARKER, reenrich
from indexer.store import Store
from tests.helpers import SEED_PAGE

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_short_brief_takes_its_pages_language_then_its_outlets():
    languages = {"page-1": "fa"}
    enricher = Enricher(parent_language=languages.get, outlet_language={"Outlet": "ar"}.get)
    brief = Document(title=None, text="Short one.", kind="brief", parent_id="page-1")
    orphan = Document(title=None, text="Short one.", source="Outlet")
    assert enricher.language(brief) == "fa"
    assert enricher.language(orphan) == "ar"
    assert Enricher().language(orphan) is None


def test_text_date_when_metadata_has_none():
    enricher = Enricher(detect=False)
    dated = Document(title="T", text="PARIS, 25 September 2020 - Talks resumed today in Paris.")
    doc, _ = enricher.enrich(dated, NOW)
    assert (doc.date_source, doc.published.date().isoformat()) == ("text", "2020-09-25")
    undated, _ = enricher.enrich(Document(title="T", text="No date here at all."), NOW)
    assert (undated.date_source, undated.published) == ("ingested", NOW)


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared is absent: no seed page")
def test_seed_page_enrichment_and_entity_table(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    Ingester(store, clock=lambda: NOW).ingest_file(str(SEED_PAGE))
    docs = list(store.iter_all())
    article, briefs = docs[0], docs[1:]
    assert {"IR", "SY", "IL"} <= set(article.countries)
    france = next(b for b in briefs if b.text.startswith("France's foreign ministry"))
    zarif = next(b for b in briefs if b.text.startswith("Mohammad Javad Zarif"))
    assert {"FR", "IR"} <= set(france.countries) and {"IR", "US"} <= set(zarif.countries)
    names = {(e["name"], e["type"]) for d in docs for e in d.entities}
    assert {("Bashar Assad", "person"), ("Mohammad Bagheri", "person"),
            ("Ali Abdullah Ayyub", "person"), ("Mohammad Javad Zarif", "person"),
            ("United Nations", "org"), ("Amnesty International", "org")} <= names
    later = Document(title="Bagheri visits Moscow", text="Bagheri met officials on Monday.",
                     source="Other")
    enriched, _ = store_enricher(store).enrich(later, NOW)
    assert {"name": "Mohammad Bagheri", "type": "person"} in enriched.entities


def test_reenrich_keeps_seq_and_resumes_after_a_crash(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    docs = [Document(title=f"Talks in Tehran {n}", text=f"Iran and Syria met, round {n}.",
                     source="S") for n in range(7)]
    ingester = Ingester(store, clock=lambda: NOW, enrich=False, detect_language=False)
    ingester.store_batch(docs, FileReport(path="inline"))
    before = {d.id: d.seq for d in store.iter_all()}
    assert all(not d.countries for d in store.iter_all())

    def crash_on_third(batch):
        if batch[0].seq > 4:
            raise KeyboardInterrupt("killed")
    with pytest.raises(KeyboardInterrupt):
        reenrich(store, store_enricher(store), NOW, crash_on_third, batch_size=2)
    assert store.get_meta(MARKER) == "4"
    seen = []
    assert reenrich(store, store_enricher(store), NOW, seen.extend, batch_size=2) == 3
    assert store.get_meta(MARKER) is None and len(seen) == 3
    after = list(store.iter_all())
    assert {d.id: d.seq for d in after} == before and store.last_seq() == 7
    assert all(d.countries == ["IR", "SY"] for d in after)


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="../shared is absent: no seed page")
def test_entity_filter_takes_known_variants_and_reenrich_cli_keeps_seqs(tmp_path):
    from click.testing import CliRunner

    from manage import cli

    def run(*args):
        result = CliRunner().invoke(cli, ["--home", str(tmp_path), *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("ingest", str(SEED_PAGE))
    by_surname = json.loads(run("search", "--entity", "bagheri", "--json"))
    by_name = json.loads(run("search", "--entity", "MOHAMMAD BAGHERI", "--json"))
    assert by_surname["total"] == by_name["total"] == 1
    assert by_surname["results"][0]["title"].startswith("Iran and Syria sign")
    before = json.loads(run("stats", "--json"))
    assert "re-enriched 6 documents" in run("reenrich")
    assert json.loads(run("stats", "--json")) == before
    assert json.loads(run("search", "--country", "SY", "--json"))["total"] == 1
