"""The date histogram of a search: bucket size from the span, empty buckets kept."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Iterable, Mapping

DAY_SPAN = 62
WEEK_SPAN = 366
MONTH_SPAN = 3653     # ten years of days, leap days included


def day_from_number(number: int) -> date:
    """Turn a YYYYMMDD number into a date."""
    return date(number // 10000, number // 100 % 100, number % 100)


def choose_interval(first: date, last: date) -> str:
    """Pick day, week, month or year from the span between the first and last date."""
    span = (last - first).days
    if span <= DAY_SPAN:
        return "day"
    if span <= WEEK_SPAN:
        return "week"
    return "month" if span <= MONTH_SPAN else "year"


def bucket_of(day: date, interval: str) -> str:
    """Label a date with its bucket: YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM or YYYY."""
    if interval == "day":
        return day.isoformat()
    if interval == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}" if interval == "month" else str(day.year)


def bucket_starts(first: date, last: date, interval: str) -> Iterable[date]:
    """Yield one date inside each bucket from first's bucket to last's, in order."""
    if interval in ("day", "week"):
        step = timedelta(days=1 if interval == "day" else 7)
        current = first - timedelta(days=first.weekday()) if interval == "week" else first
        while current <= last:
            yield current
            current += step
        return
    year, month = first.year, (first.month if interval == "month" else 1)
    while (year, month) <= (last.year, last.month if interval == "month" else 1):
        yield date(year, month, 1)
        year, month = (year, month + 1) if interval == "month" and month < 12 else (year + 1, 1)


def histogram(per_day: Mapping[date, int], undated: int) -> dict:
    """Build {interval, buckets: [{bucket, count}], undated} from dated match counts per day."""
    if not per_day:
        return {"interval": None, "buckets": [], "undated": undated}
    first, last = min(per_day), max(per_day)
    interval = choose_interval(first, last)
    counts: Counter[str] = Counter()
    for day, n in per_day.items():
        counts[bucket_of(day, interval)] += n
    buckets = [{"bucket": label, "count": counts[label]}
               for label in (bucket_of(d, interval) for d in bucket_starts(first, last, interval))]
    return {"interval": interval, "buckets": buckets, "undated": undated}
