"""Read a saved HTML article page into one Document with trafilatura."""
from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from datetime import datetime
from typing import BinaryIO, Iterator, Sequence
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from corpus.dates import read_date, read_local_date
from corpus.document import Document, clean_paragraphs, web_url
from corpus.feeds import html_to_text
from corpus.languages import language_code
from corpus.page_dates import (
    MIN_HEADLINE,
    Page,
    in_nearest_year,
    local_time,
    page_date,
    shown_time,
    yearless_dateline,
)
from corpus.problems import Problem, ReadError
from corpus.streams import read_document

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
# How far into the page a charset declaration is looked for (browsers use 1024 bytes;
# saved pages often carry long inline scripts before it).
CHARSET_WINDOW = 32_768
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([-\w.:]+)|<\?xml[^>]+encoding\s*=\s*["']([-\w.:]+)""",
    re.IGNORECASE)
# Labels browsers treat as a superset encoding (WHATWG Encoding Standard).
CHARSET_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252",
                   "gb2312": "gb18030", "gbk": "gb18030", "euc-cn": "gb18030",
                   "shift-jis": "cp932", "euc-kr": "cp949", "tis-620": "cp874",
                   "iso8859-9": "cp1254", "iso8859-11": "cp874"}
# A page counts as damaged UTF-8 with at least this many good multi-byte characters per bad byte.
UTF8_DAMAGE_RATIO = 10
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MAX_HEADLINES = 3
HEADLINE_OVERLAP = 0.3     # share of an <h1>'s words the metadata title must contain
_WORD = re.compile(r"\w+")
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-\u2013\u2014\u00bb\u00b7\u2022:]|--|::)\s+|\s*[|_]\s*")
LANG_META = ("content-language", "language", "dc.language", "og:locale", "inlanguage")


def read_html(source: bytes | BinaryIO,
              location: str | None = None) -> Iterator[Document | Problem]:
    """Yield the one article Document found in a saved HTML page."""
    tree = _load_tree(decode_html(read_document(source)))
    declared_lang = page_language(tree)
    canonical_links = page_links(tree)
    headlines = page_headlines(tree)  # read before trafilatura prunes the tree
    url = web_url(location)
    page = Page(tree, [*canonical_links, url or ""])   # read before trafilatura prunes the tree
    own_date, shown = page_date(page), shown_time(page)
    month_day = yearless_dateline(page) if own_date is None else None
    try:
        result = trafilatura.bare_extraction(
            tree, url=url, with_metadata=True, include_comments=False,
            date_extraction_params={"extensive_search": True, "original_date": True,
                                    "outputformat": "%Y-%m-%dT%H:%M:%S%z"})
    except Exception as exc:  # trafilatura has many failure modes; none may escape
        raise ReadError(f"HTML extraction failed: {' '.join(str(exc).split())}") from None
    if result is None:
        raise ReadError("no article text or title found in the page")
    # bare_extraction returns a dict only when asked with as_dict=True, which this call is not.
    assert not isinstance(result, dict), "bare_extraction without as_dict returned a dict"
    canonical = _article_url([*canonical_links, result.url])
    site = _source(result.sitename, canonical or url)
    title = choose_title(result.title, headlines, [site, result.sitename, result.hostname])
    body = _paragraphs(result.text)
    if not title and not body:
        raise ReadError("no article text or title found in the page")
    guess = result.date and in_nearest_year(month_day, result.date)   # the day it shows, if any
    published, local = publication(own_date.value if own_date else guess, shown)
    yield Document(title=title, text=body, kind="article", source=site, url=canonical,
                   published=published, declared_lang=declared_lang, published_local=local)


