"""Read RSS 0.9x/1.0/2.0, RDF and Atom feeds into Documents with feedparser."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from typing import BinaryIO, Iterator
from urllib.parse import urljoin

import feedparser
import lxml.html
from dateutil import parser as dateparser
from lxml import etree

from corpus.dates import read_local_date
from corpus.document import Document, clean_paragraphs, to_utc, web_url
from corpus.languages import language_code
from corpus.problems import ItemWarning, Problem, ReadError
from corpus.streams import read_document

# Every ISO 639-1 code: a declared language outside this set is treated as absent.
BLOCK_TAGS = ("p", "div", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table",
              "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "article", "header",
              "footer", "aside", "figure", "figcaption", "address", "nav")
_HTML_SPACE = re.compile(r"[ \t\r\n\f\v]+")
# UTF-8 read as Latin-1/cp1252 ('Ã©', 'â€™'), or bytes a decoder had to replace.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]"
                       "|\u00e2\u20ac|\ufffd")
# feedparser's fallback parser turns each character reference into chr(n) and dies on
# a surrogate or a number past U+10FFFF, losing the whole feed; those become U+FFFD first.
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([-\w.:]+)["']""")
# Month and day names feedparser's English-only RFC 822 parser does not know.
FOREIGN_MONTHS = {
    "jan": ("janv", "ene", "gen", "jän"), "feb": ("fev", "fév", "févr", "febr"),
    "mar": ("mär", "mars", "marz", "mrz"), "apr": ("abr", "avr"),
    "may": ("mai", "mayo", "mag", "maio"), "jun": ("juin", "giu", "juni"),
    "jul": ("juil", "lug", "juli"), "aug": ("ago", "août", "aoû"),
    "sep": ("set", "sept"), "oct": ("out", "okt", "ott"), "nov": (),
    "dec": ("dez", "déc", "dic"),
}
_YEAR = re.compile(r"\b(1[89]|2[01])\d\d\b")
_MONTH_ALIASES = {alias: english
                  for english, aliases in FOREIGN_MONTHS.items() for alias in aliases}


def read_feed(source: bytes | BinaryIO,
              location: str | None = None) -> Iterator[Document | Problem | ItemWarning]:
    """Yield one Document per feed entry, then a Problem if the XML was broken."""
    data = read_document(source)
    if not data.strip():
        raise ReadError("not a feed: empty input")
    # A newline before <?xml ...?> makes strict XML parsers give up on an otherwise sound feed.
    data, repaired = _repair_char_refs(data.lstrip())
    parsed = _parse_decoded(data, location)
    error = _bozo_message(parsed, data)
    if not parsed.entries:
        if not parsed.get("version"):
            raise ReadError(f"not a feed: {error or 'no RSS, RDF or Atom element found'}")
        if error:
            raise ReadError(f"{error}; no entries could be read")
    feed = parsed.feed
    outlet = _plain_line(feed.get("title_detail"))
    base = _feed_base(feed, location)
    feed_lang = _first_language(feed.get("language"),
                                (feed.get("title_detail") or {}).get("language"))
    for number, entry in enumerate(parsed.entries, 1):
        try:
            yield _entry_document(entry, outlet, base, feed_lang)
        except Exception as exc:  # one odd entry must not cost the rest of the feed
            yield Problem(f"entry {number} could not be read: {_one_line(exc)}")
    if repaired:
        yield ItemWarning(f"{repaired} character reference(s) to no character (like &#xD800;) "
                          "replaced by �")
    if error:
        yield Problem(error)


def _repair_char_refs(data: bytes) -> tuple[bytes, int]:
    """Replace character references to surrogates or past U+10FFFF by U+FFFD; count them."""
    repaired = 0

    def repair(match: re.Match) -> bytes:
        nonlocal repaired
        if _is_character(match):
            return match.group(0)
        repaired += 1
        return b"&#xFFFD;"
    return _CHAR_REF.sub(repair, data), repaired


def _is_character(match: re.Match) -> bool:
    """Tell a character reference that names a character Python can encode."""
    hex_digits, decimal_digits = match.groups()
    digits = (hex_digits or decimal_digits).lstrip(b"0") or b"0"
    if len(digits) > 7:
        return False
    code = int(digits, 16 if hex_digits else 10)
    return not (0xD800 <= code <= 0xDFFF or code > 0x10FFFF)


