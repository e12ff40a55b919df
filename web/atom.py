"""An Atom feed of a search's newest matches, written by feedgen (valid Atom, escaped text)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

from feedgen.feed import FeedGenerator

from web.i18n import parse_moment

ENTRY_ID = "urn:media-monitor:document:{}"   # stable: a document's id never changes


def build_feed(results: list[dict], title: str, feed_url: str, page_url: str,
               document_url: Callable[[str], str], now: datetime) -> bytes:
    """The Atom XML of results (newest first); ids stay the same from one fetch to the next."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.author({"name": "Media Monitor"})
    feed.link(href=feed_url, rel="self")
    feed.link(href=page_url, rel="alternate")
    feed.generator("Media Monitor")
    times = [entry_time(doc) for doc in results]
    feed.updated(max(times) if times else now.astimezone(timezone.utc))
    for doc, when in zip(results, times, strict=True):
        add_entry(feed, doc, when, document_url(doc["id"]))
    return feed.atom_str(pretty=True)


def add_entry(feed: FeedGenerator, doc: dict, when: datetime, url: str) -> None:
    """One entry: title as text, the highlighted snippet as HTML, countries and entities as categories."""
    entry = feed.add_entry(order="append")
    entry.id(ENTRY_ID.format(doc["id"]))
    entry.title(doc.get("title") or doc.get("source") or doc["id"])
    # One link only: feedgen 1.0 drops a link's rel, and two bare links would both be
    # "alternate", which Atom forbids. The document page links to the original.
    entry.link(href=url)
    entry.published(when)
    entry.updated(when)
    if doc.get("source"):
        entry.author({"name": doc["source"]})
    # The snippet is escaped text with <mark> added; feedgen escapes it again for XML.
    entry.summary(doc.get("snippet") or "", type="html")
    for code in doc.get("countries", []):
        entry.category(term=code, scheme="urn:iso:std:iso:3166:-1")
    for entity in doc.get("entities", []):
        entry.category(term=entity["name"], scheme=f"urn:media-monitor:entity:{entity['type']}")


def entry_time(doc: dict) -> datetime:
    """When a document was published, else first ingested."""
    return parse_moment(doc.get("published")) or parse_moment(doc.get("ingested_at"))