def _load_tree(text: str) -> HtmlElement:
    """Parse decoded HTML with trafilatura's repairs; a bare fragment gets a page around it."""
    for markup in (text, f"<html><body>{text}</body></html>"):
        try:
            tree = trafilatura.load_html(markup)
        except Exception:  # lxml refuses some inputs outright: that is the "no markup" case
            tree = None
        if tree is not None:
            return tree
        if "<" not in text:
            break
    raise ReadError("not an HTML page: no HTML markup found")


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, valid UTF-8, the declared charset, else a careful guess."""
    if not data or not data.strip():
        raise ReadError("not an HTML page: empty input")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, "replace")
    if b"\x00" in data[:4096]:
        raise ReadError("not an HTML page: binary data")
    declared = _declared_charset(data)
    # Non-ASCII bytes that form valid UTF-8 are UTF-8 whatever the page claims.
    for candidate in ("utf-8", declared):
        text = _try_decode(data, candidate)
        if text is not None:
            break
    else:
        text = _decode_damaged(data, declared)
    if len(_CONTROL.findall(text[:4096])) > 0.05 * min(len(text), 4096):
        raise ReadError("not an HTML page: binary data")
    return text


def _declared_charset(data: bytes) -> str | None:
    """Return the Python codec for the page's meta/XML charset, None if absent or unknown."""
    match = _META_CHARSET.search(data[:CHARSET_WINDOW])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore")
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A meta tag readable as ASCII cannot truly be in UTF-16/32; browsers read UTF-8 then.
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return CHARSET_ALIASES.get(name.replace("_", "-"), name)


def _try_decode(data: bytes, encoding: str | None) -> str | None:
    """Decode strictly, or return None when the bytes do not fit the encoding."""
    if not encoding:
        return None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_damaged(data: bytes, declared: str | None) -> str:
    """Decode bytes that fit neither UTF-8 nor the declared charset."""
    lenient = data.decode("utf-8", "replace")
    broken = lenient.count("\ufffd")
    decoded = sum(1 for char in lenient if ord(char) > 127) - broken
    # A UTF-8 page with a few cut multi-byte characters (a truncated teaser) is still UTF-8;
    # legacy 8-bit text almost never forms a valid multi-byte sequence.
    if declared in (None, "utf-8") and broken * UTF8_DAMAGE_RATIO <= decoded:
        return lenient
    if declared and declared != "utf-8":
        return data.decode(declared, "replace")
    return data.decode(_guess_charset(data), "replace")


def _guess_charset(data: bytes) -> str:
    """Guess an undeclared non-UTF-8 charset, defaulting to windows-1252 for Latin text."""
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
    except Exception:  # the guess is a last resort: cp1252 below is the browsers' default
        best = None
    if best is None:
        return "cp1252"
    letters = [char for char in str(best) if ord(char) > 127 and char.isalpha()]
    latin = sum("LATIN" in unicodedata.name(char, "") for char in letters)
    # charset_normalizer cannot tell Latin code pages apart on short pages ('à' -> 'ŕ'),
    # so only a non-Latin script (Cyrillic, Greek, CJK...) overrides the browsers' default.
    return "cp1252" if 2 * latin >= len(letters) else best.encoding


def page_language(tree: HtmlElement) -> str | None:
    """Return the ISO 639-1 language from <html lang> or a language meta tag."""
    root = tree.getroottree().getroot()
    values = [root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"),
              root.get("xml:lang")]
    for meta in root.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("name") or meta.get("property") or "").lower()
        if key in LANG_META or key.endswith(".language"):
            values.append(meta.get("content"))
    for value in values:
        code = language_code(value)
        if code:
            return code
    return None


def page_links(tree: HtmlElement) -> list[str]:
    """Return the page's own URLs, best first: <link rel=canonical>, then og:url, twitter:url."""
    canonical = [link.get("href") for link in tree.iter("link")
                 if "canonical" in (link.get("rel") or "").lower().split()]
    # trafilatura prefers og:url, but sites put short or id-only links there ('/!453207266').
    shared = {(meta.get("property") or meta.get("name") or "").lower(): meta.get("content")
              for meta in tree.iter("meta")}
    return [url for url in canonical + [shared.get("og:url"), shared.get("twitter:url")] if url]


