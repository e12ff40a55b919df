"""The publication date a saved article page gives, read as a careful reader would.

A page often carries several dates: when it was published, when it was modified, the
dates of related articles, today's date in the site's header. The page's own publication
metadata says which one is the article's; it is read first, in the order of how
specifically it names the article's publication (PAGE_RULES), and a modified date never
counts as a publication date. A time written without an offset yields to one of the same
publication written with it. Only a page without such metadata falls back to the date
printed beside its headline, then to a date in its URL path, then to trafilatura's guess;
a dateline by the headline without its year ('[06月24日 11時30分]') takes its year from those.
Every rule returns the date as written (corpus.dates reads it strictly) and its name.

The day a page shows its readers is the publisher's day. The text by the headline is
read as a browser shows it (a date carried in data-date, text a script decodes). When
the metadata's time is the one the page shows as an edit, the earlier dateline is the
publication. When the page shows a day a few days after the metadata's (by the headline,
else in an element marked as the publication date) and no UTC offset reconciles the two,
the page was put before its readers that later day (a draft's creation date left in the
metadata, an article republished), and the shown day is the document's.
"""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

from htmldate.extractors import try_date_expr  # trafilatura's date library: text dates
from lxml import etree
from lxml.html import HtmlElement

from corpus.dates import MAX_OFFSET, read_written_date

# schema.org types whose datePublished is the article's (a page's VideoObject, ImageObject
# or the WebSite itself carries dates of other things).
ARTICLE_TYPES = re.compile(r"(article|posting|report|newsarticle|creativework|blogposting)$",
                           re.IGNORECASE)
WEBPAGE_TYPES = {"webpage", "itempage"}
# Open Graph and its variants name the article's publication time.
OG_PUBLISHED = ("article:published_time", "og:article:published_time", "og:published_time",
                "article:published", "og:pubdate")
# Meta names that say publication, most specific first.
META_PUBLISHED = ("pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
                  "parsely-pub-date", "cxenseparse:recs:publishtime", "dc.date.issued",
                  "dcterms.issued", "dc.date.created", "dcterms.created")
# Meta names that only say "a date": sites put the last change there (often the same value
# as "last-modified"), so the dateline a reader sees by the headline comes before them.
META_DATE = ("date", "dc.date", "dcterms.date")
# A visible date introduced by one of these words is a change, not the publication.
MODIFIED_CUE = re.compile(
    r"(updated?|modified|edited|revised|aktualisiert|editiert|ge(ä|ae)ndert|mis à jour|"
    r"modifi[ée]|actualiza|atualizad|aggiornat|päivitetty|bijgewerkt)"
    r"(?:\s+(?:le|am|on|el|em|il))?\W*$", re.IGNORECASE)        # 'mis à jour le 7 janvier'
# A date run straight into an update ('November 28, 2013 -- Updated 0203 GMT') is the
# update's day; a label after a separator ('… 11:30 p.m. | UPDATED: …') starts another date.
UPDATE_AFTER = re.compile(r"[\s,\-–]*(updated?|aktualisiert|mis à jour|actualizado)\b",
                          re.IGNORECASE)
MIN_HEADLINE = 15          # characters; shorter <h1>s are logos, sections or kickers
TITLE_SHARE = 0.8          # share of a heading's words the page's title must contain
# How far (characters of visible text) before and after the headline a dateline is looked
# for: a kicker, the byline and the dateline sit there; related articles come much later.
BEFORE_HEADLINE = 200
AFTER_HEADLINE = 400
YEARLESS_AFTER = 100       # a dateline without its year: only right after the headline
MARKED_TEXT = 80           # characters of an element marked as the date where it is read
# How many days after the metadata's day a date shown by the headline may fall and still be
# this article's day; further off it is something else (today's date in the header).
SHOWN_LATER_DAYS = 7
YEARLESS_NEAR_DAYS = 7     # a day shown without its year lies this near the page's other date
EDITED_WITHIN_DAYS = 30    # how long before an edit the metadata names a publication may be
OFFSET_AGREES = timedelta(hours=36)   # metadata times this close name the same publication
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[-/_.]|$)")
_NOT_TEXT = ("script", "style", "noscript", "template", "svg")


class PageDate(NamedTuple):
    """A date as the page writes it, and the rule that found it."""

    value: str
    rule: str


