"""Worker processes of the indexer: how many to start, and that they end with their parent.

Enrichment (indexer/ingest/pool.py) and bulk index writing (indexer/engine/whoosh/
segments.py) fork workers for CPU-bound Python. A worker ignores Ctrl-C (the main process
handles it and stops them) and exits soon after its parent is gone, even SIGKILLed, so a
killed run leaves no process behind still writing.
"""
from __future__ import annotations

import os
import signal
import threading
import time

PARENT_POLL = 0.5     # seconds between a worker's checks that its parent still runs


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:    # not Linux
        return os.cpu_count() or 1


def start_worker(parent: int) -> None:
    """Set a worker up: Ctrl-C is the main process's to handle, and the worker ends when
    the process that started it is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=end_with, args=(parent,), daemon=True).start()


def end_with(parent: int) -> None:
    """Exit this process once its parent is gone."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(1)