def _parse(data: bytes, location: str | None) -> feedparser.FeedParserDict:
    """Run feedparser on bytes; only ReadError leaves this function."""
    headers = {"content-location": location} if web_url(location) else None
    try:
        # A file object, because feedparser opens a bytes value that looks like a path.
        return feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:
        raise ReadError(f"not a feed: {_one_line(exc)}") from None


def _parse_decoded(data: bytes, location: str | None) -> feedparser.FeedParserDict:
    """Parse, decoding the bytes ourselves when feedparser's decoding looks wrong."""
    parsed = _parse(data, location)
    if _utf8_mislabelled(data, parsed):
        return _parse_text(data.decode("utf-8"), location)
    if _mojibake_score(parsed):
        return _redecode(data, location, parsed)
    return parsed


def _utf8_mislabelled(data: bytes, parsed: feedparser.FeedParserDict) -> bool:
    """Tell UTF-8 bytes that feedparser read with another (declared) encoding."""
    used = (parsed.get("encoding") or "").lower().replace("_", "-")
    if data.isascii() or used in ("utf-8", "utf8"):
        return False
    # Text in a legacy 8-bit or CJK encoding practically never forms valid UTF-8.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _parse_text(text: str, location: str | None) -> feedparser.FeedParserDict:
    """Parse already decoded text, declaring it as the UTF-8 it is re-encoded to."""
    body = _XML_DECLARATION.sub(b"", text.encode("utf-8"))
    return _parse(b'<?xml version="1.0" encoding="utf-8"?>' + body, location)


def _redecode(data: bytes, location: str | None,
              parsed: feedparser.FeedParserDict) -> feedparser.FeedParserDict:
    """Decode the bytes ourselves when feedparser's guess gave mojibake; keep the cleanest."""
    best, best_score = parsed, _mojibake_score(parsed)
    declared = _XML_ENCODING.match(data)
    candidates = ["utf-8", declared.group(1).decode("ascii") if declared else None, "cp1252"]
    candidates.append(_guess_encoding(data))
    for encoding in dict.fromkeys(c for c in candidates if c):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        candidate = _parse_text(text, location)
        score = _mojibake_score(candidate)
        if score < best_score:
            best, best_score = candidate, score
        if not score:
            break
    return best


def _guess_encoding(data: bytes) -> str | None:
    """Ask charset_normalizer for the likeliest encoding of the bytes."""
    try:
        from charset_normalizer import from_bytes
        match = from_bytes(data).best()
    except Exception:  # the guess is a last resort: no guess is fine
        return None
    return match.encoding if match else None


def _mojibake_score(parsed: feedparser.FeedParserDict) -> int:
    """Count mojibake marks in the feed title and the entries' titles and summaries."""
    texts = [parsed.feed.get("title") or ""]
    for entry in parsed.entries:
        texts += [entry.get("title") or "", entry.get("summary") or ""]
    return sum(len(_MOJIBAKE.findall(text)) for text in texts)


def _bozo_message(parsed: feedparser.FeedParserDict, data: bytes) -> str | None:
    """Describe feedparser's error in one line; None when there was none worth reporting."""
    exc = parsed.get("bozo_exception")
    # CharacterEncodingOverride and kin: the text was decoded after all, which is no error.
    if not parsed.get("bozo") or exc is None:
        return None
    if isinstance(exc, feedparser.ThingsNobodyCaresAboutButMe):
        return None
    if hasattr(exc, "getLineNumber"):
        # feedparser prepends an XML declaration line when the document has none.
        line = exc.getLineNumber() - (0 if data.startswith(b"<?xml") else 1)
        message = f"not well-formed XML at line {line}: {exc.getMessage()}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return _one_line(message)


def _entry_document(entry: dict, source: str | None, base: str | None,
                    feed_lang: str | None) -> Document:
    """Build the Document for one feed entry."""
    return Document(
        title=_plain_line(entry.get("title_detail")) or _plain_line(entry.get("title")),
        text=_entry_text(entry),
        kind="article",
        source=source,
        url=_absolute_link(entry.get("link"), base),
        external_id=(entry.get("id") or "").strip() or None,
        published=(published := _entry_published(entry)),
        published_local=_entry_local(entry, published),
        declared_lang=_first_language(entry.get("language"),
                                      (entry.get("title_detail") or {}).get("language"), feed_lang),
    )