class Dateline(NamedTuple):
    """A date printed by the headline: its ISO day, the time of day written after it,
    whether it reads one way only (3/5/2022 is 3 May or 5 March; 29.04.2020 is not), and
    whether the page marks it as an update ('Aktualisiert: 11.04.2020')."""

    day: str
    clock: tuple[int, int] | None
    sure: bool
    update: bool = False


class Page:
    """A parsed page with its own addresses (canonical link, og:url, where it was saved
    from); the text around its headline is read once, when a rule first asks for it."""

    def __init__(self, tree: HtmlElement, urls: Sequence[str] = ()) -> None:
        self.tree = tree
        self.urls = urls

    @cached_property
    def around_headline(self) -> tuple[str, str]:
        """The visible text just before the headline and just after it."""
        return _around_headline(self.tree)

    @cached_property
    def lines_after(self) -> tuple[Dateline, ...]:
        """The dates written after the headline, in order, updates included."""
        return tuple(_text_dates(self.around_headline[1]))

    @cached_property
    def lines_before(self) -> tuple[Dateline, ...]:
        """The dates written before the headline, nearest first, updates included."""
        return tuple(_text_dates(self.around_headline[0], nearest_last=True))


def page_date(page: Page) -> PageDate | None:
    """The page's publication date by the first rule that finds a readable one."""
    for name, rule in PAGE_RULES:
        for value in rule(page):
            written = read_written_date(value)
            if written is None:
                continue
            if rule is url_date:      # the address knows the year; the page may show the day
                return PageDate(in_nearest_year(yearless_dateline(page), value), name)
            if rule not in METADATA_RULES:
                return PageDate(value, name)
            if written.tzinfo is None:      # an instant the metadata names elsewhere is exact
                value, written, name = _with_offset(page, written) or (value, written, name)
            return shown_day(page, written) or PageDate(value, name)
    return None


def _with_offset(page: Page, naive: datetime) -> tuple[str, datetime, str] | None:
    """The first publication time of the page's own metadata (its head and JSON-LD, not
    elements of its body, which may be teasers of other stories) written with an offset,
    within OFFSET_AGREES of a time written without one: the same publication, and only
    the one with the offset says both its instant and the publisher's day."""
    for name, rule in METADATA:
        if rule not in PAGE_LEVEL_RULES:
            continue
        for value in rule(page):
            written = read_written_date(value)
            if written is not None and written.tzinfo is not None \
                    and abs(written.replace(tzinfo=None) - naive) <= OFFSET_AGREES:
                return value, written, name
    return None


def shown_day(page: Page, written: datetime) -> PageDate | None:
    """The day the page shows its readers, where the metadata's publication time is not it.

    - The metadata's time is the one the page shows as an edit ('Editiert am 19. Oktober
      2019, 19:08 Uhr'): it names the edit, and the dateline after the headline, up to
      EDITED_WITHIN_DAYS earlier, is the publication.
    - The page shows a day 1 to SHOWN_LATER_DAYS days after the metadata's (by the
      headline, else in an element marked as the publication date), reading one way only:
      the page was put before its readers that later day (a draft's creation date left in
      the metadata, an article republished). Not when the shown time is the metadata's
      instant on the publisher's clock: then local_time gives the day. Further off, or
      earlier, a shown date is something else on the page (today's date in the header).
    """
    every = list(datelines(page, updates=True))
    if _names_the_edit(written, every):
        first = next((line for line in page.lines_after if not line.update), None)
        if first is None or not first.sure \
                or not -EDITED_WITHIN_DAYS <= _days(written, first.day) < 0:
            return None
        return PageDate(_on_clock_of(first, written), "published before the edit it names")
    lines = [line for line in every if not line.update]
    if written.tzinfo is not None and local_time(written, _first_clock(lines)) is not None:
        return None
    first = lines[0] if lines else marked_dateline(page)
    if first is None or not first.sure or not 1 <= _days(written, first.day) <= SHOWN_LATER_DAYS:
        return None
    return PageDate(first.day, "day shown after the metadata's")


def _names_the_edit(written: datetime, lines: Iterable[Dateline]) -> bool:
    """Whether a time is, to the minute on its own clock, one the page shows as an edit."""
    return any(line.update and line.clock == (written.hour, written.minute)
               and line.day == written.date().isoformat() for line in lines)


