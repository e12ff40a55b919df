"""The publisher's day: a time given with an offset keeps it (issue 14, item 2)."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from corpus.dates import read_local_date
from corpus.document import FIELD_ORDER, Document, format_local, local_day, to_json
from corpus.feeds import read_feed
from corpus.html import read_html
from corpus.jsonl import read_jsonl
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.ingest.ingester import Ingester
from indexer.search.params import SearchParams
from indexer.search.results import search_json
from indexer.store import Store

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("2020-02-15T00:30:00+01:00", "2020-02-15T00:30:00+01:00"),
    ("2021-11-01T10:52:50+0100", "2021-11-01T10:52:50+01:00"),
    ("Fri, 14 Feb 2020 21:15:00 -0500", "2020-02-14T21:15:00-05:00"),
    ("2020-02-15T04:00:00.25+04:30", "2020-02-15T04:00:00+04:30"),
    ("2020-02-15T00:30:00Z", None), ("Sat, 15 Feb 2020 00:30:00 GMT", None),   # zero offset
    ("2020-02-15T00:30:00", None), ("2020-02-15", None), ("1581723000", None), (1581723000, None),
    ("2020-02-15T00:30:00+25:00", None), ("", None), (None, None),
])
def test_the_offset_as_written_is_kept(value, expected):
    assert format_local(read_local_date(value)) == expected


def test_the_local_day_is_the_documents_day():
    local = read_local_date("2020-02-15T00:30:00+01:00")
    doc = Document(title="t", text="x", published=local.astimezone(timezone.utc),
                   published_local=local, date_source="metadata")
    assert (local_day(doc).isoformat(), to_json(doc)["published"],
            to_json(doc)["published_local"]) == ("2020-02-15", "2020-02-14T23:30:00Z",
                                                 "2020-02-15T00:30:00+01:00")
    assert local_day(Document(title="t", text="x", published=NOW)).isoformat() == "2026-01-01"
    assert FIELD_ORDER.index("published_local") == FIELD_ORDER.index("published") + 1


def test_readers_keep_the_offset(tmp_path):
    page = (b"<html><head><title>Night session</title><meta property='article:published_time'"
            b" content='2020-02-15T00:30:00+01:00'></head><body><article><h1>Night session</h1>"
            + b"<p>The council met after midnight to vote on the harbour budget again.</p>" * 5
            + b"</article></body></html>")
    [html] = [d for d in read_html(page, "https://paper.example/a") if isinstance(d, Document)]
    feed = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item>"
            b"<title>Late vote</title><description>The council voted.</description>"
            b"<pubDate>Sat, 15 Feb 2020 00:30:00 +0100</pubDate></item></channel></rss>")
    [entry] = [d for d in read_feed(feed, "f.xml") if isinstance(d, Document)]
    line = json.dumps({"title": "Late vote", "text": "x", "published": "2020-02-15T00:30:00+01:00"})
    [record] = [d for d in read_jsonl(line.encode() + b"\n", "a.jsonl")
                if isinstance(d, Document)]
    assert {format_local(d.published_local) for d in (html, entry, record)} == {
        "2020-02-15T00:30:00+01:00"}


def test_filters_and_histogram_use_the_local_day(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "late", "source": "S", "title": "Late vote", "text": "The council voted.",
         "published": "2020-02-15T00:30:00+01:00"},
        {"id": "utc", "source": "S", "title": "Day vote", "text": "The council voted.",
         "published": "2020-02-14T12:00:00Z"}]), encoding="utf-8")
    store = Store(tmp_path / "s.sqlite3")
    Ingester(store, clock=lambda: NOW, detect_language=False).ingest([str(path)])
    stored = {d.external_id: format_local(d.published_local) for d in store.iter_all()}
    assert stored == {"late": "2020-02-15T00:30:00+01:00", "utc": None}
    engine = WhooshEngine(tmp_path / "index")
    engine.catch_up(store)
    on_15th = SearchParams(query="date:2020-02-15")
    assert [m["external_id"] for m in engine.iter_matches(on_15th)] == ["late"]
    council = SearchParams(query="council")
    histogram = search_json(council, engine.search(council))["histogram"]
    assert histogram == {"interval": "day", "undated": 0, "buckets": [
        {"bucket": "2020-02-14", "count": 1}, {"bucket": "2020-02-15", "count": 1}]}
    assert sorted(m["published_local"] or "" for m in engine.iter_matches(council)) == [
        "", "2020-02-15T00:30:00+01:00"]
    engine.close()


def test_a_store_of_the_last_version_gains_the_column(tmp_path):
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    Store(tmp_path / "s.sqlite3").close()
    columns = [row[1] for row in db.execute("PRAGMA table_info(documents)")]
    assert columns[-1] == "published_local"


def test_check_notices_a_local_time_that_is_not_the_published_instant_and_repair_drops_it(
        tmp_path):
    from tests.helpers import manage, write_jsonl

    items = [{"title": "Late vote", "text": "The council voted after midnight.", "source": "S",
              "url": "https://s.example/late", "published": "2020-02-15T00:30:00+01:00"},
             {"title": "Early vote", "text": "The council voted at dawn.", "source": "S",
              "url": "https://s.example/early", "published": "2020-02-16T06:00:00+01:00"}]
    home = tmp_path / "home"
    assert manage(home, "ingest", write_jsonl(tmp_path / "a.jsonl", items)).returncode == 0
    assert json.loads(manage(home, "check", "--json").stdout)["problems"] == []
    db = sqlite3.connect(home / "store.sqlite3")     # a local time of another instant
    db.execute("UPDATE documents SET published_local = '2020-02-17T00:30:00+01:00' "
               "WHERE title = 'Late vote'")
    db.commit()
    db.close()
    found = manage(home, "check", "--json")
    assert found.returncode == 1
    [problem] = json.loads(found.stdout)["problems"]
    assert "(2020-02-17T00:30:00+01:00) that is not its published time" in problem
    repaired = manage(home, "check", "--repair", "--json")
    assert repaired.returncode == 0 and json.loads(repaired.stdout)["problems"] == []
    rows = {r["title"]: r for r in map(json.loads, manage(home, "export", "--format", "jsonl")
                                       .stdout.splitlines())}
    assert (rows["Late vote"]["published"], rows["Late vote"]["published_local"]) == (
        "2020-02-14T23:30:00Z", None)                 # the UTC day, 14th, until re-ingested
    assert rows["Early vote"]["published_local"] == "2020-02-16T06:00:00+01:00"
    dated = manage(home, "search", "date:2020-02-14", "--json")
    assert [m["title"] for m in json.loads(dated.stdout)["results"]] == ["Late vote"]
