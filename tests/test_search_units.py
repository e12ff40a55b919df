"""The pure parts of search: parameters, query building, histogram, snippets, CSV cells."""
from __future__ import annotations

from datetime import date

import pytest

from indexer.output.export import csv_cell
from indexer.output.render import plain_snippet
from indexer.search.histogram import bucket_of, choose_interval, histogram
from indexer.search.params import ParamError, SearchParams, parse_date_bound
from indexer.search.query_language import QueryError, parse
from indexer.search.snippets import first_match, make_snippet, opening


@pytest.mark.parametrize("value, which, expected", [
    ("2020", "from", date(2020, 1, 1)), ("2020", "to", date(2020, 12, 31)),
    ("2020-02", "from", date(2020, 2, 1)), ("2020-02", "to", date(2020, 2, 29)),
    ("2021-02", "to", date(2021, 2, 28)), ("2020-07-15", "to", date(2020, 7, 15)),
])
def test_date_bounds_cover_whole_periods(value, which, expected):
    assert parse_date_bound(value, which) == expected


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "20", "2020/01/01", "July 2020",
                                   "2020-1", "2020-07-01T00:00"])
def test_invalid_dates_are_refused(value):
    with pytest.raises(ParamError, match="invalid from date"):
        SearchParams.from_args({"from": [value]})


@pytest.mark.parametrize("given, code", [
    ("ir", "IR"), ("IR", "IR"), ("Iran", "IR"), ("united kingdom", "GB"),
    ("  United   States ", "US"), ("Cote d'Ivoire", "CI"), ("Russia", "RU"),
])
def test_country_codes_and_english_names(given, code):
    assert SearchParams.from_args({"country": [given]}).include == {"country": (code,)}


@pytest.mark.parametrize("args, message", [
    ({"country": ["Atlantis"]}, "unknown country"),
    ({"exclude_country": ["XX"]}, "unknown country"),
    ({"kind": ["story"]}, "unknown kind"),
    ({"exclude_kind": ["video"]}, "unknown kind"),
    ({"page": ["0"]}, "page must be"),
    ({"page": ["two"]}, "page must be a whole number"),
    ({"limit": ["0"]}, "limit must be"),
    ({"facet_limit": ["-1"]}, "facet limit must be"),
    ({"sort": ["random"]}, "unknown sort"),
])
def test_bad_parameters_say_what_is_wrong(args, message):
    with pytest.raises(ParamError, match=message):
        SearchParams.from_args(args)


def test_defaults_and_sort_order():
    params = SearchParams.from_args({})
    assert (params.query, params.page, params.limit, params.facet_limit) == ("", 1, 10, 20)
    assert params.sort_order == "newest"
    assert SearchParams.from_args({"q": ["iran"]}).sort_order == "relevance"
    assert SearchParams.from_args({"q": "iran", "sort": "Oldest"}).sort_order == "oldest"


def test_filter_values_are_normalised_and_deduplicated():
    params = SearchParams.from_args({"kind": ["Brief", "brief"], "lang": ["EN"],
                                     "source": ["  Alpha   News "], "entity": [""]})
    assert params.include == {"kind": ("brief",), "lang": ("en",), "source": ("Alpha News",)}


@pytest.mark.parametrize("text, message", [
    ('"oil prices', "unbalanced quote"), ("(oil OR gas", "unbalanced parenthesis"),
    ("oil) OR (gas", "unbalanced parenthesis"), ("x" * 1001, "limit is 1000"),
])
def test_bad_query_text_is_refused(text, message):
    with pytest.raises(QueryError, match=message):
        parse(text)


@pytest.mark.parametrize("first, last, interval", [
    (date(2020, 1, 1), date(2020, 1, 1), "day"), (date(2020, 1, 1), date(2020, 3, 3), "day"),
    (date(2020, 1, 1), date(2020, 3, 4), "week"), (date(2020, 1, 1), date(2020, 12, 31), "week"),
    (date(2020, 1, 1), date(2021, 1, 2), "month"), (date(2010, 1, 1), date(2019, 12, 31), "month"),
    (date(2003, 1, 1), date(2021, 6, 1), "year"),
])
def test_interval_follows_the_span(first, last, interval):
    assert choose_interval(first, last) == interval


