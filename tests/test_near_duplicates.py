"""Near-duplicates: signatures and clusters (pure), and collapsing in search and the CLI."""
from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

from indexer.instance import Instance
from indexer.search import near_duplicates as nd
from indexer.service import Monitor
from manage import cli
from tests.news_fixture import doc, save_documents

STORY = (
    "The central bank raised its main interest rate by half a percentage point on Thursday, "
    "the third increase this year, saying that inflation had stayed well above its target "
    "for longer than expected. The governor told reporters that prices of food and energy "
    "were still rising quickly and that wages had begun to follow them, which made a "
    "further move likely before the end of the summer. Economists had expected a smaller "
    "step. The currency rose against the dollar after the announcement, while shares of "
    "banks and builders fell in the afternoon. The bank said it would publish its next "
    "forecast in six weeks and would watch closely how households cope with dearer loans, "
    "adding that the labour market remained strong and unemployment close to a record low."
)
OTHER = (
    "Farmers in the north of the country began the wheat harvest a week early this year "
    "after a warm and dry spring, and officials expect a crop close to last year's record. "
    "Storage companies said their silos were already half full with grain left over from "
    "the previous season, and some growers may have to sell at lower prices than they "
    "had hoped. The ministry of agriculture said exports would resume next month once "
    "inspections of the port terminals were finished, and that rail freight had been "
    "arranged to move the crop from inland depots to the coast within a few weeks."
)
SYNDICATED = "From our partners at the Wire Service.\n" + STORY + "\n-- Reporting by J. Smith"


def test_identical_and_edited_copies_are_near():
    original = nd.signature("Bank raises rates", STORY)
    copy = nd.signature("Bank raises rates", SYNDICATED)
    assert len(original) == 4 * nd.PERMUTATIONS
    assert nd.similarity(original, nd.signature("BANK raises rates", STORY)) == 1.0
    assert nd.similarity(original, copy) >= nd.THRESHOLD
    assert set(nd.band_keys(original)) & set(nd.band_keys(copy))
    assert nd.similarity(original, nd.signature("Wheat harvest", OTHER)) < 0.2


def test_signatures_are_deterministic_and_fold_accents():
    assert nd.signature("Café", STORY) == nd.signature("cafe", STORY)
    assert nd.signature(None, "") == b"" and nd.band_keys(b"") == []


def test_short_texts_are_near_only_when_identical():
    a = nd.signature("Markets close", "Shares fell in Tokyo and Hong Kong.")
    b = nd.signature("Markets close", "Shares rose in London and Paris.")
    c = nd.signature("markets close", "Shares fell in Tokyo and Hong  Kong!")
    assert nd.similarity(a, b) == 0.0 and nd.similarity(a, c) == 1.0


def test_clusters_join_near_documents_transitively():
    sigs = [nd.signature("Bank raises rates", STORY), nd.signature("Wheat harvest", OTHER),
            nd.signature("Bank raises rates", SYNDICATED),
            nd.signature("Rates up", STORY + " More to follow.")]
    groups = nd.clusters(range(4), sigs)
    assert [sorted(m) for m in groups.values()] == [[0, 2, 3]]
    assert nd.clusters([0, 1], sigs) == {}        # only the given documents take part
    leaders, copies = nd.collapse([3, 1, 0, 2], sigs, earliest_key=lambda d: (d,))
    assert leaders == [1, 0] and copies == {0: [3, 2]}
    assert sorted(nd.group_of(2, [1, 3], sigs)) == [3]


PAGE = doc("story-page", "Bank raises rates again", STORY, source="Alpha News",
           published="2023-05-04T09:00:00", countries=["GB"])
COPY = doc("story-copy", "Bank raises rates again", SYNDICATED, source="Beta Wire",
           published="2023-05-04T11:30:00", countries=["GB"])
HARVEST = doc("harvest", "Wheat harvest starts early", OTHER, source="Alpha News",
              published="2023-06-01T08:00:00", countries=["FR"])
MARKETS = [doc(f"markets-{n}", "Markets close", text, source="Gamma Daily", kind="brief",
               published=f"2023-05-0{n + 1}T17:00:00")
           for n, text in enumerate(["Shares fell in Tokyo and Hong Kong on rate fears.",
                                     "Shares rose in London and Paris after the rate move.",
                                     "Oil and gold were flat while bank stocks gained."])]
