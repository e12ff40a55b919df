"""manage.py search on a small instance whose documents the tests know field by field.

These go through the service and whichever engine the instance opens: they are the
contract every engine must pass (tests/test_engine_contract.py adds the protocol's own).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from corpus.document import Document
from indexer.instance import Instance
from indexer.service import Monitor
from manage import cli
from tests.news_fixture import DOCS, SERIES, TIES, save_documents

FACETS = ("country", "entity", "lang", "source", "kind")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("news"))
    save_documents(instance, DOCS)
    Monitor(instance).catch_up()      # searches never write the index: writers catch it up
    return instance.home


def run(home, *args):
    """Invoke manage.py in-process; return the click result."""
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def search(home, *args) -> dict:
    result = run(home, "search", "--json", "--limit", "1000", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ids(home, *args) -> list[str]:
    return [r["id"] for r in search(home, *args)["results"]]


def keys_of(predicate) -> set[str]:
    return {d.id for d in DOCS if predicate(d)}


def is_dated(d: Document) -> bool:
    return d.date_source != "ingested"


def facet_values(d: Document, facet: str) -> set[str]:
    values = {"country": d.countries, "entity": [e["name"] for e in d.entities],
              "lang": [d.lang] if d.lang else [], "source": [d.source], "kind": [d.kind]}[facet]
    return {v.casefold() for v in values}


DOCUMENT_KEYS = {"id": str, "external_id": (str, type(None)), "kind": str,
                 "parent_id": (str, type(None)), "source": (str, type(None)),
                 "url": (str, type(None)), "title": (str, type(None)),
                 "published": (str, type(None)), "date_source": str, "lang": (str, type(None)),
                 "countries": list, "entities": list, "ingested_at": str, "seq": int,
                 "snippet": str, "duplicates": int}


def assert_search_shape(data: dict) -> None:
    """Every key of INTERFACES.md's search JSON, with its type."""
    for key, kind in {"query": str, "total": int, "groups": int, "page": int,
                      "per_page": int, "results": list, "facets": dict, "histogram": dict}.items():
        assert isinstance(data[key], kind), key
    assert data["groups"] == data["total"]
    for result in data["results"]:
        assert "text" not in result
        for key, kind in DOCUMENT_KEYS.items():
            assert isinstance(result[key], kind), (key, result)
        assert result["duplicates"] == 0
    assert set(data["facets"]) == set(FACETS)
    for facet in data["facets"].values():
        assert isinstance(facet["more"], int)
        for value in facet["values"]:
            assert isinstance(value["value"], str) and isinstance(value["count"], int)
        counts = [(-v["count"], v["value"]) for v in facet["values"]]
        assert counts == sorted(counts)
    histogram = data["histogram"]
    assert isinstance(histogram["buckets"], list) and isinstance(histogram["undated"], int)
    assert histogram["interval"] in (None, "day", "week", "month", "year")
    for bucket in histogram["buckets"]:
        assert isinstance(bucket["bucket"], str) and isinstance(bucket["count"], int)


