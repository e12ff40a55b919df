"""The Document every reader produces, and the identity that keeps it unique."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import overload
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

KINDS = ("article", "brief")
DATE_SOURCES = ("metadata", "text", "ingested")
# Query parameters that only say who sent the reader, never which page it is.
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid",
                   "yclid", "_ga", "ref_src", "cmpid", "ocid", "ncid", "spm"}
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
ID_LENGTH = 20
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f]")
_TEXT_FIELDS = ("title", "text", "source", "url", "external_id", "parent_id", "declared_lang")


@dataclass
class Document:
    """One article or brief: raw fields from the reader, enriched fields added later."""

    title: str | None
    text: str
    kind: str = "article"
    source: str | None = None
    url: str | None = None
    external_id: str | None = None
    parent_id: str | None = None
    published: datetime | None = None      # the input's own date (UTC) until enrichment
    date_source: str | None = None
    declared_lang: str | None = None       # what the feed, page or record claims
    lang: str | None = None
    countries: list[str] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    id: str | None = None
    ingested_at: datetime | None = None
    seq: int | None = None
    # The input's own time at the offset it was written with (None when it gave none):
    # the document's day is the publisher's local day (local_day).
    published_local: datetime | None = None

    def __post_init__(self) -> None:
        if self.id is None:
            self.id = document_id(self)      # of the input as given: an id never changes
        # NUL is no character of any text (a damaged export or a binary scrap can carry
        # one) and PostgreSQL refuses it in text: no document keeps one, whatever its store.
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str) and "\x00" in value:
                setattr(self, name, value.replace("\x00", ""))


def normalise_text(value: str | None) -> str:
    """Fold case, compatibility forms and whitespace so trivial edits keep an identity."""
    folded = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(folded.split())


def web_url(url: str | None) -> str | None:
    """Return the URL stripped if it is an absolute http(s) URL with a host, else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        _ = parts.port                   # a non-numeric or out-of-range port raises
    except ValueError:                   # "http://[broken/"
        return None
    # javascript:, data:, file:, scheme-relative "//host/x", a path: none is a web page.
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if _UNSAFE_URL_CHARS.search(url):    # spaces or control characters: malformed
        return None
    return url


def canonical_url(url: str | None) -> str | None:
    """Reduce a URL to the form identity uses: no scheme, www, fragment or trackers."""
    url = web_url(url)
    if url is None:         # not an absolute http(s) URL: identity uses the next key
        return None
    parts = urlsplit(url)
    port = parts.port
    # web_url refuses a URL without a host, so hostname is never None here.
    assert parts.hostname, f"web_url kept a URL without a host: {url!r}"
    host = parts.hostname.lower()
    host = host[4:] if host.startswith("www.") else host
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _is_tracking(k)])
    path = parts.path or "/"
    return urlunsplit(("", host, path, query, "")).lstrip("/")


def _is_tracking(param: str) -> bool:
    name = param.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def identity_key(doc: Document) -> str:
    """Return the first identity key that exists: URL, source + id, parent + text, content."""
    url = canonical_url(doc.url)
    if url:
        return "url\x1f" + url
    source = normalise_text(doc.source)
    if doc.external_id:
        return "ext\x1f" + source + "\x1f" + doc.external_id.strip()
    if doc.kind == "brief" and doc.parent_id:
        return "brief\x1f" + doc.parent_id + "\x1f" + normalise_text(doc.text)
    return "content\x1f" + source + "\x1f" + normalise_text(doc.title) + "\x1f" + normalise_text(doc.text)


def document_id(doc: Document) -> str:
    """Hash the identity key into the stable document id."""
    return hashlib.sha256(identity_key(doc).encode("utf-8")).hexdigest()[:ID_LENGTH]


@overload
def format_time(value: datetime) -> str: ...
@overload
def format_time(value: None) -> None: ...
@overload
def format_time(value: datetime | None) -> str | None: ...
def format_time(value: datetime | None) -> str | None:
    """Format a datetime as INTERFACES.md wants: UTC, whole seconds, trailing Z."""
    if value is None:
        return None
    value = to_utc(value)
    # strftime's %Y does not pad years before 1000 on every platform; parse_time needs four.
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}Z"


def format_local(value: datetime | None) -> str | None:
    """Format a time with its own offset: YYYY-MM-DDTHH:MM:SS+HH:MM (None stays None)."""
    offset = value.utcoffset() if value is not None else None
    if value is None or offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("-", -minutes) if minutes < 0 else ("+", minutes)
    return f"{value.year:04d}-{value:%m-%dT%H:%M:%S}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def parse_local(value: str | None) -> datetime | None:
    """Read back a time written by format_local."""
    return datetime.fromisoformat(value) if value else None


def local_day(doc: Document) -> date | None:
    """The document's day: the publisher's local day when known, else the UTC day."""
    if doc.published_local is not None:
        return doc.published_local.date()
    return doc.published.astimezone(timezone.utc).date() if doc.published else None


def parse_time(value: str | None) -> datetime | None:
    """Read back a time written by format_time."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def to_utc(value: datetime) -> datetime:
    """Make a datetime aware UTC with whole seconds; naive input is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


def to_json(doc: Document, with_text: bool = True) -> dict:
    """Serialise a document with the fields and formats of INTERFACES.md."""
    data = {
        "id": doc.id, "external_id": doc.external_id, "kind": doc.kind,
        "parent_id": doc.parent_id, "source": doc.source, "url": doc.url,
        "title": doc.title, "text": doc.text, "published": format_time(doc.published),
        "published_local": format_local(doc.published_local), "date_source": doc.date_source,
        "lang": doc.lang, "countries": list(doc.countries),
        "entities": [dict(e) for e in doc.entities],
        "ingested_at": format_time(doc.ingested_at), "seq": doc.seq,
    }
    if not with_text:
        del data["text"]
    return data


FIELD_ORDER = ("id", "external_id", "kind", "parent_id", "source", "url", "title", "text",
               "published", "published_local", "date_source", "lang", "countries", "entities",
               "ingested_at", "seq")

_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_paragraphs(text: str | None) -> str:
    """Tidy plain text: trimmed lines, paragraphs separated by exactly one blank line."""
    if not text:
        return ""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = (" ".join(_squeeze(line).strip() for line in p.split("\n") if line.strip())
               for p in paragraphs)
    return "\n\n".join(p for p in cleaned if p)


def _squeeze(line: str) -> str:
    """Turn each run of spaces, tabs and no-break spaces into one space."""
    # The regex costs milliseconds on a long line of single spaces: skip it when it has no work.
    if "  " in line or "\t" in line or "\u00a0" in line:
        return _SPACES.sub(" ", line)
    return line