def _article_url(candidates: Sequence[str | None]) -> str | None:
    """Return the first absolute candidate that names an article rather than a home page."""
    for url in filter(None, map(web_url, candidates)):
        parts = urlsplit(url)
        # A canonical home page would give every article of the site one identity.
        if parts.path.strip("/") or parts.query:
            return url
    return None


def page_headlines(tree: HtmlElement) -> list[str]:
    """Return the text of the page's first <h1> elements, the headlines a reader sees."""
    markups = (lxml.html.tostring(h1, encoding="unicode", with_tail=False)
               for h1 in tree.iter("h1"))
    texts = (" ".join(html_to_text(markup).split()) for markup in markups)
    return [text for text in itertools.islice(texts, MAX_HEADLINES) if text]


def choose_title(extracted: str | None, headlines: list[str],
                 site_names: list[str | None]) -> str | None:
    """Prefer the visible headline if it agrees with the metadata title; else trim the site name."""
    extracted = " ".join((extracted or "").split()) or None
    sites = {_alnum(name) for name in site_names if name} - {""}
    for headline in headlines:
        if len(headline) < MIN_HEADLINE or _alnum(headline) in sites:
            continue  # too short to be a headline, or the site's logo in an <h1>
        words = set(_WORD.findall(headline.casefold()))
        shared = words & set(_WORD.findall((extracted or headline).casefold()))
        # <title> and og:title often add a kicker or the site name; an <h1> sharing most of
        # its words is the same headline without them (and one sharing none is a logo or menu).
        if words and len(shared) >= HEADLINE_OVERLAP * len(words):
            return headline
    return _strip_site_name(extracted, sites) if extracted else None


def _strip_site_name(title: str, sites: set[str]) -> str:
    """Remove a leading or trailing 'Site Name' segment ('Title | CNN Politics')."""
    parts = _TITLE_SEPARATOR.split(title)
    while len(parts) > 1 and _is_site(parts[-1], sites):
        parts.pop()
    while len(parts) > 1 and _is_site(parts[0], sites):
        parts.pop(0)
    if len(parts) == len(_TITLE_SEPARATOR.split(title)):
        return title  # nothing removed: keep the original separators
    # Rejoin the kept middle exactly as written.
    start = title.index(parts[0])
    return title[start:title.rindex(parts[-1]) + len(parts[-1])].strip()


def _is_site(segment: str, sites: set[str]) -> bool:
    """Tell whether a title segment names the site (case, spaces and punctuation ignored)."""
    key = _alnum(segment)
    return len(key) >= 3 and any(site in key or key in site for site in sites if len(site) >= 3)


def _alnum(value: str | None) -> str:
    """Reduce a name to lower-case letters and digits for loose comparison."""
    return "".join(char for char in (value or "").casefold() if char.isalnum())


def _paragraphs(text: str | None) -> str:
    """Turn trafilatura's one-paragraph-per-line text into blank-line separated paragraphs."""
    if not text:
        return ""
    return clean_paragraphs(re.sub(r"\n+", "\n\n", text))


def _source(sitename: str | None, url: str | None) -> str | None:
    """Return the site name, else the URL's host without a leading www."""
    name = " ".join((sitename or "").split())
    if name and not web_url(name):  # some pages give a profile URL as the site name
        return name
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.") or None


def publication(value: str | None, shown: datetime | None
                ) -> tuple[datetime | None, datetime | None]:
    """The instant (aware UTC) a page's date names and its time at the publisher's offset.

    The offset is the one the date was written with, unless the page shows its readers a
    time beside the headline that puts the same instant at another offset (metadata in
    UTC, the dateline on the publisher's clock): the readers' day is the document's day.
    """
    published = read_date(value)
    if published is None:
        return None, None
    seen = local_time(published, shown)
    if seen is None:
        return published, read_local_date(value)
    return published, seen if seen.utcoffset() else None
