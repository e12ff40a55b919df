"""What the source tests share: a real HTTP server on loopback serving feeds and pages that
change (ETag and Last-Modified answered with 304), redirects, failures, slow and huge
bodies; a small RSS writer; and a Monitor over a fresh instance."""
from __future__ import annotations

import hashlib
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from xml.sax.saxutils import escape

from indexer.instance import Instance
from indexer.service import Monitor
from indexer.sources.service import Sources
from indexer.sources.settings import FetchSettings

SHARED = Path("/work/shared")
LOOPBACK = FetchSettings(allow_private=True, connect_timeout=2, read_timeout=1,
                         total_timeout=3, max_bytes=2 * 1024 * 1024, parallel=4)


@dataclass
class Route:
    """What one path answers: a body (with validators), a status, a redirect, a delay."""

    body: bytes = b""
    content_type: str = "application/rss+xml"
    status: int = 200
    location: str | None = None
    delay: float = 0.0            # seconds before the headers
    drip: float = 0.0             # seconds between body pieces (a slow body)
    last_modified: str = "Tue, 10 Mar 2026 08:00:00 GMT"


@dataclass
class Site:
    """The routes a test changes while the server runs, and what was asked of it."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    most_in_flight: int = 0

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict]:
        """The headers of each request made for path."""
        return [headers for asked, headers in self.requests if asked == path]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@contextmanager
def feed_server() -> Iterator[Site]:
    """A threaded HTTP server on 127.0.0.1 answering from site.routes."""
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            with site.lock:
                site.requests.append((self.path, dict(self.headers)))
                site.in_flight += 1
                site.most_in_flight = max(site.most_in_flight, site.in_flight)
            try:
                self.answer(site.routes.get(self.path))
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with site.lock:
                    site.in_flight -= 1

        def answer(self, route: Route | None):
            if route is None:
                route = Route(b"not here", "text/plain", 404)
            if route.delay:
                time.sleep(route.delay)
            if route.location:
                self.send_response(route.status or 302)
                self.send_header("Location", route.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            tag = etag_of(route.body)
            if route.status == 200 and self.headers.get("If-None-Match") == tag:
                self.send_response(304)
                self.send_header("ETag", tag)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", route.last_modified)
            self.end_headers()
            if not route.drip:
                self.wfile.write(route.body)
                return
            for start in range(0, len(route.body), 64):
                self.wfile.write(route.body[start:start + 64])
                self.wfile.flush()
                time.sleep(route.drip)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def rss(items: list[dict], title: str = "Loopback News", link: str = "http://example.org/") -> bytes:
    """An RSS 2.0 feed of items with title, link, description and optional guid, pubDate."""
    parts = [f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>"
             f"<description>{escape(item.get('text', ''))}</description>"
             + (f"<guid>{escape(item['guid'])}</guid>" if item.get("guid") else "")
             + f"<pubDate>{item.get('date', 'Mon, 09 Mar 2026 08:00:00 GMT')}</pubDate></item>"
             for item in items]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{escape(link)}</link>"
            f"<description>test</description>{''.join(parts)}</channel></rss>").encode()


def story(number: int, words: str = "harbour strike") -> dict:
    """A synthetic item (its link unique by number)."""
    return {"title": f"Story {number}: {words}", "link": f"http://example.org/story/{number}",
            "text": f"Report number {number} about the {words} in the port city."}


def shared(path: str) -> bytes:
    return (SHARED / path).read_bytes()


def monitor_at(home: Path, clock=None) -> Monitor:
    instance = Instance(home)
    return Monitor(instance, clock) if clock else Monitor(instance)


def sources_of(monitor: Monitor, settings: FetchSettings = LOOPBACK, resolve=None) -> Sources:
    if resolve is None:
        return Sources(monitor, settings)
    return Sources(monitor, settings, resolve)


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)
