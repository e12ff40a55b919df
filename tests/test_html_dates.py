"""The publication date of a saved page: its own metadata first, the dateline's clock
(corpus.page_dates), and the figure on the shared pages (benchmarks/html_dates.py)."""
from __future__ import annotations

import base64
import json
import re

import pytest

from corpus.dates import read_date
from corpus.document import Document, format_local, local_day
from corpus.html import read_html
from tests.helpers import HTML as PAGES

BODY = "<p>The council met after midnight to vote on the harbour budget again.</p>" * 5
# The day our reader gets right on the 190 shared pages with an expected day
# (benchmarks/html_dates.py; plain trafilatura: 166).
PAGES_RIGHT = 185


def read(head: str, body: str = "", url: str = "https://paper.example/news/a") -> Document:
    page = (f"<html><head><title>Harbour budget vote</title>{head}</head><body>"
            f"<article><h1>Harbour budget vote tonight</h1>{body}{BODY}</article></body></html>")
    [doc] = [d for d in read_html(page.encode(), url) if isinstance(d, Document)]
    return doc


def day(doc: Document) -> str | None:
    found = local_day(doc)
    return found.isoformat() if found else None


JSON_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
           '{"@type": "VideoObject", "uploadDate": "2020-03-09T10:00:00Z", '
           '"datePublished": "2020-03-09T10:00:00Z"},'
           '{"@type": "NewsArticle", "datePublished": "2020-03-02T10:00:00+01:00", '
           '"dateModified": "2020-03-05T10:00:00+01:00"}]}</script>')
MODIFIED = '<meta property="article:modified_time" content="2020-03-07T10:00:00Z">'


@pytest.mark.parametrize("head, body, expected", [
    # JSON-LD: the article object's datePublished, not a video's, never dateModified
    (JSON_LD + MODIFIED + '<meta name="date" content="2020-03-06">', "", "2020-03-02"),
    # Open Graph before microdata and a bare meta date
    ('<meta property="article:published_time" content="2020-03-03T08:00:00Z">'
     '<meta itemprop="datePublished" content="2020-03-01">' + MODIFIED, "", "2020-03-03"),
    # microdata: the first itemprop="datePublished" (the article's, before comments')
    ("", '<span itemprop="datePublished" content="2020-03-04T18:50:24+02:00"></span>'
         '<time itemprop="datePublished" datetime="2020-03-08T10:27:29+0200"></time>',
     "2020-03-04"),
    # a publication meta name before a bare "date"
    ('<meta name="date" content="2020-03-06"><meta name="DC.date.issued" content="2020-03-05">',
     "", "2020-03-05"),
    # no metadata: the dateline by the headline, not a related article's date further down
    ("", "<p>By A. Writer | 29.04.2020, 12:01 Uhr</p>", "2020-04-29"),
    # the dateline a reader sees beats a bare meta date (often the last change)
    ('<meta name="date" content="2020-04-30">', "<p>Stand: 28.04.2020 18:00 Uhr</p>",
     "2020-04-28"),
    # an update by the headline is not the publication: the URL's date is
    ("", "<p>Aktualisiert: 11.04.2020</p>", "2020-04-03"),
    ("", "<p>Article mis à jour le 7 avril 2020.</p>", "2020-04-03"),
])
def test_each_rule(head, body, expected):
    doc = read(head, body, url="https://paper.example/2020/04/03/harbour-vote")
    assert day(doc) == expected


def test_a_date_in_the_url_path_when_nothing_else_says():
    doc = read("", "", url="https://paper.example/politics/2019/12/09/harbour-vote/")
    assert (day(doc), doc.published.isoformat()) == ("2019-12-09", "2019-12-09T00:00:00+00:00")
    # /2020/43/ (an issue number) and /2020/02/245 (an id) are no date
    assert read("", "", url="https://paper.example/2020/43/harbour-vote").published is None
    assert read("", "", url="https://paper.example/2020/02/245-harbour").published is None


def test_the_dateline_s_clock_gives_the_publishers_offset():
    # Metadata in UTC, the page showing its readers the publisher's clock (UTC-4).
    doc = read('<meta property="article:published_time" content="2022-05-04T02:41:00Z">',
               "<p>Ariel Writer 3/5/2022 22:41</p>")
    assert (doc.published.isoformat(), format_local(doc.published_local), day(doc)) == (
        "2022-05-04T02:41:00+00:00", "2022-05-03T22:41:00-04:00", "2022-05-03")
    # A shown time that fits no offset (an update hours later) changes nothing.
    other = read('<meta property="article:published_time" content="2022-05-04T02:41:00Z">',
                 "<p>Ariel Writer 3/5/2022 22:29</p>")
    assert (other.published_local, day(other)) == (None, "2022-05-04")
    # 12-hour clocks: 2:00 a. m. on the 6th is the UTC instant: the UTC day.
    shown = read('<meta property="article:published_time" content="2022-05-05T21:00:00-05:00">',
                 "<p>6 May 2022 - 2:00 a. m.</p>")
    assert (shown.published_local, day(shown)) == (None, "2022-05-06")