def _on_clock_of(line: Dateline, written: datetime) -> str:
    """A dateline as ISO text, its time of day on the clock (offset) of a written time."""
    if line.clock is None:
        return line.day
    shown = datetime.fromisoformat(line.day).replace(hour=line.clock[0], minute=line.clock[1])
    return shown.replace(tzinfo=written.tzinfo).isoformat()


def _days(written: datetime, day: str) -> int:
    return (datetime.fromisoformat(day).date() - written.date()).days


# --- the page's own publication metadata ---------------------------------------------------

def json_ld_published(page: Page) -> Iterator[str]:
    """datePublished of the page's article objects in JSON-LD (then of its WebPage)."""
    objects = [obj for script in page.tree.iter("script")
               if (script.get("type") or "").strip().lower() == "application/ld+json"
               for obj in _json_objects(_load_json(script.text or ""))]
    for wanted in (_is_article, _is_webpage):
        for obj in objects:
            if wanted(obj) and isinstance(obj.get("datePublished"), str):
                yield obj["datePublished"]


def og_published(page: Page) -> Iterator[str]:
    """Open Graph's article:published_time and its variants."""
    metas = _meta_values(page.tree)
    for key in OG_PUBLISHED:
        yield from metas.get(key, [])


def itemprop_published(page: Page) -> Iterator[str]:
    """The first itemprop="datePublished" in the page (microdata): the article's own."""
    for element in page.tree.iterfind(".//*[@itemprop]"):
        if "datepublished" in (element.get("itemprop") or "").lower().split():
            value = element.get("content") or element.get("datetime") or element.text_content()
            if value and value.strip():
                yield value.strip()


def meta_published(page: Page) -> Iterator[str]:
    """<meta name="pubdate" / "dc.date.issued" / ...>, most specific first."""
    metas = _meta_values(page.tree)
    for key in META_PUBLISHED:
        yield from metas.get(key, [])


def meta_date(page: Page) -> Iterator[str]:
    """<meta name="date"> and its Dublin Core forms: a date, not said to be publication."""
    metas = _meta_values(page.tree)
    for key in META_DATE:
        yield from metas.get(key, [])


def time_pubdate(page: Page) -> Iterator[str]:
    """A <time pubdate> or <time class="...published..."> element's datetime."""
    for element in page.tree.iter("time"):
        marked = element.get("pubdate") is not None or "publish" in (element.get("class") or "")
        if marked and element.get("datetime"):
            yield element.get("datetime") or ""


# --- what a reader sees, and the address -------------------------------------------------

def headline_dateline(page: Page) -> Iterator[str]:
    """A date printed just before or after the page's first headline (<h1>), as ISO.

    Text dates come in every language and order ('29.04.2020, 12:01 Uhr', '30 septembre
    2018', '3/5/2022 22:41'); htmldate reads them day-first as those sites write them.
    A date introduced as an update ('Aktualisiert: 11.04.2020') is not the publication.
    """
    for dateline in datelines(page):
        yield dateline.day


def shown_time(page: Page) -> datetime | None:
    """The first dateline by the headline that gives a time of day, as the naive local
    time the page shows its readers ('3/5/2022 22:41' -> 2022-05-03 22:41)."""
    return _first_clock(datelines(page))


def _first_clock(lines: Iterable[Dateline]) -> datetime | None:
    for dateline in lines:
        if dateline.clock is not None:
            hour, minute = dateline.clock
            return datetime.fromisoformat(dateline.day).replace(hour=hour, minute=minute)
    return None