@pytest.mark.parametrize("args, query, total, shown", [
    ((), "", len(DOCS), 10),
    (("oil",), "oil", 5, 5),
    (("iran", "oil"), "iran oil", 2, 2),
    (("nothingmatchesthis",), "nothingmatchesthis", 0, 0),
    (("--page", "4", "--limit", "10"), "", len(DOCS), len(DOCS) - 30),        # last page
    (("--page", "99"), "", len(DOCS), 0),                                    # past the last
    (("copper", "--page", "2", "--limit", "5"), "copper", 6, 1),
])
def test_json_shape_on_every_path(home, args, query, total, shown):
    result = run(home, "search", "--json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert_search_shape(data)
    assert (data["query"], data["total"], len(data["results"])) == (query, total, shown)


def test_no_results_has_empty_facets_and_histogram(home):
    data = search(home, "nothingmatchesthis")
    assert all(f == {"values": [], "more": 0} for f in data["facets"].values())
    assert data["histogram"] == {"interval": None, "buckets": [], "undated": 0}


@pytest.mark.parametrize("facet", FACETS)
def test_each_filter_and_its_exclusion(home, facet):
    values = sorted({v for d in DOCS for v in facet_values(d, facet)})
    assert values
    for value in values:
        given = value.upper() if facet in ("country", "source") else value
        found = ids(home, f"--{facet}", given)
        assert set(found) == keys_of(lambda d, value=value: value in facet_values(d, facet)), value
        assert len(found) == len(set(found))
        left = ids(home, f"--exclude-{facet}", given)
        assert set(left) == keys_of(lambda d, value=value: value not in facet_values(d, facet)), value


def test_or_within_a_facet_and_across_facets(home):
    either = ids(home, "--country", "SY", "--country", "fr")
    assert set(either) == keys_of(lambda d: {"sy", "fr"} & facet_values(d, "country"))
    both = ids(home, "--country", "ir", "--source", "beta times")
    assert set(both) == {DOCS[1].id, DOCS[5].id}
    narrowed = ids(home, "oil", "--country", "IR", "--exclude-entity", "bashar AL-ASSAD")
    assert set(narrowed) == {DOCS[0].id, DOCS[5].id}


def test_country_by_english_name(home):
    assert set(ids(home, "--country", "Syria")) == set(ids(home, "--country", "sy"))


def test_from_and_to_are_inclusive_at_both_ends(home):
    july = set(ids(home, "--from", "2020-07-01", "--to", "2020-07-31"))
    assert july == {DOCS[0].id, DOCS[1].id}
    assert set(ids(home, "--from", "2020-07", "--to", "2020-07")) == july
    assert set(ids(home, "--from", "2020-07-02", "--to", "2020-07-31")) == {DOCS[1].id}
    assert set(ids(home, "--from", "2020-06-30", "--to", "2020-07-01")) == {DOCS[0].id, DOCS[3].id}
    assert set(ids(home, "--to", "2019")) == {DOCS[4].id}
    assert set(ids(home, "--from", "2020-08-01", "--to", "2020-08-01")) == {DOCS[2].id}


def test_an_open_ended_range_keeps_only_its_side(home):
    # Whoosh 2.7.4 matched every dated document for a NumericRange ending at 99991231.
    published = {d.id: d.published.date().isoformat() for d in DOCS if is_dated(d)}
    later = {i for i, day in published.items() if day >= "2020-07-02"}
    assert later and set(ids(home, "--from", "2020-07-02")) == later
    earlier = {i for i, day in published.items() if day <= "2020-07-01"}
    assert earlier and set(ids(home, "--to", "2020-07-01")) == earlier


def test_undated_documents_never_match_a_date_range(home):
    dated = keys_of(is_dated)
    assert set(ids(home, "--from", "1900", "--to", "2100")) == dated
    # u1 and u2 were ingested inside this range; their ingest time is not a date.
    assert not set(ids(home, "--from", "2024", "--to", "2024")) & keys_of(lambda d: not is_dated(d))


def expected_order(docs: list[Document], newest: bool) -> list[str]:
    """Dated first (by published in the given direction), then undated; ties by id."""
    sign = -1 if newest else 1
    return [d.id for d in sorted(docs, key=lambda d: (not is_dated(d),
                                                      sign * d.published.timestamp(), d.id))]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_orders_hold_over_pages(home, sort):
    pages = []
    for page in range(1, 12):
        data = search(home, "--sort", sort, "--limit", "4", "--page", str(page))
        pages += [r["id"] for r in data["results"]]
    assert pages == expected_order(DOCS, newest=(sort == "newest"))


def test_default_order_is_newest_without_a_query(home):
    assert ids(home) == expected_order(DOCS, newest=True)


def test_relevance_ties_fall_back_to_newest_then_id(home):
    by_pages = []
    for page in (1, 2, 3):
        by_pages += [r["id"] for r in search(home, "copper", "--limit", "2", "--page", str(page))["results"]]
    assert by_pages == expected_order(TIES, newest=True)


def test_relevance_puts_title_matches_first(home):
    found = ids(home, "oil", "--sort", "relevance")
    assert set(found[:3]) == {DOCS[0].id, DOCS[4].id, DOCS[5].id}   # "oil" in their titles


def test_facet_counts_equal_the_total_of_the_filtered_search(home):
    for query in ((), ("oil",), ("--kind", "article"), ("market", "--exclude-country", "GB")):
        data = search(home, *query)
        total = data["total"]
        for facet, counted in data["facets"].items():
            if f"--{facet}" in query:
                continue
            for entry in counted["values"]:
                filtered = search(home, *query, f"--{facet}", entry["value"])
                assert filtered["total"] == entry["count"], (query, facet, entry)
                excluded = search(home, *query, f"--exclude-{facet}", entry["value"])
                assert excluded["total"] == total - entry["count"], (query, facet, entry)


def test_facet_limit_and_more(home):
    data = search(home, "--facet-limit", "2")
    country = data["facets"]["country"]
    assert len(country["values"]) == 2 and country["more"] == 4    # US GB IR SY FR IQ
    assert country["values"][0] == {"value": "US", "count": 16}


def test_histogram_counts_every_match(home):
    data = search(home, "--source", "Delta Wire")
    histogram = data["histogram"]
    assert histogram["interval"] == "week" and histogram["undated"] == 0
    assert sum(b["count"] for b in histogram["buckets"]) == len(SERIES)
    assert histogram["buckets"][0]["bucket"] == "2020-W53"
    undated = search(home, "undated")["histogram"]
    assert undated == {"interval": None, "buckets": [], "undated": 2}


def test_snippet_marks_terms_and_escapes(home):
    [result] = search(home, "gas")["results"]
    assert "<mark>gas</mark>" in result["snippet"] and "&amp;" in result["snippet"]
    assert search(home, "--kind", "brief")["results"][0]["snippet"].startswith("Brief:")


@pytest.mark.parametrize("args, message", [
    (("--country", "Atlantis"), "unknown country"),
    (("--kind", "video"), "unknown kind"),
    (("--from", "2020-02-30"), "invalid from date"),
    (("--to", "last week"), "invalid to date"),
    (("--page", "0"), "page must be"),
    (('"unclosed',), "unbalanced quote"),
])
def test_bad_values_exit_2_with_one_line(home, args, message):
    result = run(home, "search", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    as_json = run(home, "search", "--json", *args)
    assert as_json.exit_code == 2 and message in json.loads(as_json.stdout)["error"]


def test_text_output_is_readable(home):
    result = run(home, "search", "oil", "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("5 documents for 'oil'; page 1 of 3")
    assert "1. " in result.stdout and "[oil]" in result.stdout.lower() and "<mark>" not in result.stdout
    assert "Facets:" in result.stdout and "country: IR (3)" in result.stdout


def test_stats_report_index_seq(tmp_path, home):
    empty = json.loads(run(tmp_path / "fresh", "stats", "--json").stdout)
    assert (empty["store_seq"], empty["index_seq"]) == (0, None)
    full = json.loads(run(home, "stats", "--json").stdout)
    assert full["index_seq"] == full["store_seq"] == len(DOCS)


def test_a_search_never_writes_the_index_and_stats_say_it_is_behind(tmp_path):
    instance = Instance(tmp_path / "behind")
    save_documents(instance, DOCS[:3])
    Monitor(instance).catch_up()
    save_documents(instance, DOCS[3:5])
    assert search(instance.home)["total"] == 3
    assert not (instance.home / "index.new").exists()
    stale = run(instance.home, "stats")
    assert "store seq 5, index seq 3" in stale.stdout
    assert "the index is 2 changes behind the store" in stale.stdout
    Monitor(instance).catch_up()
    assert search(instance.home)["total"] == 5


def test_search_on_an_empty_instance(tmp_path):
    data = search(tmp_path / "empty")
    assert_search_shape(data)
    assert data["total"] == 0
