"""When a source is polled next: its interval, or exponential backoff while it fails."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY = 1                      # seconds; benchmarks poll every few seconds
MAX_BACKOFF = 24 * 3600            # a failing source is still tried once a day
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)


def parse_every(text: str) -> int:
    """Read an interval like 15m, 2h, 1d or 90s (bare numbers are minutes) as seconds."""
    match = _EVERY.match(str(text))
    if not match:
        raise ValueError(f"not an interval: {text!r} (write 30s, 15m, 2h or 1d)")
    seconds = int(match.group(1)) * UNITS[(match.group(2) or "m").lower()]
    if seconds < MIN_EVERY:
        raise ValueError(f"an interval of at least {MIN_EVERY} s, not {text!r}")
    return seconds


def every_words(seconds: int) -> str:
    """Say an interval in its largest whole unit: 900 -> 15m."""
    for unit in ("d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"


def backoff_seconds(every: int, failures: int) -> int:
    """The wait after `failures` failed runs in a row: the interval, doubled per failure."""
    if failures <= 0:
        return every
    return min(every * 2 ** min(failures, 30), max(every, MAX_BACKOFF))


def next_due(now: datetime, every: int, failures: int) -> datetime:
    """When a source that just ran (with that many failures in a row) is due again."""
    return now + timedelta(seconds=backoff_seconds(every, failures))