def local_time(instant: datetime, shown: datetime | None) -> datetime | None:
    """The instant at the UTC offset that makes it the time the page shows, else None.

    Metadata often gives UTC ('2022-05-04T02:41:00Z') while the page shows its readers
    the publisher's clock ('3/5/2022 22:41'): their difference is the publisher's offset,
    if it is one that exists (a whole quarter hour, at most 14 hours). A shown time that
    fits no offset is another moment (an update), and says nothing about this one.
    """
    if shown is None or instant.tzinfo is None:
        return None
    utc = instant.astimezone(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
    offset = shown - utc
    quarters = round(offset / QUARTER_HOUR)
    if abs(offset - quarters * QUARTER_HOUR) > timedelta(minutes=1) \
            or abs(quarters * QUARTER_HOUR) > MAX_OFFSET:
        return None
    return instant.astimezone(timezone(quarters * QUARTER_HOUR))


def datelines(page: Page, updates: bool = False) -> Iterator[Dateline]:
    """Dates by the headline: after it, then before it, nearest first; those marked as
    updates only when asked for."""
    for line in (*page.lines_after, *page.lines_before):
        if updates or not line.update:
            yield line


def yearless_dateline(page: Page) -> tuple[int, int] | None:
    """Month and day of a dateline right after the headline written without its year
    ('[06月24日 11時30分]', 'June 24'), not an update; None when there is none."""
    text = page.around_headline[1][:YEARLESS_AFTER]
    for match in _YEARLESS.finditer(text):
        if _is_update(text, match):
            continue
        if match["cjk_month"]:
            return int(match["cjk_month"]), int(match["cjk_day"])
        import dateparser  # month names of every language; only pages that need it pay its load
        read = dateparser.parse(match.group(0), settings={
            "PARSERS": ["absolute-time"],       # not '3 min read', '2 hours ago'
            "REQUIRE_PARTS": ["day", "month"], "RELATIVE_BASE": datetime(2000, 1, 1)})
        if read is not None:
            return read.month, read.day
    return None


def in_nearest_year(month_day: tuple[int, int] | None, nearby: str) -> str:
    """A day shown without its year, in the year that puts it within YEARLESS_NEAR_DAYS of
    another date of the page (nearby: the URL's or trafilatura's guess, which the page does
    not show); else nearby. Sites that print no year by the headline print the day their
    readers go by; the other date knows the year (a link to the full story, a file name)."""
    base = read_written_date(nearby)
    if base is None or month_day is None:
        return nearby
    base_day = base.date()
    for shift in (0, -1, 1):
        try:
            shown = base_day.replace(year=base_day.year + shift, month=month_day[0], day=month_day[1])
        except ValueError:            # 02月30日; 29 February of a year without one
            continue
        if abs((shown - base_day).days) <= YEARLESS_NEAR_DAYS \
                and shown <= _latest().date():
            return shown.isoformat()
    return nearby


def marked_dateline(page: Page) -> Dateline | None:
    """The date shown in the first element whose class names it the publication date
    ('publishedAt', 'date-published') and that shows one: where a page without a dateline
    by its headline shows its readers the day. An element also marked as an update, or a
    list of other stories ('recently-published'), is not one."""
    for element in page.tree.iter():
        if not isinstance(element.tag, str) or element.tag in _NOT_TEXT:
            continue
        classes = (element.get("class") or "").lower().split()
        if any(_PUBLISHED_CLASS.fullmatch(name) for name in classes) \
                and not any(_UPDATE_CLASS.search(name) for name in classes):
            text = " ".join(element.text_content().split())[:MARKED_TEXT]
            shown = [line for line in _text_dates(text) if not line.update]
            if shown:
                return shown[0]
    return None


def url_date(page: Page) -> Iterator[str]:
    """A /YYYY/MM/DD/ date in the page's own URL path (many sites file articles so)."""
    for link in page.urls:
        match = _URL_DATE.search(link or "")
        if match:
            year, month, day = (int(part) for part in match.groups())
            yield f"{year:04d}-{month:02d}-{day:02d}"
            return


Rule = Callable[[Page], Iterator[str]]
# The page's own publication metadata, most specific first; then what a reader sees.
METADATA: tuple[tuple[str, Rule], ...] = (
    ("json-ld datePublished", json_ld_published),
    ("article:published_time", og_published),
    ("itemprop datePublished", itemprop_published),
    ("meta publication date", meta_published),
    ("time pubdate", time_pubdate),
)
METADATA_RULES = {rule for _name, rule in METADATA}
# Metadata of the page as a whole; microdata and <time> elements may be other stories'.
PAGE_LEVEL_RULES = {json_ld_published, og_published, meta_published}
PAGE_RULES: tuple[tuple[str, Rule], ...] = METADATA + (
    ("dateline by the headline", headline_dateline),
    ("meta date", meta_date),
    ("date in the URL", url_date),
)


# --- helpers -------------------------------------------------------------------------------

def _load_json(text: str):
    """Parse a JSON-LD block; sites leave raw newlines and trailing commas: None if broken."""
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def _json_objects(data) -> Iterator[dict]:
    """Every object of a JSON-LD value, in document order (@graph and lists walked)."""
    if isinstance(data, list):
        for item in data:
            yield from _json_objects(item)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if isinstance(data.get(key), (list, dict)):
                yield from _json_objects(data[key])


def _types(obj: dict) -> list[str]:
    """An object's @type as a list of names."""
    kind = obj.get("@type")
    names = kind if isinstance(kind, list) else [kind]
    return [name for name in names if isinstance(name, str)]


def _is_article(obj: dict) -> bool:
    return any(ARTICLE_TYPES.search(name) for name in _types(obj))


def _is_webpage(obj: dict) -> bool:
    return any(name.lower() in WEBPAGE_TYPES for name in _types(obj))


def _meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """Each meta key (name, property or itemprop-less http-equiv, lower case) -> contents."""
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("http-equiv") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key.strip(), []).append(content)
    return values