def test_iso_week_labels_cross_years():
    assert bucket_of(date(2021, 1, 1), "week") == "2020-W53"
    assert bucket_of(date(2024, 12, 30), "week") == "2025-W01"


def test_histogram_keeps_empty_buckets_and_counts_undated():
    data = histogram({date(2020, 1, 31): 2, date(2020, 4, 2): 1, date(2020, 4, 3): 1}, undated=3)
    assert data["interval"] == "week"
    labels = [b["bucket"] for b in data["buckets"]]
    assert labels[0] == "2020-W05" and labels[-1] == "2020-W14" and len(labels) == 10
    assert sum(b["count"] for b in data["buckets"]) == 4 and data["undated"] == 3
    monthly = histogram({date(2019, 11, 5): 1, date(2021, 2, 1): 1}, undated=0)
    assert [b["bucket"] for b in monthly["buckets"]][:3] == ["2019-11", "2019-12", "2020-01"]
    assert len(monthly["buckets"]) == 16


def test_histogram_without_dated_matches():
    assert histogram({}, undated=2) == {"interval": None, "buckets": [], "undated": 2}


def test_snippet_marks_words_and_escapes_html():
    text = "Intro <b>bold</b> & more. " + "filler " * 60 + "Oil prices & Iran's exports rose. " + "tail " * 60
    snippet = make_snippet(text, {"oil", "iran"})
    assert "<mark>Oil</mark>" in snippet and "<mark>Iran</mark>" in snippet
    assert "&amp;" in snippet and "<b>" not in snippet
    assert snippet.startswith("\u2026") and snippet.endswith("\u2026")
    assert len(plain_snippet(snippet)) <= 260


def test_snippet_without_terms_is_the_escaped_start():
    text = "<script>x</script> " + "word " * 100
    assert make_snippet(text, set()) == opening(text)
    assert opening(text).startswith("&lt;script&gt;") and len(opening(text)) < 230
    assert make_snippet("Short text.", {"absent"}) == "Short text."


def test_plain_snippet_for_the_terminal():
    assert plain_snippet("a <mark>B&amp;C</mark> d") == "a [B&C] d"


@pytest.mark.parametrize("name, value, cell", [
    ("title", None, ""), ("countries", ["IR", "SY"], "IR; SY"), ("countries", [], ""),
    ("entities", [{"name": "A B", "type": "person"}, {"name": "C", "type": "org"}], "A B; C"),
    ("seq", 7, 7),
])
def test_csv_cells(name, value, cell):
    assert csv_cell(name, value) == cell


def test_country_filter_takes_the_aliases_enrichment_knows():
    from indexer.search.params import normalise_country
    assert normalise_country("Turkey") == normalise_country("Türkiye") == "TR"
    assert normalise_country("U.S.") == normalise_country("united states") == "US"


def test_snippet_of_a_long_text_shows_the_first_place_the_word_occurs():
    text = "Opening words. " + "filler " * 20000 + "Then the tanker sanctions came. " + "tail " * 500
    snippet = make_snippet(text, {"~sanction"})
    assert "<mark>sanctions</mark>" in snippet and "tanker" in snippet
    assert snippet.startswith("\u2026") and snippet.endswith("\u2026")
    assert first_match(text, {"~sanction"}) == text.index("sanctions")


def test_snippet_finds_arabic_letter_forms_for_a_persian_word():
    text = "خبرگزاري فارس: رئيس اداره كل دفاتر خدمات بانكي گفت"
    assert first_match(text, {"بانکی"}) == text.index("بانكي")
    assert "<mark>بانكي</mark>" in make_snippet(text, {"بانکی"})
    assert first_match(text, {"absent"}) is None
