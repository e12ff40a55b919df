"""manage.py export: every match once, in sort order, as JSON Lines or CSV, and back again."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from corpus.document import FIELD_ORDER
from tests.helpers import invoke as run
from tests.helpers import write_jsonl

PAGE = """Ministers meet on grain exports | Page 3 | Kappa Post

Ministers meet on grain exports

Ministers from five countries met on Monday to discuss grain exports and port fees.

Talks will continue next week, officials said.


World in Brief
A tanker carrying grain left the port of Odessa on Sunday, the harbour office said...More
Wheat prices fell for a third day as traders weighed the new export quotas…More
"""

RECORDS = [
    {"id": "k1", "url": "https://kappa.example/a", "source": "Kappa Post", "title": "Grain deal",
     "text": 'A grain deal was signed.\n\nIt covers wheat, "barley" and maize; more later.',
     "published": "2021-03-02T10:00:00+02:00"},
    {"id": "k2", "url": None, "source": "Kappa Post", "title": "Port fees rise",
     "text": "Port fees rose by 5% at the grain terminal.", "published": "2021-03-05"},
    {"id": "k3", "url": None, "source": None, "title": "Untitled wire", "text": "Grain, again.",
     "published": None},
    {"id": "k4", "url": "http://www.kappa.example/b?utm_source=x", "source": "Kappa Post",
     "title": "Brief on maize", "text": "Maize exports doubled.", "kind": "brief",
     "published": "2021-02-01T00:00:00Z"},
    {"id": None, "url": None, "source": "Lambda", "title": "No id at all",
     "text": "Only a title and a text identify this grain story.", "published": "2020-12-31T23:59:59Z"},
    {"id": "k5", "url": "https://kappa.example/c", "source": "Kappa Post",
     "title": "Grain talks in Tehran", "published": "2021-03-07T09:30:00Z",
     "text": "Iran and Syria signed a grain accord on Sunday; Amnesty International and the "
             "United Nations asked to see it."},
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_jsonl(folder / "news.jsonl", RECORDS)
    (folder / "page.txt").write_text(PAGE, encoding="utf-8")
    home = folder / "home"
    result = run(home, "ingest", str(folder / "news.jsonl"), str(folder / "page.txt"))
    assert result.exit_code == 0, result.output
    return home


def export_jsonl(home: Path, *args: str) -> list[dict]:
    result = run(home, "export", "--format", "jsonl", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def export_csv(home: Path, *args: str) -> list[dict]:
    result = run(home, "export", "--format", "csv", *args)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert tuple(rows[0]) == FIELD_ORDER
    return [dict(zip(FIELD_ORDER, row, strict=True)) for row in rows[1:]]


def search_ids(home: Path, *args: str) -> list[str]:
    result = run(home, "search", "--json", "--limit", "1000", *args)
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.stdout)["results"]]


@pytest.mark.parametrize("args", [(), ("grain",), ("grain", "--sort", "oldest"),
                                  ("--kind", "brief"), ("--exclude-source", "kappa post"),
                                  ("grain", "--from", "2021-03", "--sort", "newest"),
                                  ("nothingmatchesthis",)])
def test_export_gives_every_match_once_in_the_search_order(home, args):
    exported = export_jsonl(home, *args)
    ids = [d["id"] for d in exported]
    assert ids == search_ids(home, *args)
    assert len(ids) == len(set(ids))
    assert [r["id"] for r in export_csv(home, *args)] == ids


def test_jsonl_export_has_every_field_with_text(home):
    exported = export_jsonl(home)
    assert len(exported) == 9                     # 6 records, a page article and 2 briefs
    for document in exported:
        assert tuple(document) == FIELD_ORDER
    by_title = {d["title"]: d for d in exported}
    assert by_title["Grain deal"]["text"] == ('A grain deal was signed.\n\n'
                                              'It covers wheat, "barley" and maize; more later.')
    assert by_title["Grain deal"]["published"] == "2021-03-02T08:00:00Z"
    briefs = [d for d in exported if d["kind"] == "brief" and d["parent_id"]]
    parent = by_title["Ministers meet on grain exports"]["id"]
    assert len(briefs) == 2 and {b["parent_id"] for b in briefs} == {parent}


INGESTED = "<the ingest time>"        # when the test ran: checked for its form only
# Every CSV row by id: null is an empty cell, lists are joined with "; ", entities by name.
CSV_ROWS = {
    "d1b064285301c5bbac8c": [
        "k5", "article", "", "Kappa Post", "https://kappa.example/c", "Grain talks in Tehran",
        "Iran and Syria signed a grain accord on Sunday; Amnesty International and the United "
        "Nations asked to see it.", "2021-03-07T09:30:00Z", "", "metadata", "en", "IR; SY",
        "Amnesty International; United Nations", INGESTED, "6"],
    "54e3e6032c3ecfbb763e": [
        "k2", "article", "", "Kappa Post", "", "Port fees rise",
        "Port fees rose by 5% at the grain terminal.", "2021-03-05T00:00:00Z", "", "metadata", "en",
        "", "", INGESTED, "2"],
    "4fd9afbe232f47812117": [
        "k1", "article", "", "Kappa Post", "https://kappa.example/a", "Grain deal",
        'A grain deal was signed.\n\nIt covers wheat, "barley" and maize; more later.',
        "2021-03-02T08:00:00Z", "2021-03-02T10:00:00+02:00", "metadata", "en", "", "", INGESTED, "1"],
    "593b4d2ef3399f90acb1": [
        "k4", "brief", "", "Kappa Post", "http://www.kappa.example/b?utm_source=x", "Brief on maize",
        "Maize exports doubled.", "2021-02-01T00:00:00Z", "", "metadata", "en", "", "", INGESTED,
        "4"],      # a three-word brief takes its outlet's language
    "fb8b11033ca981f76052": [
        "", "article", "", "Lambda", "", "No id at all",
        "Only a title and a text identify this grain story.", "2020-12-31T23:59:59Z", "", "metadata",
        "en", "", "", INGESTED, "5"],
    "fce817877a8447c7966b": [
        "k3", "article", "", "", "", "Untitled wire", "Grain, again.", INGESTED, "", "ingested", "",
        "", "", INGESTED, "3"],
    "c366732017edcc802729": [
        "", "article", "", "Kappa Post", "", "Ministers meet on grain exports",
        "Ministers from five countries met on Monday to discuss grain exports and port fees."
        "\n\nTalks will continue next week, officials said.", INGESTED, "", "ingested", "en", "", "",
        INGESTED, "7"],
    "8ae1391201538bc641be": [
        "", "brief", "c366732017edcc802729", "Kappa Post", "", "",
        "A tanker carrying grain left the port of Odessa on Sunday, the harbour office said",
        INGESTED, "", "ingested", "en", "", "", INGESTED, "8"],
    "1e931f34fb4fc501e199": [
        "", "brief", "c366732017edcc802729", "Kappa Post", "", "",
        "Wheat prices fell for a third day as traders weighed the new export quotas",
        INGESTED, "", "ingested", "en", "", "", INGESTED, "9"],
}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_csv_cells_flatten_nulls_and_lists(home):
    rows = {}
    for row in export_csv(home):
        cells = [row[name] for name in FIELD_ORDER]
        times = [n for n, name in enumerate(FIELD_ORDER) if name == "ingested_at"
                 or (name == "published" and row["date_source"] == "ingested")]
        assert all(TIME.fullmatch(cells[n]) for n in times), cells
        rows[cells[0]] = [INGESTED if n in times else cell for n, cell in enumerate(cells)][1:]
    assert rows == CSV_ROWS


def test_export_to_a_file(home, tmp_path):
    target = tmp_path / "out.csv"
    result = run(home, "export", "grain", "--format", "csv", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "exported" in result.stderr
    with open(target, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == search_ids(home, "grain")


@pytest.mark.parametrize("args", [("--kind", "video"), ("--from", "2021-02-30"), ('"grain',)])
def test_bad_export_exits_2_and_writes_nothing(home, tmp_path, args):
    target = tmp_path / "out.jsonl"
    result = run(home, "export", "--format", "jsonl", "--output", str(target), *args)
    assert result.exit_code == 2 and not target.exists()
    assert result.stderr.count("\n") == 1


def test_round_trip_through_the_jsonl_export(home, tmp_path):
    exported = export_jsonl(home)
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in exported))
    again = tmp_path / "again"
    result = run(again, "ingest", str(path))
    assert result.exit_code == 0, result.output
    second = export_jsonl(again)
    assert sorted(d["id"] for d in second) == sorted(d["id"] for d in exported)
    keep = ("kind", "parent_id", "title", "text", "date_source", "url", "source")
    # An undated document's `published` is its ingest time in each instance.
    pick = lambda docs: {d["id"]: [d[k] for k in keep] + [  # noqa: E731
        d["published"] if d["date_source"] != "ingested" else None] for d in docs}
    assert pick(second) == pick(exported)
    assert any(d["date_source"] == "ingested" for d in exported)
