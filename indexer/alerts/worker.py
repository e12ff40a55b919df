"""The delivery worker: every few seconds, queue due digests and send due messages.

Runs as `manage.py alerts worker` and beside `manage.py serve`; any number may run at
once (the outbox leases keep each message to one sender). Sending happens here only, so
no ingest and no web request ever waits on a mail server or a webhook.
"""
from __future__ import annotations

import threading
from typing import Callable

from indexer.alerts.delivery import Deliverer
from indexer.alerts.settings import DeliverySettings

INTERVAL = 5.0


def run_worker(monitor, settings: DeliverySettings, interval: float = INTERVAL,
               stop: threading.Event | None = None,
               report: Callable[[dict], None] | None = None) -> None:
    """Deliver until stop is set (forever without one), a round every `interval` seconds."""
    stop = stop or threading.Event()
    deliverer = Deliverer(settings)
    while not stop.is_set():
        with monitor.store() as store:
            done = deliverer.run_once(store, monitor.clock())
        if report and any(done.values()):
            report(done)
        stop.wait(interval)
