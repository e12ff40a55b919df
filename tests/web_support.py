"""What the web tests share: an instance of the demo news plus a hostile and a Persian
document, the app over it, and reading its HTML."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from lxml import html as lxml_html
from werkzeug.serving import make_server

from corpus.sample import write_sample
from indexer.instance import Instance
from indexer.service import Monitor

HOSTILE_TITLE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> Iran oil pact'
HOSTILE_TEXT = ('<script>alert(1)</script> Leila Farahani, the foreign minister of Iran, said '
                '"><img src=x onerror=alert(1)> oil exports would resume next month.')
HOSTILE_URL = "https://hostile.example/story-1"
PERSIAN_TITLE = "گزارش نفت ایران"
PERSIAN_TEXT = ("وزیر امور خارجه ایران دربارهٔ صادرات نفت و تحریم‌ها "
                "با خبرنگاران سخن گفت و گفت مذاکرات ادامه دارد.")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def extra_records() -> list[dict]:
    """The hostile document (newest of all, so it leads every page it belongs to) and a Persian one."""
    return [
        {"id": "hostile-1", "source": "Hostile Daily", "url": HOSTILE_URL, "title": HOSTILE_TITLE,
         "text": HOSTILE_TEXT, "published": "2025-07-01T09:00:00Z", "lang": "en"},
        {"id": "persian-1", "source": "Tehran Desk", "url": "https://tehran-desk.example/1",
         "title": PERSIAN_TITLE, "text": PERSIAN_TEXT, "published": "2025-06-30T09:00:00Z", "lang": "fa"},
    ]


def build_instance(folder: Path) -> Path:
    """Ingest the demo sample and the extra documents into folder/home; return the home."""
    home = folder / "home"
    sample = write_sample(folder / "demo")
    extra = folder / "extra.jsonl"
    extra.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in extra_records()),
                     encoding="utf-8")
    monitor = Monitor(Instance(home))
    try:
        report = monitor.ingest([str(p) for p in sorted(sample.iterdir())] + [str(extra)])
    finally:
        monitor.close()
    assert not report.count_status("failed"), [f.error for f in report.files]
    return home


def page_tree(response):
    """The parsed HTML of a response."""
    return lxml_html.fromstring(response.get_data(as_text=True))


@contextmanager
def running(app) -> Iterator[str]:
    """Serve app on a free loopback port in a thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
