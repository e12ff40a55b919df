"""web.server.serve: gunicorn workers on a loopback port, the index caught up once first."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from indexer.ingest.ingester import Ingester
from indexer.instance import Instance

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str, tries: int = 200) -> dict:
    """GET a JSON answer, waiting while the server starts (bounded)."""
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return json.loads(answer.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_serve_catches_up_then_answers(tmp_path):
    home = tmp_path / "home"
    records = tmp_path / "news.jsonl"
    record = {"title": "Harbour strike ends", "text": "Dock workers in Haifa ended the strike.",
              "source": "Port Wire", "published": "2024-02-03"}
    records.write_text(json.dumps(record) + "\n", encoding="utf-8")
    store = Instance(home).open_store()
    try:
        Ingester(store).ingest_file(str(records))      # stored, not indexed
    finally:
        store.close()
    port = free_port()
    code = f"from web.server import serve; serve({str(home)!r}, port={port}, workers=1)"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        answer = get_json(f"http://127.0.0.1:{port}/api/search?q=strike")
        assert [r["title"] for r in answer["results"]] == ["Harbour strike ends"]
        # a query of the full length in Persian (about 6,000 bytes of URL) is answered
        persian = quote(("ایران " * 166).strip())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={persian}",
                                    timeout=30) as long_query:
            assert (long_query.status, json.loads(long_query.read())["results"]) == (200, [])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        out, _ = server.communicate(timeout=30)
    assert out.splitlines()[0] == f"Media Monitor is serving {home.resolve()} at http://127.0.0.1:{port}/"


def test_the_web_app_never_reaches_past_the_service_layer():
    for module in sorted(WEB.glob("*.py")):
        source = module.read_text(encoding="utf-8")
        for reach in ("import whoosh", "from whoosh", "indexer.engine.whoosh", "from indexer.store"):
            assert reach not in source, (module.name, reach)
