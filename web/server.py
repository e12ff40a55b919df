"""Serve the web app under gunicorn: worker processes on one address, the index caught up first."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from gunicorn.app.base import BaseApplication

from indexer.instance import Instance
from indexer.service import Monitor


class WebApplication(BaseApplication):
    """gunicorn running create_app in each worker (no preloading: one Monitor per process)."""

    def __init__(self, options: dict, config: dict):
        self.options, self.config_given = options, config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:     # settings newer gunicorns added are skipped on older ones
                self.cfg.set(key, value)

    def load(self):
        from web import create_app

        return create_app(self.config_given)


MAX_REQUEST_LINE = 8190       # bytes; the most gunicorn takes short of no limit at all


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


def start_alert_worker(home: Path) -> subprocess.Popen:
    """`manage.py alerts worker` in its own process: a slow mail server never holds a request."""
    manage = Path(__file__).resolve().parents[1] / "manage.py"
    return subprocess.Popen([sys.executable, str(manage), "--home", str(home), "alerts", "worker"])


def stop_alert_worker(worker: subprocess.Popen | None) -> None:
    """Stop the worker started beside the server (a lease it held expires by itself)."""
    if worker is not None and worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def serve(home: str | None = None, host: str = "127.0.0.1", port: int = 8000,
          workers: int | None = None, echo: Callable[[str], None] = print,
          alert_worker: bool = True) -> None:
    """Catch the index up once, print the URL, then serve until stopped (Ctrl-C); the
    alert delivery worker runs beside the server unless alert_worker is False."""
    instance = Instance.locate(home)
    monitor = Monitor(instance)
    try:
        monitor.catch_up()
    finally:
        monitor.close()
    echo(f"Media Monitor is serving {instance.home.resolve()} at http://{host}:{port}/")
    options = {"bind": f"{host}:{port}", "workers": workers or default_workers(),
               "accesslog": "-", "timeout": 120,
               # A query of the full 1,000 characters in Persian or Arabic is about 6,000 bytes
               # in the URL; gunicorn's default request line (4,094) refused it with a 414.
               "limit_request_line": MAX_REQUEST_LINE,
               # No control socket in the home folder: several servers may run side by side.
               "control_socket_disable": True}
    worker = start_alert_worker(instance.home.resolve()) if alert_worker else None
    try:
        WebApplication(options, {"HOME": str(instance.home)}).run()
    finally:
        stop_alert_worker(worker)
