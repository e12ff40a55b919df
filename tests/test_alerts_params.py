"""Relative date bounds (-7d): kept as text by to_args, resolved when a search runs."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from indexer.search.params import ParamError, RelativeDay, SearchParams


@pytest.mark.parametrize("text, today, expected", [
    ("-7d", date(2026, 3, 10), date(2026, 3, 3)),
    ("-0d", date(2026, 3, 10), date(2026, 3, 10)),
    ("-2w", date(2026, 3, 10), date(2026, 2, 24)),
    ("-1m", date(2026, 3, 31), date(2026, 2, 28)),
    ("-13m", date(2026, 1, 15), date(2024, 12, 15)),
    ("-1y", date(2024, 2, 29), date(2023, 2, 28)),
])
def test_relative_days_resolve_against_the_day_given(text, today, expected):
    assert RelativeDay(text).resolve(today) == expected


def test_relative_bounds_are_written_back_as_text_and_read_again():
    params = SearchParams.from_args({"q": "oil", "from": "-7D", "to": "7d"})
    assert params.to_args() == {"q": ["oil"], "from": ["-7d"], "to": ["-7d"]}
    assert SearchParams.from_args(params.to_args()) == params
    assert params.relative_dates


def test_resolved_turns_relative_bounds_into_days_and_leaves_fixed_ones():
    params = SearchParams.from_args({"from": "-7d", "to": "2026-03"})
    resolved = params.resolved(date(2026, 3, 10))
    assert (resolved.date_from, resolved.date_to) == (date(2026, 3, 3), date(2026, 3, 31))
    fixed = SearchParams.from_args({"from": "2020"})
    assert fixed.resolved(date(2026, 3, 10)) is fixed


@pytest.mark.parametrize("value", ["-7x", "--7d", "-d", "-12345d", "7 d"])
def test_bad_relative_bounds_are_refused(value):
    with pytest.raises(ParamError, match="invalid from date"):
        SearchParams.from_args({"from": value})


def test_a_search_reads_relative_bounds_against_the_monitor_clock(tmp_path):
    from indexer.instance import Instance
    from indexer.service import Monitor
    from tests.helpers import write_jsonl

    records = [{"id": "a", "source": "S", "title": "Oil one", "text": "oil news",
                "published": "2026-03-01T10:00:00Z"},
               {"id": "b", "source": "S", "title": "Oil two", "text": "oil news again",
                "published": "2026-03-09T10:00:00Z"}]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    clock = lambda: datetime(2026, 3, 10, 12, tzinfo=timezone.utc)  # noqa: E731
    monitor = Monitor(Instance(tmp_path / "home"), clock=clock)
    try:
        monitor.ingest([str(path)])
        found = monitor.search(monitor.params({"q": "oil", "from": "-7d"}))
        assert [r["title"] for r in found["results"]] == ["Oil two"]
        assert monitor.search(monitor.params({"q": "oil", "from": "-10d"}))["total"] == 2
    finally:
        monitor.close()
