"""Refuse URLs an operator must not make the server fetch: other schemes, internal addresses.

Checked after DNS resolution, before every connection (the first and each redirect), so
a public name pointing at 10.0.0.1 or a redirect to 127.0.0.1 is refused just the same.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]


class UnsafeURL(ValueError):
    """A URL that is not polled, and why."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses a host name resolves to (what the connection will use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"{host} could not be resolved ({exc})") from None
    # getaddrinfo answers INET sockaddrs, whose first item is the address text; typeshed's
    # union also holds the (int, bytes) form of a Python built without IPv6.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_kind(address: str) -> str | None:
    """What makes an address internal (loopback, private...), or None for a public one."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # Most specific first: Python counts link-local and 0.0.0.0 as private too.
    for kind in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


def check_url(url: str, allow_private: bool, resolve: Resolver = system_resolve) -> None:
    """Raise UnsafeURL unless url is http(s) with a host whose every address may be reached."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        raise UnsafeURL(f"not a valid URL: {url}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURL(f"only http and https URLs are polled, not {parts.scheme or 'a bare path'}:")
    if not parts.hostname:
        raise UnsafeURL(f"no host in {url}")
    if allow_private:
        return
    for address in resolve(parts.hostname, port):
        kind = address_kind(address)
        if kind:
            raise UnsafeURL(f"{parts.hostname} is {address}, a {kind} address: refused "
                            f"(set MEDIA_MONITOR_SOURCES_ALLOW_PRIVATE=1 to allow)")
