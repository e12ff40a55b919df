"""SearchParams: frozen, written back by to_args exactly as from_args reads them, and the
pure helpers the web builds its links with."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.search.facets import FACETS
from indexer.search.params import Filters, ParamError, SearchParams
from tests.helpers import ROOT

# --- generated arguments, as a browser or the command line would send them -----------

# Free text with non-ASCII letters, spaces of several kinds and punctuation.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
WORDS = st.lists(st.sampled_from(["Iran", "نفت", "Zürich", "Ali  Khamenei", " oil ", "ș",
                                  "\u00a0", "U.S.", "a\tb", "İstanbul"]) | TEXT, max_size=3)
COUNTRIES = st.sampled_from(["IR", "ir", "Iran", "syria", "Côte d’Ivoire", "cote d'ivoire",
                             "Turkey", "Türkiye", "united states", " SY "])
KINDS = st.sampled_from(["article", "Brief", "BRIEF", " brief "])
FACET_VALUES = {"country": st.lists(COUNTRIES, max_size=3), "kind": st.lists(KINDS, max_size=2),
                "entity": WORDS, "lang": WORDS, "source": WORDS}


@st.composite
def date_bounds(draw) -> str:
    """A date as YYYY, YYYY-MM or YYYY-MM-DD."""
    day = draw(st.dates())
    return day.isoformat()[:draw(st.sampled_from([4, 7, 10]))]


def number(low: int, high: int):
    """A whole number as text, sometimes with spaces around it."""
    return st.builds(lambda n, pad: f"{pad}{n}{pad}", st.integers(low, high),
                     st.sampled_from(["", " "]))


@st.composite
def web_args(draw) -> dict[str, list[str]]:
    """Arguments name -> list of strings, each name present or not."""
    optional = {
        "q": WORDS,
        **{facet: values for facet, values in FACET_VALUES.items()},
        **{f"exclude_{facet}": values for facet, values in FACET_VALUES.items()},
        "from": date_bounds().map(lambda d: [d]),
        "to": date_bounds().map(lambda d: [d]),
        "sort": st.sampled_from(["relevance", "Newest", "OLDEST"]).map(lambda s: [s]),
        "page": number(1, 10**6).map(lambda n: [n]),
        "limit": number(1, 1000).map(lambda n: [n]),
        "facet_limit": number(0, 1000).map(lambda n: [n]),
    }
    return {name: draw(values) for name, values in optional.items() if draw(st.booleans())}


ORDER = ["q", *FACETS, *(f"exclude_{f}" for f in FACETS), "from", "to", "sort", "page",
         "limit", "facet_limit"]


@given(web_args())
def test_from_args_reads_back_what_to_args_writes(args):
    params = SearchParams.from_args(args)
    assert SearchParams.from_args(params.to_args()) == params


@given(web_args())
def test_to_args_writes_only_what_differs_from_the_defaults_in_a_fixed_order(args):
    written = SearchParams.from_args(args).to_args()
    assert list(written) == [name for name in ORDER if name in written]
    assert all(isinstance(values, list) and values and all(isinstance(v, str) for v in values)
               for values in written.values())
    for name in written:
        without = {key: values for key, values in written.items() if key != name}
        assert SearchParams.from_args(without) != SearchParams.from_args(written), name


@given(web_args())
def test_params_are_hashable_and_equal_params_hash_alike(args):
    params = SearchParams.from_args(args)
    again = SearchParams.from_args(params.to_args())
    assert hash(params) == hash(again) and {params: 1}[again] == 1


# --- to_args, value by value ---------------------------------------------------------

TO_ARGS = [
    ({}, {}),
    ({"q": "  oil  prices "}, {"q": ["oil  prices"]}),
    ({"q": ["oil", "gas"]}, {"q": ["oil gas"]}),
    ({"country": ["Iran", "sy", "IR"]}, {"country": ["IR", "SY"]}),
    ({"exclude_country": "Côte d’Ivoire"}, {"exclude_country": ["CI"]}),
    ({"entity": ["  Ali   Khamenei "], "source": "Iran  International"},
     {"entity": ["Ali Khamenei"], "source": ["Iran International"]}),
    ({"kind": ["Brief", "brief"], "lang": ["FA", " "], "exclude_lang": "EN"},
     {"lang": ["fa"], "kind": ["brief"], "exclude_lang": ["en"]}),
    ({"source": "خبرگزاری فارس", "exclude_entity": "Zürich"},
     {"source": ["خبرگزاری فارس"], "exclude_entity": ["Zürich"]}),
    ({"from": "2020", "to": "2020-02"}, {"from": ["2020-01-01"], "to": ["2020-02-29"]}),
    ({"to": "1987-03-05"}, {"to": ["1987-03-05"]}),
    ({"sort": "Newest"}, {"sort": ["newest"]}),
    ({"sort": "relevance", "q": "oil"}, {"q": ["oil"], "sort": ["relevance"]}),
    ({"page": "1", "limit": "10", "facet_limit": "20"}, {}),
    ({"page": " 3 ", "limit": "1000", "facet_limit": "0"},
     {"page": ["3"], "limit": ["1000"], "facet_limit": ["0"]}),
    ({"facet_limit": "5", "page": "2", "kind": "article", "q": "x", "exclude_kind": "brief",
      "to": "2021", "from": "2019", "sort": "oldest", "country": "IR", "limit": "50"},
     {"q": ["x"], "country": ["IR"], "kind": ["article"], "exclude_kind": ["brief"],
      "from": ["2019-01-01"], "to": ["2021-12-31"], "sort": ["oldest"], "page": ["2"],
      "limit": ["50"], "facet_limit": ["5"]}),
]


@pytest.mark.parametrize("args, expected", TO_ARGS)
def test_to_args(args, expected):
    written = SearchParams.from_args(args).to_args()
    assert written == expected
    assert list(written) == list(expected)


def test_params_built_directly_write_the_same_args():
    params = SearchParams(query="oil", include={"country": ["IR"], "kind": ()},
                          exclude={"source": "Alpha News"}, date_from=date(2020, 7, 1),
                          sort="newest", limit=50)
    assert params.to_args() == {"q": ["oil"], "country": ["IR"], "exclude_source": ["Alpha News"],
                                "from": ["2020-07-01"], "sort": ["newest"], "limit": ["50"]}


# --- frozen ----------------------------------------------------------------------------

def test_params_and_their_filters_cannot_be_changed():
    params = SearchParams.from_args({"country": "IR"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.page = 2
    with pytest.raises(TypeError):
        params.include["country"] = ("SY",)
    with pytest.raises(AttributeError):
        params.include._pairs = ()
    assert params.include == {"country": ("IR",)} and params.include["country"] == ("IR",)
    assert params.include.get("entity") is None and params.exclude == {}


def test_filters_keep_facet_order_and_drop_empty_facets():
    filters = Filters({"kind": ["brief"], "country": ("IR", "SY", "IR"), "lang": []})
    assert list(filters.items()) == [("country", ("IR", "SY")), ("kind", ("brief",))]
    assert Filters([("entity", "Ali Khamenei")]) == {"entity": ("Ali Khamenei",)}
    assert Filters({"kind": ()}) == Filters() == {}
    with pytest.raises(ValueError, match="unknown facet 'colour'"):
        Filters({"colour": ["red"]})


# --- the web's links -----------------------------------------------------------------

BASE = SearchParams.from_args({"q": "oil", "country": "IR", "exclude_source": "Alpha News",
                               "page": "4", "limit": "20"})


def test_with_filter_adds_a_normalised_value_and_goes_to_page_1():
    assert BASE.with_filter("country", "syria").to_args() == {
        "q": ["oil"], "country": ["IR", "SY"], "exclude_source": ["Alpha News"], "limit": ["20"]}
    assert BASE.with_filter("lang", " EN ").include == {"country": ("IR",), "lang": ("en",)}
    assert BASE.with_filter("entity", "Ali  Khamenei", exclude=True).exclude == {
        "entity": ("Ali Khamenei",), "source": ("Alpha News",)}


def test_with_filter_keeps_one_value_per_folded_form():
    assert BASE.with_filter("country", "iran").include == {"country": ("IR",)}
    assert BASE.with_filter("source", "alpha news", exclude=True).exclude == {
        "source": ("Alpha News",)}


def test_a_value_is_never_both_kept_and_excluded():
    excluded = BASE.with_filter("country", "IR", exclude=True)
    assert (excluded.include, excluded.exclude) == (
        {}, {"country": ("IR",), "source": ("Alpha News",)})
    kept = BASE.with_filter("source", "ALPHA NEWS")
    assert (kept.include, kept.exclude) == ({"country": ("IR",), "source": ("ALPHA NEWS",)}, {})


def test_without_filter_removes_a_value_and_goes_to_page_1():
    assert BASE.without_filter("country", "Iran").to_args() == {
        "q": ["oil"], "exclude_source": ["Alpha News"], "limit": ["20"]}
    assert BASE.without_filter("source", "alpha  news", exclude=True).to_args() == {
        "q": ["oil"], "country": ["IR"], "limit": ["20"]}
    # Taking away a value that is not there changes nothing but the page.
    assert BASE.without_filter("source", "Alpha News").to_args() == {
        "q": ["oil"], "country": ["IR"], "exclude_source": ["Alpha News"], "limit": ["20"]}


@pytest.mark.parametrize("facet, value, message", [
    ("country", "Atlantis", "unknown country 'Atlantis'"),
    ("kind", "video", "unknown kind 'video'"),
    ("colour", "red", "unknown facet 'colour'"),
    ("source", "  ", "empty source filter value"),
])
def test_link_helpers_refuse_bad_filter_values(facet, value, message):
    with pytest.raises(ParamError, match=message):
        BASE.with_filter(facet, value)
    with pytest.raises(ParamError, match=message):
        BASE.without_filter(facet, value, exclude=True)


def test_with_page():
    assert BASE.with_page(5).page == 5 and BASE.with_page(1).to_args() == {
        "q": ["oil"], "country": ["IR"], "exclude_source": ["Alpha News"], "limit": ["20"]}
    with pytest.raises(ParamError, match="page must be 1 or more, not 0"):
        BASE.with_page(0)


def test_with_dates_reads_strings_as_from_args_does_and_goes_to_page_1():
    july = BASE.with_dates("2020-07", "2020-07")
    assert (july.date_from, july.date_to, july.page) == (date(2020, 7, 1), date(2020, 7, 31), 1)
    assert BASE.with_dates(date(1987, 3, 2), None).to_args() == {
        "q": ["oil"], "country": ["IR"], "exclude_source": ["Alpha News"],
        "from": ["1987-03-02"], "limit": ["20"]}
    assert july.with_dates(None, None) == BASE.with_page(1)
    with pytest.raises(ParamError, match="invalid to date '2020-13'"):
        BASE.with_dates(None, "2020-13")


def test_helpers_leave_the_params_they_start_from_alone():
    before = BASE.to_args()
    BASE.with_filter("kind", "brief").without_filter("country", "IR").with_page(2)
    BASE.with_dates("2020", "2021")
    assert BASE.to_args() == before


# --- no engine needed ------------------------------------------------------------------

def test_importing_params_does_not_import_whoosh():
    code = ("import sys, indexer.search.params, indexer.search.facets; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'whoosh'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")
