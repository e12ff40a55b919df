"""Tell a feed from a page, and find the feed a page links to with <link rel="alternate">."""
from __future__ import annotations

from urllib.parse import urljoin

import lxml.html

from corpus.formats import sniff_format

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml",
              "application/feed+json", "application/xml", "text/xml")


def is_feed(body: bytes) -> bool:
    """Whether the bytes are an RSS, RDF or Atom feed (by a feed tag in their first KB)."""
    return sniff_format(body.lstrip()[:1024]) == "feed"


def feed_links(body: bytes, base_url: str) -> list[str]:
    """The absolute URLs of the feeds a page announces, RSS and Atom first, in page order."""
    try:
        tree = lxml.html.fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = []
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href and kind != "application/feed+json":
            found.append(urljoin(base_url, href))
    return list(dict.fromkeys(found))
