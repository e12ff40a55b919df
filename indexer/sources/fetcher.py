"""Fetch one URL politely and safely: a kept session, timeouts, a size limit, redirects
followed by hand (each hop checked), conditional GET, one request at a time per host."""
from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from corpus.streams import size_words
from indexer.sources.safety import Resolver, check_url, system_resolve
from indexer.sources.settings import FetchSettings

CHUNK = 64 * 1024


class FetchError(RuntimeError):
    """A fetch that gave nothing usable, with the reason in one line."""


@dataclass
class Answer:
    """What a server answered: 200 with a body (maybe cut off) or 304 without one."""

    url: str                       # after redirects
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    cut_off: str | None = None     # why the body was cut short, if it was


class Fetcher:
    """One HTTP client kept across polls (connections reused), safe for threads."""

    def __init__(self, settings: FetchSettings, resolve: Resolver = system_resolve):
        self.settings, self.resolve = settings, resolve
        self.session = requests.Session()
        self.session.trust_env = False     # no proxy from the environment may bypass the checks
        self.session.headers["User-Agent"] = settings.user_agent
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def close(self) -> None:
        """Close the kept connections."""
        self.session.close()

    def host_lock(self, url: str) -> threading.Lock:
        """The lock that keeps requests to one host (and port) one at a time."""
        with self._guard:
            return self._locks[urlsplit(url).netloc.lower()]

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Answer:
        """GET url, following redirects up to the limit; FetchError or UnsafeURL otherwise."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = []
        for _ in range(self.settings.max_redirects + 1):
            check_url(url, self.settings.allow_private, self.resolve)
            seen.append(url)
            answer, location = self._one(url, headers)
            if answer is not None:
                return answer
            url = urljoin(url, location)
            if url in seen:
                raise FetchError(f"redirect loop: {url} redirects back to itself")
        raise FetchError(f"more than {self.settings.max_redirects} redirects (the last to {url})")

    def _one(self, url: str, headers: dict) -> tuple[Answer | None, str | None]:
        """One request: an Answer, or (None, where a redirect points)."""
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        with self.host_lock(url):
            try:
                response = self.session.get(url, headers=headers, timeout=timeout,
                                            allow_redirects=False, stream=True)
            except requests.Timeout:
                raise FetchError(f"no answer within {timeout[1]:g} s") from None
            except requests.RequestException as exc:
                raise FetchError(f"could not connect: {one_line(exc)}") from None
            try:
                return self._answer(url, response)
            finally:
                response.close()

    def _answer(self, url: str, response: requests.Response) -> tuple[Answer | None, str | None]:
        if response.is_redirect:
            location = response.headers.get("Location")
            if not location:
                raise FetchError(f"HTTP {response.status_code} redirect without a Location")
            return None, location
        if response.status_code == 304:
            return Answer(url, 304, etag=response.headers.get("ETag"),
                          last_modified=response.headers.get("Last-Modified")), None
        if response.status_code >= 400 or response.status_code < 200:
            raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".strip())
        body, cut_off = self._read_body(response)
        return Answer(url, response.status_code, body, response.headers.get("ETag"),
                      response.headers.get("Last-Modified"),
                      response.headers.get("Content-Type", ""), cut_off), None

    def _read_body(self, response: requests.Response) -> tuple[bytes, str | None]:
        """The body up to the size limit, within the total time limit."""
        limit, deadline = self.settings.max_bytes, time.monotonic() + self.settings.total_timeout
        parts, size = [], 0
        try:
            # read1 gives what has arrived: a slow drip is seen at once, not after 64 KB.
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                parts.append(chunk)
                size += len(chunk)
                if size > limit:
                    return b"".join(parts)[:limit], (f"the answer is over the "
                                                     f"{size_words(limit)} limit: cut off there")
                if time.monotonic() > deadline:
                    raise FetchError(f"the answer took over {self.settings.total_timeout:g} s")
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            if "timed out" in str(exc).lower():
                raise FetchError(f"the answer stalled for over {self.settings.read_timeout:g} s"
                                 ) from None
            raise FetchError(f"the answer broke off: {one_line(exc)}") from None
        return b"".join(parts), None


def one_line(exc: BaseException) -> str:
    """An exception's message on one line, without urllib3's object reprs."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
