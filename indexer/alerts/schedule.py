"""When digests go out: daily or weekly at an hour of the user's own time zone."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def next_digest(after: datetime, frequency: str, zone: str, hour: int, weekday: int
                ) -> datetime | None:
    """The first digest time strictly after `after` (UTC); None for instant and off.

    The hour is the user's local hour on each day, so a digest stays at 8:00 across a
    daylight-saving change; weekly digests fall on `weekday` (0 = Monday).
    """
    if frequency not in ("daily", "weekly"):
        return None
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date()
    for _ in range(15):
        moment = datetime.combine(day, time(hour), tzinfo=tz).astimezone(timezone.utc)
        if moment > after and (frequency == "daily" or day.weekday() == weekday):
            return moment
        day += timedelta(days=1)
    raise AssertionError("a digest day is always found within two weeks")


def digest_due(last: datetime, now: datetime, frequency: str, zone: str, hour: int,
               weekday: int) -> bool:
    """Whether a digest time has come since the last digest."""
    moment = next_digest(last, frequency, zone, hour, weekday)
    return moment is not None and moment <= now
