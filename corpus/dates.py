"""Reading a publication date from what an input says, strictly.

A date a reader cannot read whole is no date: a guess (dateutil filling a missing year or
month from today, a number taken for a day, an offset of 99 hours) would become a wrong
date marked as the publisher's. Enrichment then falls back to a date in the text, else
the ingest time, and also refuses dates no news item can carry (indexer.enrich).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

from corpus.document import to_utc

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_OFFSET = timedelta(hours=14)          # the widest UTC offset in use (Kiribati)
_EPOCH_TEXT = re.compile(r"^\d{9,11}(\.\d+)?$")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
# 10/05/2022 is 10 May in most of the world and 5 October in the US: no reading is sure.
_NUMERIC_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}(?!\d)")
# Two defaults that differ in every part: a part dateutil filled in differs between them.
_DEFAULTS = (datetime(2001, 1, 1, 1, 1, 1), datetime(2002, 2, 2, 2, 2, 2))


def read_date(value) -> datetime | None:
    """An ISO 8601, RFC 2822 or other full date (or epoch seconds) as aware UTC, else None."""
    parsed = read_written_date(value)
    return None if parsed is None else to_utc(parsed)


def read_local_date(value) -> datetime | None:
    """The date as written, at the UTC offset it gave (whole seconds); None without one.

    Beside read_date's instant it keeps the publisher's local day: 00:30 at +01:00 is the
    15th where the page was published although it is the 14th in UTC. A zero offset (Z,
    GMT) and epoch seconds say nothing a UTC date does not: None.
    """
    if not isinstance(value, str) or _EPOCH_TEXT.match(value.strip()):
        return None
    parsed = read_written_date(value)
    if parsed is None or not parsed.utcoffset():
        return None
    return parsed.replace(microsecond=0)


def read_written_date(value) -> datetime | None:
    """The date a value holds, aware when it gave an offset (epoch seconds: UTC), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return from_epoch(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _EPOCH_TEXT.match(text):
        return from_epoch(float(text))
    parsed = from_iso(text) or from_words(text)
    if parsed is None or not sane_offset(parsed):
        return None
    return parsed


def from_epoch(seconds: float) -> datetime | None:
    """Seconds since 1970 as UTC; None past what a datetime holds."""
    try:
        return (EPOCH + timedelta(seconds=int(seconds))).replace(microsecond=0)
    except (OverflowError, ValueError):
        return None


def from_iso(text: str) -> datetime | None:
    """ISO 8601 with a four-digit year (a trailing Z allowed), else None."""
    if not _YEAR.match(text[:4]):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def from_words(text: str) -> datetime | None:
    """A date in words ('Tue, 10 Jun 2003 04:00:00 GMT'); None unless day, month and year
    are all written (dateutil fills missing parts from a default, which is a guess) and
    a numeric day and month cannot be read the other way round (10/05/2022)."""
    if not _YEAR.search(text) or _ambiguous(text):
        return None
    try:
        first, second = (dateutil_parser.parse(text, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    if f"{first.year:04d}" not in _YEAR.findall(text):
        return None           # dateutil reads year 0001 as 2001: the year must be as written
    if (first.hour, first.minute) != (second.hour, second.minute):
        first = first.replace(hour=0, minute=0, second=0)   # a day without a time: its start
    return first


def _ambiguous(text: str) -> bool:
    """Tell whether a numeric date could be day/month as well as month/day (not 10/10)."""
    match = _NUMERIC_DAY_MONTH.search(text)
    if not match:
        return False
    first, second = int(match[1]), int(match[2])
    return first != second and first <= 12 and second <= 12


def sane_offset(value: datetime) -> bool:
    """Tell whether a time's UTC offset is one that exists (naive times count as UTC)."""
    try:
        offset = value.utcoffset()
    except ValueError:        # dateutil builds offsets past a day that datetime refuses
        return False
    return offset is None or abs(offset) <= MAX_OFFSET