def headline_element(tree: HtmlElement) -> HtmlElement | None:
    """The page's headline: the first <h1>, else <h2>, whose words the page's title
    (og:title, twitter:title, <title>) repeats; else its first <h1> long enough not to be
    the site's logo. Sites put their name, sections or 'related' lists in other headings."""
    headings = [heading for heading in tree.iter("h1", "h2")
                if len(" ".join(heading.text_content().split())) >= MIN_HEADLINE]
    titled = set(_WORD.findall(" ".join(_page_titles(tree)).casefold()))
    for tag in ("h1", "h2"):
        for heading in headings:
            words = set(_WORD.findall(heading.text_content().casefold()))
            if heading.tag == tag and words and len(words & titled) >= TITLE_SHARE * len(words):
                return heading
    return next((heading for heading in headings if heading.tag == "h1"), None)


def _page_titles(tree: HtmlElement) -> list[str]:
    meta = _meta_values(tree)
    return [*meta.get("og:title", []), *meta.get("twitter:title", []),
            *(title.text_content() for title in tree.iter("title"))]


def _around_headline(tree: HtmlElement) -> tuple[str, str]:
    """The visible text just before the page's headline and just after it."""
    headline = headline_element(tree)
    if headline is None:
        return "", ""
    pieces: list[str] = []    # joined with spaces: inline elements often touch ("Judicial6 May")
    hidden = 0        # depth inside a script, style, comment or the headline itself
    for event, element in etree.iterwalk(tree.getroottree().getroot(), events=("start", "end")):
        if event == "start":
            if hidden or element is headline or not isinstance(element.tag, str) \
                    or element.tag in _NOT_TEXT:
                pieces += [_HEADLINE] if element is headline else []
                hidden += 1
            else:
                pieces += _shown_text(element)
            continue
        if hidden:
            hidden -= 1
            if hidden:
                continue
        pieces.append(element.tail or "")     # the tail of a hidden element is visible
    before, _, after = " ".join(" ".join(pieces).split()).partition(_HEADLINE)
    return before[-BEFORE_HEADLINE:], after[:AFTER_HEADLINE]


_HEADLINE = "\x00"    # stands for the headline in the page's text


def _shown_text(element: HtmlElement) -> list[str]:
    """The text a browser shows at an element's start: a date it carries in data-date
    (put there by the page's style or script), and its text, or the text its script
    decodes from data-obfuscated in place of the text a crawler is served."""
    hidden = _decoded(element.get("data-obfuscated"))
    return [element.get("data-date") or "", hidden if hidden is not None else element.text or ""]


def _decoded(value: str | None) -> str | None:
    """Base64 text as the page's script decodes it, without the character that stands for
    the headline in the page's text; None when there is none to decode."""
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").replace(_HEADLINE, " ")
    except (ValueError, UnicodeDecodeError):
        return None



def _text_dates(text: str, nearest_last: bool = False) -> Iterator[Dateline]:
    """Dates written in a text with the time of day after them, and whether each is an
    update."""
    spans = list(_DATE_SHAPE.finditer(text))
    for match in reversed(spans) if nearest_last else spans:
        found = _read_text_date(match.group(0))
        if found:
            yield Dateline(found, _clock(text[match.end():match.end() + 40]),
                           _reads_one_way(match.group(0)), _is_update(text, match))


