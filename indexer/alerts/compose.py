"""The words of a message: an email (text and HTML parts) or a webhook's JSON body, for a
batch of hits (an instant alert or a digest) or for an alert that stopped running."""
from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from indexer.alerts.messages import HitView
from indexer.alerts.saved import SavedSearch
from indexer.alerts.settings import DeliverySettings

SUBJECTS = {"instant": "New for “{name}”: {count}", "daily": "Daily digest for “{name}”: {count}",
            "weekly": "Weekly digest for “{name}”: {count}",
            "broken": "Your alert “{name}” no longer runs"}


@dataclass(frozen=True)
class Links:
    """The web app's addresses a message points to."""

    base: str

    def document(self, doc_id: str) -> str:
        return f"{self.base}/documents/{quote(doc_id, safe='')}"

    def alert(self, search_id: int) -> str:
        return f"{self.base}/alerts/{search_id}"

    def edit(self, search_id: int) -> str:
        return f"{self.base}/alerts/{search_id}/edit"

    def search(self, args: dict) -> str:
        return f"{self.base}/?{urlencode(args, doseq=True)}" if args else f"{self.base}/"


@dataclass(frozen=True)
class Outgoing:
    """One message to send: which alert, what kind, its hits (shown ones) and how many more."""

    id: int
    kind: str
    search: SavedSearch
    hits: list[HitView]
    more: int


def subject(message: Outgoing) -> str:
    count = len(message.hits) + message.more
    return SUBJECTS[message.kind].format(name=message.search.name, count=count)


def hit_title(hit: HitView) -> str:
    doc = hit.document
    return doc.get("title") or doc.get("source") or doc["id"]


def text_body(message: Outgoing, links: Links) -> str:
    """The plain-text part."""
    search = message.search
    if message.kind == "broken":
        return (f"The saved search “{search.name}” can no longer be run:\n\n  {search.broken}\n\n"
                f"Nothing is matched until it is mended; once it is, it catches up on what it "
                f"missed.\nEdit it: {links.edit(search.id)}\n")
    lines = [subject(message), ""]
    for hit in message.hits:
        lines += [hit_title(hit), f"  {hit.document.get('source') or ''} "
                  f"{hit.document.get('published') or ''}".rstrip(),
                  f"  Matched: {', '.join(hit.words) or 'the filters of the search'}",
                  f"  {strip_marks(hit.snippet)}", f"  {links.document(hit.document['id'])}", ""]
        if hit.copies:
            lines.insert(-2, f"  (and {hit.copies} near-identical copies)")
    if message.more:
        lines += [f"{message.more} more: {links.alert(search.id)}", ""]
    lines += [f"All hits of this alert: {links.alert(search.id)}",
              f"The search behind it: {links.search(search.args)}"]
    return "\n".join(lines) + "\n"


def html_body(message: Outgoing, links: Links) -> str:
    """The HTML part: the same content, the matched words in <mark>."""
    search = message.search
    head = f"<h1>{escape(subject(message))}</h1>"
    if message.kind == "broken":
        return (f"<html><body>{head}<p>{escape(search.broken or '')}</p><p><a href=\""
                f"{escape(links.edit(search.id))}\">Edit the alert</a></p></body></html>")
    items = []
    for hit in message.hits:
        copies = f"<br><small>and {hit.copies} near-identical copies</small>" if hit.copies else ""
        items.append(
            f"<li><a href=\"{escape(links.document(hit.document['id']))}\">"
            f"{escape(hit_title(hit))}</a><br><small>{escape(hit.document.get('source') or '')} "
            f"{escape(hit.document.get('published') or '')}</small><br>"
            f"Matched: <b>{escape(', '.join(hit.words)) or 'the filters of the search'}</b><br>"
            f"{hit.snippet}{copies}</li>")       # the snippet is escaped text with <mark>
    more = (f"<p><a href=\"{escape(links.alert(search.id))}\">{message.more} more</a></p>"
            if message.more else "")
    return (f"<html><body>{head}<ol>{''.join(items)}</ol>{more}<p><a href=\""
            f"{escape(links.alert(search.id))}\">All hits of this alert</a> · <a href=\""
            f"{escape(links.search(search.args))}\">The search behind it</a></p></body></html>")


def strip_marks(snippet: str) -> str:
    """A snippet as plain text: marks dropped, entities read back."""
    from html import unescape

    return unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def email_message(message: Outgoing, to: str, settings: DeliverySettings) -> EmailMessage:
    """The email, text and HTML, its Message-ID made from the outbox id (the same on a resend)."""
    links = Links(settings.base_url)
    email = EmailMessage()
    email["Subject"] = subject(message)
    email["From"] = settings.mail_from
    email["To"] = to
    stamp = "".join(ch for ch in message.search.created_at if ch.isdigit())
    email["Message-ID"] = f"<alert-{message.id}.{message.search.id}.{stamp}@media-monitor>"
    email["X-Media-Monitor-Delivery"] = str(message.id)
    email.set_content(text_body(message, links))
    email.add_alternative(html_body(message, links), subtype="html")
    return email


def webhook_body(message: Outgoing, settings: DeliverySettings) -> bytes:
    """The JSON a webhook receives."""
    links = Links(settings.base_url)
    search = message.search
    data: dict[str, Any] = {"delivery": message.id, "event": message.kind,
            "alert": {"id": search.id, "name": search.name, "search": search.args,
                      "url": links.alert(search.id)},
            "hits": [hit.to_json(links.document(hit.document["id"])) for hit in message.hits],
            "more": message.more}
    if message.kind == "broken":
        data["alert"]["broken"] = search.broken
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
