"""indexer.pages and the store queries behind it, on small documents built here; and the
web's pure helpers (bucket ranges, safe redirects, the locale's digits)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from corpus.document import Document
from indexer import pages
from indexer.instance import Instance
from indexer.service import Monitor
from indexer.store.queries import children, entity_type, entity_variants
from web import create_app
from web.i18n import safe_next

WHEN = datetime(2024, 5, 6, 7, 0, tzinfo=timezone.utc)


def doc(title, text, **fields) -> Document:
    base = {"source": "Test Wire", "published": WHEN, "date_source": "metadata", "lang": "en",
            "ingested_at": WHEN}
    return Document(title=title, text=text, **{**base, **fields})


@pytest.fixture()
def monitor(tmp_path):
    monitor = Monitor(Instance(tmp_path / "home"))
    page = doc("Grain deal signed", "Ministers signed the grain deal in Ankara today.",
               countries=["TR", "UA"], entities=[{"name": "Olena Koval", "type": "person"}])
    briefs = [doc(None, text, kind="brief", parent_id=page.id, countries=["UA"])
              for text in ("Ports reopen for grain ships.", "Insurers raise ship premiums.")]
    with monitor.store() as store, store.transaction():
        for number, item in enumerate([page, *briefs], start=1):
            item.seq = number
            store.save(item)
        store.set_meta("last_seq", "3")
        store.add_entity_rows([("olena koval", "Olena Koval", "person"), ("koval", "Olena Koval", "person")])
    monitor.catch_up()
    yield monitor
    monitor.close()


def test_children_in_store_order(monitor):
    with monitor.store() as store:
        page = next(d for d in store.iter_all() if d.kind == "article")
        assert [d.text for d in children(store.db, page.id)] == ["Ports reopen for grain ships.",
                                                                 "Insurers raise ship premiums."]
        assert children(store.db, "nothing") == []
        assert entity_type(store.db, "Olena Koval") == "person"
        assert entity_variants(store.db, "Olena Koval") == ["koval", "olena koval"]
        assert (entity_type(store.db, "Nobody"), entity_variants(store.db, "Nobody")) == (None, [])


def test_document_page_of_a_brief(monitor):
    with monitor.store() as store:
        brief = next(d for d in store.iter_all() if d.text.startswith("Ports"))
    page = pages.document_page(monitor, brief.id)
    assert page["document"]["text"] == "Ports reopen for grain ships."
    assert page["parent"]["title"] == "Grain deal signed"
    assert page["parent"]["excerpt"] == "Ministers signed the grain deal in Ankara today."
    assert "text" not in page["parent"]
    assert [s["excerpt"] for s in page["siblings"]] == ["Insurers raise ship premiums."]
    assert page["briefs"] == [] and page["duplicates"] == []
    assert pages.document_page(monitor, "missing") is None


def test_document_page_of_a_page_lists_its_briefs(monitor):
    with monitor.store() as store:
        article = next(d for d in store.iter_all() if d.kind == "article")
    page = pages.document_page(monitor, article.id)
    assert page["parent"] is None and page["siblings"] == []
    assert [b["kind"] for b in page["briefs"]] == ["brief", "brief"]


def test_entity_page(monitor):
    assert pages.canonical_entity(monitor, "KOVAL") == "Olena Koval"
    assert pages.canonical_entity(monitor, "Someone Else") is None
    page = pages.entity_page(monitor, "Olena Koval")
    assert (page["name"], page["type"], page["variants"], page["total"]) == (
        "Olena Koval", "person", ["koval"], 1)
    assert page["countries"] == [{"value": "TR", "count": 1}, {"value": "UA", "count": 1}]
    assert page["entities"] == [] and page["search"] == {"entity": ["Olena Koval"]}
    assert page["histogram"] == {"interval": "day", "buckets": [{"bucket": "2024-05-06", "count": 1}],
                                 "undated": 0}
    assert pages.entity_page(monitor, "Nobody") is None


def test_country_page(monitor):
    assert [pages.canonical_country(v) for v in ("ua", "Ukraine", "Atlantis")] == ["UA", "UA", None]
    page = pages.country_page(monitor, "UA")
    assert (page["code"], page["total"], page["search"]) == ("UA", 3, {"country": ["UA"]})
    assert page["countries"] == [{"value": "TR", "count": 1}]
    assert page["entities"] == [{"value": "Olena Koval", "count": 1}]
    assert len(page["latest"]) == 3


def test_excerpt_cuts_long_text_at_a_word():
    words = " ".join(["word"] * 100)
    assert pages.summary(doc("t", words))["excerpt"] == " ".join(["word"] * 48) + " \u2026"


@pytest.mark.parametrize("label,interval,first,last", [
    ("2024-05-06", "day", date(2024, 5, 6), date(2024, 5, 6)),
    ("2024-W01", "week", date(2024, 1, 1), date(2024, 1, 7)),
    ("2020-W53", "week", date(2020, 12, 28), date(2021, 1, 3)),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023", "year", date(2023, 1, 1), date(2023, 12, 31)),
])
def test_bucket_range(label, interval, first, last):
    assert pages.bucket_range(label, interval) == (first, last)


@pytest.mark.parametrize("target,safe", [
    (None, "/"), ("", "/"), ("/?q=oil", "/?q=oil"), ("/documents/x", "/documents/x"),
    ("//evil.example/", "/"), ("https://evil.example/", "/"), ("evil", "/"), ("/\\evil.example", "/"),
    ("/\\/evil.example", "/"),
])
def test_safe_next(target, safe):
    assert safe_next(target) == safe


@pytest.mark.parametrize("lang,count,day", [
    ("en", "12,345", "May 6, 2024"), ("fr", "12\u202f345", "6 mai 2024"),
    ("fa", "۱۲٬۳۴۵", "۶ مه ۲۰۲۴"), ("ar", "12,345", "06\u200f/05\u200f/2024"),
])
def test_numbers_and_dates_in_the_ui_locale(tmp_path, lang, count, day):
    from web.i18n import day as format_day
    from web.i18n import number

    app = create_app({"HOME": str(tmp_path)})
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert (number(12345), format_day("2024-05-06T07:00:00Z")) == (count, day)


@pytest.mark.parametrize("lang", ["en", "fa", "ar", "fr"])
def test_catalogues_are_complete_and_compiled(lang):
    from io import BytesIO
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[1] / "web" / "translations" / lang / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    untranslated = [m.id for m in catalog
                    if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert untranslated == [] and not any(m.fuzzy for m in catalog if m.id)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue()   # .mo rebuilt from .po