def _entry_text(entry: dict) -> str:
    """Return the longest of the entry's content and summary as plain paragraphs."""
    details = list(entry.get("content") or [])
    if entry.get("summary_detail"):
        details.append(entry["summary_detail"])
    elif entry.get("summary"):
        details.append({"type": "text/html", "value": entry["summary"]})
    # Some feeds put a stub in content ('...', a bare link) and the real text in the summary.
    return max((_detail_text(detail) for detail in details), key=len, default="")


def _detail_text(detail) -> str:
    """Turn one feedparser text construct (plain or HTML) into plain paragraphs."""
    if isinstance(detail, str):
        return html_to_text(detail)
    value = detail.get("value") or ""
    if detail.get("type") == "text/plain":
        return clean_paragraphs(value)
    return html_to_text(value)


def _plain_line(detail) -> str | None:
    """Return a title as one trimmed line without markup; None when nothing is left."""
    if not detail:
        return None
    text = " ".join(_detail_text(detail).split())
    return text or None


def html_to_text(markup: str) -> str:
    """Convert an HTML fragment into plain paragraphs separated by a blank line."""
    if "<" not in markup and "&" not in markup:
        return clean_paragraphs(markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.LxmlError, ValueError):
        return clean_paragraphs(markup)
    etree.strip_elements(root, "script", "style", etree.Comment, with_tail=False)
    # Source line breaks are just spaces in HTML; only tags make paragraphs.
    for node in root.iter():
        node.text = _HTML_SPACE.sub(" ", node.text) if node.text else node.text
        node.tail = _HTML_SPACE.sub(" ", node.tail) if node.tail else node.tail
    for element in root.iter(*BLOCK_TAGS, "br"):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        else:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return clean_paragraphs(root.text_content())


def _feed_base(feed: dict, location: str | None) -> str | None:
    """Return the absolute URL relative entry links are resolved against."""
    return _resolve(location, (feed.get("link") or "").strip())


def _absolute_link(link: str | None, base: str | None) -> str | None:
    """Resolve an entry link against the feed's base; None when it cannot be made absolute."""
    link = (link or "").strip()
    return (web_url(link) or _resolve(base, link)) if link else None


def _resolve(base: str | None, link: str) -> str | None:
    """Join a link to an absolute http(s) base; None unless that gives an http(s) URL."""
    if base is None or not web_url(base):
        return web_url(link)
    try:
        return web_url(urljoin(base, link))
    except ValueError:      # a malformed link ("http://[broken") joins to nothing
        return None


def _entry_published(entry: dict) -> datetime | None:
    """Return the entry's publication (else update) time as aware UTC."""
    for key in ("published", "updated", "created"):
        struct = entry.get(f"{key}_parsed")
        if struct:
            try:
                # struct_time's first six fields are the UTC date and time.
                return datetime(*struct[:6]).replace(tzinfo=timezone.utc)
            except (TypeError, ValueError):
                pass
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            when = _parse_foreign_date(raw)
            if when:
                return when
    return None


def _entry_local(entry: dict, published: datetime | None) -> datetime | None:
    """The entry's time at the offset the feed wrote it with, if one (feedparser drops it)."""
    for key in ("published", "updated", "created"):
        local = read_local_date(entry.get(key))
        if local is not None and local == published:
            return local
    return None


def _parse_foreign_date(raw: str) -> datetime | None:
    """Parse a date feedparser refused, e.g. 'Seg, 24 Set 2018 19:42:40 -0300'."""
    if not _YEAR.search(raw):
        return None  # without a year, fuzzy parsing would invent one from today's date
    words = re.split(r"([^\W\d]+)", raw.strip())
    english = "".join(_MONTH_ALIASES.get(w.lower().rstrip("."), w) for w in words)
    try:
        # fuzzy skips the weekday names dateutil does not know; day-first as outside the US.
        return to_utc(dateparser.parse(english, fuzzy=True, dayfirst=True))
    except (ValueError, OverflowError, TypeError):
        return None


def _first_language(*values: str | None) -> str | None:
    """Return the first value that reduces to a valid ISO 639-1 code."""
    for value in values:
        code = language_code(value)
        if code:
            return code
    return None


def _one_line(value) -> str:
    """Squeeze an error message onto one line."""
    return " ".join(str(value).split())