DOCS = [PAGE, COPY, HARVEST] + MARKETS


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    instance = Instance(tmp_path_factory.mktemp("near"))
    save_documents(instance, DOCS)
    Monitor(instance).catch_up()      # searches never write the index: writers catch it up
    return instance.home


def run(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def search(home, *args) -> dict:
    result = run(home, "search", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_syndicated_copy_is_one_result(home):
    data = search(home, "bank", "rates")
    assert data["total"] == 2 and data["groups"] == 1
    [result] = data["results"]
    assert (result["id"], result["duplicates"]) == (PAGE.id, 1)     # the earliest published
    assert data["facets"]["source"]["values"] == [{"value": "Alpha News", "count": 1},
                                                  {"value": "Beta Wire", "count": 1}]
    assert data["facets"]["country"]["values"] == [{"value": "GB", "count": 2}]
    assert sum(b["count"] for b in data["histogram"]["buckets"]) == 2


def test_everything_groups_and_pages(home):
    data = search(home, "--sort", "oldest")
    assert data["total"] == len(DOCS) and data["groups"] == len(DOCS) - 1
    assert [r["id"] for r in data["results"]] == [
        MARKETS[0].id, MARKETS[1].id, MARKETS[2].id, PAGE.id, HARVEST.id]
    assert {r["id"]: r["duplicates"] for r in data["results"]}[PAGE.id] == 1
    pages = [search(home, "--sort", "oldest", "--limit", "2", "--page", str(n)) for n in (1, 2, 3)]
    assert [len(p["results"]) for p in pages] == [2, 2, 1]
    assert all(p["groups"] == len(DOCS) - 1 and p["total"] == len(DOCS) for p in pages)
    assert [r["id"] for p in pages for r in p["results"]] == [r["id"] for r in data["results"]]


def test_the_copy_alone_is_not_collapsed(home):
    data = search(home, "--source", "Beta Wire")
    assert (data["total"], data["groups"]) == (1, 1)
    assert (data["results"][0]["id"], data["results"][0]["duplicates"]) == (COPY.id, 0)


def test_same_headline_different_stories_stay_apart(home):
    data = search(home, "markets", "--kind", "brief")
    assert data["total"] == 3 and data["groups"] == 3
    assert all(r["duplicates"] == 0 for r in data["results"])


def test_duplicates_of_lists_the_copy(home):
    data = search(home, "--duplicates-of", PAGE.id)
    assert [r["id"] for r in data["results"]] == [COPY.id]
    assert (data["total"], data["groups"]) == (1, 1)
    assert set(data) >= {"query", "page", "per_page", "facets", "histogram"}
    assert [r["id"] for r in search(home, "--duplicates-of", COPY.id)["results"]] == [PAGE.id]
    assert search(home, "--duplicates-of", HARVEST.id)["results"] == []


def test_duplicates_of_an_unknown_id_exits_2(home):
    result = run(home, "search", "--duplicates-of", "no-such-id")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "no-such-id" in result.stderr
    as_json = run(home, "search", "--json", "--duplicates-of", "no-such-id")
    assert as_json.exit_code == 2 and "no-such-id" in json.loads(as_json.stdout)["error"]


def test_export_keeps_every_copy(home):
    result = run(home, "export", "bank", "rates", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["id"] for line in result.stdout.splitlines()} == {PAGE.id, COPY.id}


def test_only_documents_sharing_a_band_can_collapse():
    story = " ".join(f"word{i}" for i in range(60))
    other = " ".join(f"other{i}" for i in range(60))
    sigs = [nd.signature("A", story), nd.signature("B", other), nd.signature("A", story + " end"),
            b"", nd.signature("Markets close", "Short brief.")]
    assert nd.sharing_a_band(sigs) == {0, 2}
    assert nd.clusters(range(len(sigs)), sigs) == nd.clusters(sorted(nd.sharing_a_band(sigs)), sigs)


def test_signatures_keep_their_bytes():
    # Signatures are written into the index: a change of their computation must not change
    # them (these were recorded before the minimums were taken with numpy).
    text = " ".join(f"word{n} river bank وزیر ایران {n % 7}" for n in range(60))
    long = nd.signature("A made-up title", text)
    assert len(long) == 192
    assert hashlib.sha1(long).hexdigest() == "9210af9dad6cffe744e5dddd21a8d4d7e50d964c"
    assert nd.signature("Short", "two words").hex()[:16] == "682ca77d682ca77d"