PUBLISHED_UTC = '<meta property="article:published_time" content="2020-03-03T08:00:00Z">'


@pytest.mark.parametrize("shown, expected", [
    ("Monday, 6 March 2020", "2020-03-06"),       # the day the page put the article out
    ("Stand: 04.03.2020, 07:30 Uhr", "2020-03-04"),   # dotted with four digits: day-first
    ("05/03/2020", "2020-03-03"),       # 5 March or 3 May: the metadata's day stands
    ("Monday, 23 March 2020", "2020-03-03"),     # weeks off: another date on the page
    ("Sunday, 1 March 2020", "2020-03-03"),      # before it: the metadata's day stands
    # a date run into an update is the update's, whatever follows
    ("March 5, 2020 -- Updated 0203 GMT", "2020-03-03"),
])
def test_a_day_shown_a_few_days_after_the_metadata_s_is_the_day(shown, expected):
    assert day(read(PUBLISHED_UTC, f"<p>By A. Writer {shown}</p>")) == expected


def test_a_shown_day_that_is_the_metadata_s_instant_on_the_publisher_s_clock_keeps_it():
    doc = read('<meta property="article:published_time" content="2020-03-03T23:30:00Z">',
               "<p>4 March 2020, 00:30</p>")
    assert (doc.published.isoformat(), format_local(doc.published_local)) == (
        "2020-03-03T23:30:00+00:00", "2020-03-04T00:30:00+01:00")


def test_the_headline_is_the_heading_the_page_s_title_repeats():
    # The site's name in the first <h1> with today's date beside it; the article's headline
    # further down (an <h2> here) with its dateline.
    page = ("<html><head><title>Harbour budget passes at last | Coast Radio</title></head>"
            "<body><header><h1>Coast Radio Nachrichten</h1><p>Mittwoch, 26.02.2020</p></header>"
            "<article><p>Politik</p><h2>Harbour budget passes at last</h2>"
            f"<p>01.05.2017</p>{BODY}</article></body></html>")
    [doc] = [d for d in read_html(page.encode(), "https://paper.example/news/a")
             if isinstance(d, Document)]
    assert day(doc) == "2017-05-01"


def test_the_text_by_the_headline_is_read_as_a_browser_shows_it():
    # a date the page's style shows from data-date
    assert day(read("", '<div class="timeline" data-date="18. März 2020"></div>')) == "2020-03-18"
    # text the page's script decodes from data-obfuscated in place of the served text
    shown = base64.b64encode("16. Oktober 2019, 17:05 Uhr".encode()).decode()
    assert day(read("", f'<time data-obfuscated="{shown}">19. Oktober 2019</time>')) == "2019-10-16"
    assert day(read("", '<time data-obfuscated="no base64!">19. Oktober 2019</time>')) == "2019-10-19"
    # decoded text before the headline cannot move it (its stand-in in the text is a NUL)
    nul = base64.b64encode("a\x00b 12. Oktober 2019".encode()).decode()
    page = (f'<html><body><p data-obfuscated="{nul}">x</p><h1>Harbour budget vote tonight</h1>'
            f"<p>16. Oktober 2019</p>{BODY}</body></html>")
    [doc] = [d for d in read_html(page.encode(), "https://paper.example/a") if isinstance(d, Document)]
    assert day(doc) == "2019-10-16"


EDITED = '<meta property="article:published_time" content="2019-10-19T19:08:22+02:00">'


def test_metadata_naming_the_edit_the_page_shows_yields_to_the_earlier_dateline():
    doc = read(EDITED, "<p>Von A. Writer 16. Oktober 2019, 17:05 Uhr "
                       "Editiert am 19. Oktober 2019, 19:08 Uhr</p>")
    assert (doc.published.isoformat(), format_local(doc.published_local), day(doc)) == (
        "2019-10-16T15:05:00+00:00", "2019-10-16T17:05:00+02:00", "2019-10-16")
    # an edit at another time than the metadata's: the metadata names the publication
    other = read(EDITED, "<p>Von A. Writer 16. Oktober 2019, 17:05 Uhr "
                         "Editiert am 20. Oktober 2019, 08:00 Uhr</p>")
    assert day(other) == "2019-10-19"
    # the publication is the dateline after the headline, weeks before the edit at most
    for shown in ("<p>3. Mai 2015</p><p>Editiert am 19. Oktober 2019, 19:08 Uhr</p>",
                  "<p>Editiert am 19. Oktober 2019, 19:08 Uhr</p>"):
        assert day(read(EDITED, shown)) == "2019-10-19"
    page = (f"<html><head>{EDITED}</head><body><nav>Archiv: 3. Oktober 2019</nav>"
            "<h1>Harbour budget vote tonight</h1><p>Editiert am 19. Oktober 2019, 19:08 Uhr</p>"
            f"{BODY}</body></html>")
    [doc] = [d for d in read_html(page.encode(), "https://paper.example/a") if isinstance(d, Document)]
    assert day(doc) == "2019-10-19"


