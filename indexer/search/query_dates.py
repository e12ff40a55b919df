"""The values of `date:` in a query: a day, month or year, a comparison, or a [range]."""
from __future__ import annotations

from datetime import date

from indexer.search.params import ParamError, parse_date_bound
from indexer.search.query_tree import DateRange, QueryError

DATE_FORMS = "date:YYYY[-MM[-DD]], date:>=YYYY-MM, or date:[YYYY-MM-DD TO YYYY-MM-DD]"
_COMPARISONS = (">=", "<=", ">", "<")


def date_value(value: str) -> DateRange:
    """Read `2020-07`, `>=2020-02`, `<2020` and the like (the text after `date:`)."""
    whole = f"date:{value}"
    op = next((op for op in _COMPARISONS if value.startswith(op)), "")
    value = value[len(op):]
    if not value:
        raise QueryError(f"malformed date '{whole}' (use {DATE_FORMS})")
    if op == ">":
        start, end = next_day(bound(value, "to", whole)), date.max
    elif op == "<":
        start, end = date.min, previous_day(bound(value, "from", whole))
    else:
        start = bound(value, "from", whole) if op in ("", ">=") else date.min
        end = bound(value, "to", whole) if op in ("", "<=") else date.max
    return date_range_of(start, end, whole)


def date_brackets(inside: str, whole: str, closed: bool = True) -> DateRange:
    """Read the inside of `date:[A TO B]`, where `*` or nothing leaves an end open."""
    if not closed:
        raise QueryError(f"malformed date range '{whole}' (no closing ']'; use {DATE_FORMS})")
    parts = inside.split()
    if parts.count("TO") != 1 or not whole.startswith("date:[") or not whole.endswith("]"):
        raise QueryError(f"malformed date range '{whole}' (use {DATE_FORMS})")
    at = parts.index("TO")
    first, last = parts[:at], parts[at + 1:]
    if len(first) > 1 or len(last) > 1:
        raise QueryError(f"malformed date range '{whole}' (use {DATE_FORMS})")
    start = bound(first[0], "from", whole) if first and first[0] != "*" else date.min
    end = bound(last[0], "to", whole) if last and last[0] != "*" else date.max
    return date_range_of(start, end, whole)


def date_range_of(start: date, end: date, whole: str) -> DateRange:
    """The range from start to end; date.min and date.max are its open ends."""
    if start > end:
        raise QueryError(f"date range '{whole}' ends before it starts")
    return DateRange(None if start == date.min else start, None if end == date.max else end)


def bound(value: str, which: str, whole: str) -> date:
    """The first ('from') or last ('to') day of YYYY, YYYY-MM or YYYY-MM-DD."""
    try:
        return parse_date_bound(value, which)
    except ParamError:
        raise QueryError(f"malformed date '{value}' in '{whole}' (use {DATE_FORMS})") from None


def next_day(day: date) -> date:
    return date.max if day == date.max else date.fromordinal(day.toordinal() + 1)


def previous_day(day: date) -> date:
    return date.min if day == date.min else date.fromordinal(day.toordinal() - 1)
