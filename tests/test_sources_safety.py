"""SSRF safety: only http(s), no internal address unless allowed, checked after DNS
resolution and on every redirect. Names resolve through a stub; traffic stays on loopback."""
from __future__ import annotations

import pytest

from indexer.sources.safety import UnsafeURL, address_kind, check_url
from indexer.sources.service import SourceError
from indexer.sources.settings import FetchSettings
from tests.sources_support import LOOPBACK, Route, feed_server, monitor_at, rss, sources_of, story

STRICT = FetchSettings(allow_private=False, read_timeout=2)
# The stub DNS: "localhost" claims a public address (the connection still goes to the
# loopback server, through the system's own resolver); the other names are internal.
NAMES = {"localhost": ["93.184.216.34"], "intranet.test": ["10.0.0.7"],
         "printer.test": ["192.168.1.20"], "metadata.test": ["169.254.169.254"],
         "sneaky.test": ["93.184.216.34", "127.0.0.1"]}


def stub(host: str, port: int) -> list[str]:
    return NAMES.get(host, [host])


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.9", "private"),
    ("169.254.169.254", "link-local"), ("::1", "loopback"), ("::ffff:10.0.0.1", "private"),
    ("0.0.0.0", "unspecified"), ("100.64.0.1", "non-public"), ("93.184.216.34", None)])
def test_address_kinds(address, kind):
    assert address_kind(address) == kind


@pytest.mark.parametrize("url, reason", [
    ("file:///etc/passwd", "only http and https URLs are polled, not file:"),
    ("ftp://example.org/feed", "only http and https URLs are polled, not ftp:"),
    ("http:///nohost", "no host in http:///nohost"),
])
def test_other_schemes_are_refused(url, reason):
    with pytest.raises(UnsafeURL) as caught:
        check_url(url, allow_private=True, resolve=stub)
    assert str(caught.value) == reason


def test_internal_addresses_and_names_are_refused_before_any_connection(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1)]))
        port = site.base.rsplit(":", 1)[1]
        sources = sources_of(monitor, STRICT, stub)
        refused = {}
        for host in ("127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.169.254",
                     "intranet.test", "printer.test", "metadata.test", "sneaky.test"):
            with pytest.raises(SourceError) as caught:
                sources.add(f"http://{host}:{port}/feed")
            refused[host] = str(caught.value)
        assert site.requests == []                      # not one connection was made
        assert refused["127.0.0.1"] == ("127.0.0.1 is 127.0.0.1, a loopback address: refused "
                                        "(set MEDIA_MONITOR_SOURCES_ALLOW_PRIVATE=1 to allow)")
        assert refused["intranet.test"].startswith("intranet.test is 10.0.0.7, a private address")
        assert refused["metadata.test"].startswith(
            "metadata.test is 169.254.169.254, a link-local address")
        assert refused["sneaky.test"].startswith("sneaky.test is 127.0.0.1, a loopback address")
        assert sources.list() == []
        sources.close()


def test_a_redirect_to_a_private_address_is_refused(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        port = site.base.rsplit(":", 1)[1]
        site.routes["/feed"] = Route(rss([story(1)]))
        sources = sources_of(monitor, STRICT, stub)
        sources.add(f"http://localhost:{port}/feed", name="Public")   # a "public" name
        assert sources.poll()[0].new == 1
        for target in ("http://10.0.0.1/feed", "http://intranet.test/feed",
                       f"http://127.0.0.1:{port}/feed"):
            site.routes["/feed"] = Route(status=302, location=target)
            asked = len(site.requests)
            run = sources.poll(name="Public")[0]
            assert run.status == "failed"
            assert " address: refused" in run.error
            assert len(site.requests) == asked + 1          # only the redirecting hop
        sources.close()


def test_a_source_added_while_allowed_is_refused_when_the_setting_goes_off(tmp_path):
    monitor = monitor_at(tmp_path / "home")
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1)]))
        sources_of(monitor, LOOPBACK).add(site.url("/feed"), name="Local")
        asked = len(site.requests)
        strict = sources_of(monitor, STRICT, stub)
        run = strict.poll()[0]
        assert run.status == "failed" and "a loopback address: refused" in run.error
        assert len(site.requests) == asked
        strict.close()
