"""Languages of thin texts lean on their outlet, counted over the run in progress (issue 14)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from corpus.document import Document
from indexer.enrich import Enricher
from indexer.enrich.language import choose_language, detect_language, guess_language
from indexer.ingest.ingester import Ingester, store_enricher
from indexer.ingest.reenrich import reenrich
from indexer.store import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
# Made-up earnings tables that langdetect (seeded) calls Swedish or French, 99.9% sure.
TABLES = [
    "Revs 481.3 mln vs 93.9 mln\nAvg shrs 2752,000 vs 2614,000\nRevs 113.5 mln vs 229.1 mln\n"
    "Revs 333.9 mln vs 135.5 mln\nNine mths\nOper shr 39 cts vs 71 cts",
    "Sales 222.5 mln vs 103.6 mln\nQtr div 83 cts vs 49 cts\nYear",
    "Nine mths\nSales 167.5 mln vs 185.7 mln\nQtr div 15 cts vs 45 cts",
]
TITLE = "ACME INDUSTRIES INC 1ST QTR NET"
PROSE = ("The company said on {day} that its board had approved a plan to expand the factory "
         "near the river, adding that the work would begin next spring and employ several "
         "hundred people once finished, according to a statement released to reporters.")
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
PERSIAN = ("وزیر امور خارجه درباره صادرات نفت و تحریم‌ها با خبرنگاران گفت‌وگو کرد و گفت "
           "مذاکرات با کشورهای همسایه در هفته آینده ادامه دارد.")


@pytest.mark.parametrize("table", TABLES)
def test_a_table_of_figures_is_thin_whatever_langdetect_says(table):
    guess = guess_language(TITLE, table)
    assert (guess.lang in ("sv", "fr"), guess.settled, guess.script) == (True, False, "LATIN")
    assert choose_language(guess, [None, "en"]) == "en"
    assert detect_language(TITLE, table, "en-GB") == "en"


def test_prose_is_settled_and_beats_any_hint():
    guess = guess_language(None, PROSE.format(day="Monday"))
    assert (guess.lang, guess.settled) == ("en", True)
    assert choose_language(guess, ["de"]) == "en"


def test_a_hint_in_another_script_is_not_taken():
    enricher = Enricher(outlet_language={"Wire": "en"}.get)
    brief = Document(title=None, text=PERSIAN[:70], source="Wire")
    assert enricher.language(brief) == "fa"
    latin = Document(title=None, text="Nine mths\nSales 167.5 mln vs 185.7 mln", source="Wire")
    assert enricher.language(latin) == "en"


def write_export(path, order):
    """One outlet's export: tables first or prose first, as order says."""
    records = [{"id": f"t{n}", "source": "Acme Wire", "title": TITLE, "text": text}
               for n, text in enumerate(TABLES)]
    records += [{"id": f"p{n}", "source": "Acme Wire", "title": f"Plant news {day}",
                 "text": PROSE.format(day=day)} for n, day in enumerate(DAYS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in order(records)), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("order", [list, lambda r: r[::-1]], ids=["tables-first", "prose-last"])
def test_a_fresh_ingest_counts_the_run_in_progress(tmp_path, order):
    store = Store(tmp_path / "s.sqlite3")
    Ingester(store, clock=lambda: NOW, batch_size=2).ingest([write_export(tmp_path / "a.jsonl",
                                                                          order)])
    assert sorted((d.external_id, d.lang) for d in store.iter_all()) == [
        ("p0", "en"), ("p1", "en"), ("p2", "en"), ("p3", "en"), ("p4", "en"), ("p5", "en"),
        ("t0", "en"), ("t1", "en"), ("t2", "en")]


def test_settling_keeps_seq_and_reenrich_agrees(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    ingester = Ingester(store, clock=lambda: NOW, batch_size=20)
    for file_report in [ingester.ingest_file(write_export(tmp_path / "a.jsonl", list))]:
        assert file_report.new == 9
    seqs = {d.id: d.seq for d in store.iter_all()}
    refreshed = []
    assert ingester.settle(on_batch=refreshed.extend) == 3
    assert sorted(d.external_id for d in refreshed) == ["t0", "t1", "t2"]
    assert {d.id: d.seq for d in store.iter_all()} == seqs
    languages = {d.id: d.lang for d in store.iter_all()}
    reenrich(store, store_enricher(store), NOW)
    assert {d.id: d.lang for d in store.iter_all()} == languages
    assert set(languages.values()) == {"en"}