def _is_update(text: str, match: re.Match) -> bool:
    """Whether the date a match spans is an update: introduced as one ('Aktualisiert:
    11.04.2020'), or run into one after its time of day ('28, 2013 -- Updated 0203 GMT')."""
    after = text[match.end():match.end() + 40]
    clock = _TIME.match(after)
    return bool(MODIFIED_CUE.search(text[max(0, match.start() - 30):match.start()])
                or UPDATE_AFTER.match(after[clock.end():] if clock else after))


def _read_text_date(written: str) -> str | None:
    """A date as written in a text, as an ISO day; htmldate reads every shape but the CJK
    one ('2016年10月14日'), which is read here."""
    cjk = _CJK_DATE.fullmatch(written)
    if cjk:
        try:
            year, month, day = (int(part) for part in cjk.groups())
            found = datetime(year, month, day)
        except ValueError:
            return None
        return found.date().isoformat() if _EARLIEST <= found <= _latest() else None
    try:
        return try_date_expr(written, "%Y-%m-%d", True, _EARLIEST, _latest())
    except Exception:  # an internal of htmldate: any failure is "no date here"
        return None


def _reads_one_way(written: str) -> bool:
    """False for a numeric date whose day and month could swap (3/5/2022, 11.03.17); a
    dotted one with a four-digit year is day-first wherever it is written so."""
    numeric = _NUMERIC_DATE.fullmatch(written)
    if not numeric:
        return True
    first, mark, second, year = numeric.groups()
    return int(first) > 12 or int(second) > 12 or int(first) == int(second) \
        or (mark == "." and len(year) == 4)


def _clock(text: str) -> tuple[int, int] | None:
    """The time of day at the start of a text ('- 2:00 a. m.', ', 12:01 Uhr'), else None."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"])
    meridiem = (match["meridiem"] or "").lower()
    if meridiem and not 1 <= hour <= 12:
        return None
    if meridiem.startswith("p") and hour != 12:
        hour += 12
    elif meridiem.startswith("a") and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else None


_TIME = re.compile(r"[\s,\-–|/·•]*(?:um\s+|à\s+|a\s+las\s+|at\s+)?(?P<hour>\d{1,2})[:h.](?P<minute>\d\d)"
                   r"(?!\d)\s*(?P<meridiem>[ap]\.?\s?m\.?)?", re.IGNORECASE)
_MONTH_WORD = r"[^\W\d_]{3,}(?![^\W\d_])\.?"          # a whole word: 'Juni', 'Jan.'
_CJK_DAY = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_DATE_SHAPE = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"                               # 2023-11-07
    r"|\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b"                      # 29.04.2020, 3/5/2022
    rf"|\b\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH_WORD}\s+(?:de\s+|del\s+)?\d{{4}}\b"  # 18. März 2020
    rf"|\b{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"      # March 14, 2021
    rf"|{_CJK_DAY}")
_CJK_DATE = re.compile(_CJK_DAY)
# A date without its year; a full date (a year after it) is not one.
_YEARLESS = re.compile(
    r"(?<![\d年])(?P<cjk_month>\d{1,2})月(?P<cjk_day>\d{1,2})日"
    rf"|\b\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH_WORD}(?!\s*,?\s*(?:de\s+|del\s+)?\d{{4}}\b)"
    rf"|\b{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*,?\s*\d{{4}}\b)")
# Class names that mark an element as the publication date, alone or as a block's element
# ('content-header__publish-date'); not 'status-publish' (WordPress marks every post so),
# 'recently-published' or 'unpublished'.
_PUBLISHED_CLASS = re.compile(
    r"(?:[\w-]*__)?(?:date[-_]?)?(?:published(?:[-_]?(?:at|on|date|time))?|publish[-_]?(?:date|info|time))")
_UPDATE_CLASS = re.compile(r"updat|modif")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([./])(\d{1,2})[./](\d{2,4})")
_WORD = re.compile(r"\w+")
_EARLIEST = datetime(1990, 1, 1)
QUARTER_HOUR = timedelta(minutes=15)


def _latest() -> datetime:
    """Tomorrow: no page is published later than that."""
    return (datetime.now(timezone.utc) + timedelta(days=1)).replace(tzinfo=None)
