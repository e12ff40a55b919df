"""The wall clock every writer stamps with: UTC, whole seconds."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """The wall clock in UTC, whole seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0)