def test_an_element_marked_as_the_publication_date_shows_the_day():
    # far below the headline, in an element whose class names the publication date
    marked = BODY * 2 + '<div><span class="publishedAt">05 de marzo 2020, 12:00 A. M.</span></div>'
    assert day(read(PUBLISHED_UTC, marked)) == "2020-03-05"
    # WordPress's status-publish on a related post, a list of other stories, a date also
    # marked as an update
    for other in ('<article class="post status-publish"><p>March 5, 2020</p></article>',
                  '<aside class="recently-published"><p>March 5, 2020</p></aside>',
                  '<span class="published updated">March 5, 2020</span>'):
        assert day(read(PUBLISHED_UTC, BODY * 2 + other)) == "2020-03-03"


def test_a_metadata_time_without_an_offset_yields_to_the_same_one_with_it():
    naive = ('<script type="application/ld+json">{"@type": "NewsArticle", '
             '"datePublished": "%s"}</script>')
    aware = '<meta property="article:published_time" content="2022-05-05T22:17:36-05:00">'
    doc = read(naive % "2022-05-05 22:17:36" + aware)
    assert (doc.published.isoformat(), format_local(doc.published_local)) == (
        "2022-05-06T03:17:36+00:00", "2022-05-05T22:17:36-05:00")
    # days apart, they are not the same publication: the article's JSON-LD stands
    assert read(naive % "2022-05-01 10:00:00" + aware).published.isoformat() == \
        "2022-05-01T10:00:00+00:00"
    # nor is a <time> in the body, which may be another story's teaser
    teaser = '<aside><time class="published" datetime="2022-05-04T09:00:00+02:00"></time></aside>'
    assert read(naive % "2022-05-05 01:00:00", teaser).published.isoformat() == \
        "2022-05-05T01:00:00+00:00"


@pytest.mark.parametrize("shown, url, expected", [
    ("[06月24日 11時30分]", "https://paper.example/2019/06/19/harbour", "2019-06-24"),
    # the year that puts it nearest: across the new year
    ("By A. Writer, Dec. 30, 11:30 pm", "https://paper.example/2020/01/02/harbour", "2019-12-30"),
    ("24. Juni, 11:30 Uhr", "https://paper.example/2019/06/19/harbour", "2019-06-24"),
    # an update without its year is not the day; nor a date far below the headline
    ("Updated June 24", "https://paper.example/2019/06/19/harbour", "2019-06-19"),
    (BODY + "<p>June 24</p>", "https://paper.example/2019/06/19/harbour", "2019-06-19"),
    # more than a few days from the other date: an event the text speaks of
    ("Voters go to the polls on November 3", "https://paper.example/2020/10/01/vote", "2020-10-01"),
    # relative times are no day; days that do not exist are none either
    ("3 min read", "https://paper.example/2019/12/30/harbour", "2019-12-30"),
    ("[02月30日 11時30分]", "https://paper.example/2019/02/27/harbour", "2019-02-27"),
    ("Feb. 29", "https://paper.example/1900/02/28/harbour", "1900-02-28"),
])
def test_a_dateline_without_its_year_takes_the_nearest_year(shown, url, expected):
    assert day(read("", f"<p>{shown}</p>", url=url)) == expected


def test_a_dateline_without_its_year_and_trafilatura_s_guess():
    # nothing but a link to the full story knows the year (trafilatura finds it there)
    link = '<p><a href="https://paper.example/news/html/20190619/k1001.html">full story</a></p>'
    assert day(read("", "<p>[06月24日 11時30分]</p>" + link)) == "2019-06-24"


def test_a_cjk_dateline():
    # read here, not by htmldate (trafilatura's own guess for this page is 2016-01-01)
    assert day(read("", "<p>TNW 2016年10月14日07:17</p>")) == "2016-10-14"


def test_an_ambiguous_numeric_date_is_no_date():
    assert read_date("10/05/2022 05:22 pm") is None       # 10 May or 5 October
    assert read_date("10/10/2022").isoformat() == "2022-10-10T00:00:00+00:00"
    assert read_date("25/05/2022").isoformat() == "2022-05-25T00:00:00+00:00"
    doc = read('<meta property="article:published_time" content="10/05/2022 05:22 pm">',
               "<p>AFP 10/05/2022 05:22 pm</p>")
    assert day(doc) == "2022-05-10"          # the dateline, read day-first as the site writes


@pytest.mark.skipif(not (PAGES / "expected.json").is_file(),
                    reason=f"real test pages not found in {PAGES}")
def test_the_publishers_day_on_the_shared_pages():
    expected = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
    days = {path: want["date"][:10] for path, want in expected.items()
            if re.match(r"\d{4}-\d\d-\d\d", str(want.get("date") or ""))}
    right = 0
    for path, want in days.items():
        [doc] = [d for d in read_html((PAGES / path).read_bytes(), path)
                 if isinstance(d, Document)]
        right += day(doc) == want
    assert (len(days), right) == (190, PAGES_RIGHT)
