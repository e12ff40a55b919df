"""What a view may reach of the app: the process's Monitor."""
from __future__ import annotations

from flask import current_app

from indexer.service import Monitor


def monitor() -> Monitor:
    """The Monitor this process keeps for its instance."""
    return current_app.extensions["monitor"]
