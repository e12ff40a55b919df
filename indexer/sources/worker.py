"""The polling loop: every few seconds, poll the sources that are due.

Runs beside the alert delivery in `manage.py alerts worker` (which `manage.py serve`
starts); `manage.py sources poll` is one round of it, for cron.
"""
from __future__ import annotations

import threading
from typing import Callable

from indexer.sources.poller import RunReport
from indexer.sources.service import Sources
from indexer.sources.settings import FetchSettings

INTERVAL = 5.0


def run_poller(monitor, settings: FetchSettings | None = None, interval: float = INTERVAL,
               stop: threading.Event | None = None,
               report: Callable[[list[RunReport]], None] | None = None) -> None:
    """Poll due sources until stop is set (forever without one), looking every `interval` s."""
    stop = stop or threading.Event()
    sources = Sources(monitor, settings)
    try:
        while not stop.is_set():
            runs = sources.poll()
            if report and runs:
                report(runs)
            stop.wait(interval)
    finally:
        sources.close()


def start_poller(monitor, settings: FetchSettings | None = None, interval: float = INTERVAL,
                 report: Callable[[list[RunReport]], None] | None = None
                 ) -> tuple[threading.Thread, threading.Event]:
    """Run the polling loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=run_poller, args=(monitor, settings, interval, stop, report),
                              name="source-poller", daemon=True)
    thread.start()
    return thread, stop
