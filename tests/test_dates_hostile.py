"""Dates no news item can carry never poison an instance: they count as no date, every
stored time reads back, and `check --repair` mends a store written before this rule."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from corpus.dates import read_date
from corpus.document import Document, format_time, parse_time
from indexer.enrich import Enricher
from tests.helpers import manage, write_jsonl

UTC = timezone.utc


@pytest.mark.parametrize("value, expected", [
    ("2020-02-15T00:30:00+01:00", datetime(2020, 2, 14, 23, 30, tzinfo=UTC)),
    ("2020-02-15T10:00:00Z", datetime(2020, 2, 15, 10, 0, tzinfo=UTC)),
    ("2020-02-15", datetime(2020, 2, 15, tzinfo=UTC)),
    ("Tue, 10 Jun 2003 04:00:00 GMT", datetime(2003, 6, 10, 4, 0, tzinfo=UTC)),
    ("15 February 2020", datetime(2020, 2, 15, tzinfo=UTC)),
    (1588291200, datetime(2020, 5, 1, tzinfo=UTC)),
    ("1588291200", datetime(2020, 5, 1, tzinfo=UTC)),
    ("0999-12-31", datetime(999, 12, 31, tzinfo=UTC)),     # read; enrichment refuses it
    ("-1", None),
    ("99999-01-01", None),
    ("2020-13-01", None),
    ("June 2020", None),                  # no day: dateutil would invent one
    ("Mon, 01 Jan 0001 00:00:00 +0000", None),   # dateutil reads year 0001 as 2001
    ("2020-01-01T00:00:00+99:99", None),
    ("Sat, 15 Feb 2020 10:00:00 +9999", None),
    ("2020-02-15T10:00:00+15:00", None),
    (-99999999999999, None),
    (1e300, None),
    (True, None),
    ([2020, 1, 1], None),
])
def test_read_date_takes_only_whole_real_dates(value, expected):
    assert read_date(value) == expected


@pytest.mark.parametrize("year", [1, 999, 1799, 1800, 2024])
def test_every_time_round_trips_through_the_store_format(year):
    moment = datetime(year, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_time(format_time(moment)) == moment


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("published, kept", [
    (datetime(1800, 1, 1, tzinfo=UTC), True),
    (datetime(1799, 12, 31, 23, 59, tzinfo=UTC), False),
    (datetime(2024, 5, 2, 12, 0, tzinfo=UTC), True),          # a day ahead: time zones
    (datetime(2024, 5, 2, 12, 1, tzinfo=UTC), False),
    (datetime(1, 1, 1, tzinfo=UTC), False),
])
def test_a_published_date_is_valid_from_1800_to_a_day_after_ingest(published, kept):
    doc = Document(title="A title", text="No date is written in this text.", source="Wire",
                   published=published)
    enriched, _ = Enricher(detect=False).enrich(doc, NOW)
    if kept:
        assert (enriched.published, enriched.date_source) == (published, "metadata")
    else:
        assert (enriched.published, enriched.date_source) == (NOW, "ingested")


HOSTILE_DATES = ["0999-12-31", "0001-01-01", -62135596800, "-1", "99999-01-01",
                 "2020-01-01T00:00:00+99:99", "2999-01-01"]


def test_hostile_dates_leave_every_command_working(tmp_path):
    items = [{"title": f"Item {n}", "text": f"Report number {n} about the harvest.",
              "source": "Wire", "url": f"https://wire.example/{n}", "published": value}
             for n, value in enumerate(HOSTILE_DATES)]
    items.append({"title": "Good", "text": "A dated report.", "source": "Wire",
                  "url": "https://wire.example/good", "published": "2020-02-15T10:00:00Z"})
    home = tmp_path / "home"
    assert manage(home, "ingest", write_jsonl(tmp_path / "dates.jsonl", items)).returncode == 0
    for command in (["search", "report"], ["stats"], ["export", "--format", "jsonl"],
                    ["reindex"], ["reenrich"], ["check"]):
        done = manage(home, *command)
        assert (done.returncode, "Traceback" in done.stderr) == (0, False), (command, done.stderr)
    exported = [json.loads(line) for line in
                manage(home, "export", "--format", "jsonl", "--sort", "oldest").stdout.splitlines()]
    sources = {row["title"]: row["date_source"] for row in exported}
    assert sources == {**{f"Item {n}": "ingested" for n in range(len(HOSTILE_DATES))},
                       "Good": "metadata"}


def write_unreadable_time(store: Path) -> None:
    """What an older version stored for year 999: no zero padding."""
    db = sqlite3.connect(store)
    db.execute("UPDATE documents SET published = '999-12-31T00:00:00Z', "
               "date_source = 'metadata' WHERE title = 'Old'")
    db.commit()
    db.close()


def test_check_repair_mends_a_store_holding_an_unreadable_time(tmp_path):
    items = [{"title": "Old", "text": "An item an older version dated wrongly.", "source": "W",
              "url": "https://w.example/old", "published": "2020-01-01"},
             {"title": "Fine", "text": "A fine item.", "source": "W",
              "url": "https://w.example/fine", "published": "2020-01-02"}]
    home = tmp_path / "home"
    assert manage(home, "ingest", write_jsonl(tmp_path / "old.jsonl", items)).returncode == 0
    write_unreadable_time(home / "store.sqlite3")
    broken = manage(home, "reindex")            # reads every stored row
    assert broken.returncode == 1 and "Traceback" not in broken.stderr
    assert "cannot be read" in broken.stderr and "check --repair" in broken.stderr
    found = manage(home, "check", "--json")
    assert found.returncode == 1
    assert any("cannot be read" in p for p in json.loads(found.stdout)["problems"])
    repaired = manage(home, "check", "--repair", "--json")
    assert repaired.returncode == 0
    assert json.loads(repaired.stdout)["repairs"] == ["made the times of 1 documents readable"]
    rows = {r["title"]: r for r in map(json.loads, manage(home, "export", "--format", "jsonl")
                                       .stdout.splitlines())}
    assert rows["Old"]["date_source"] == "ingested"
    assert rows["Old"]["published"] == rows["Old"]["ingested_at"]
    assert rows["Fine"]["published"] == "2020-01-02T00:00:00Z"
