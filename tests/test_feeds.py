"""read_feed on the real feeds in ../shared/feeds and on small inline feeds."""
from __future__ import annotations

import json
import random
import re
from datetime import datetime, timezone

import pytest

from corpus.document import Document
from corpus.feeds import language_code, read_feed
from corpus.problems import ItemWarning, Problem, ReadError
from tests.helpers import FEEDS

needs_feeds = pytest.mark.skipif(not (FEEDS / "manifest.json").is_file(),
                                 reason=f"real test feeds not found in {FEEDS}")
MANIFEST = json.loads((FEEDS / "manifest.json").read_text()) if FEEDS.is_dir() else []
# One file per encoding case, with text that only comes out right when decoded correctly.
ENCODING_CASES = {
    "miniflux/encoding_ISO-8859-1.xml": "Porträt",
    "miniflux/no_encoding_ISO-8859-1.xml": "La criminalité liée surtout à",
    "miniflux/encoding_WINDOWS-1251.xml": "Цитата",
    "feed-rs/rss_1.0_iso8859.xml": "Glasfaserförderung",
    "feed-rs/rss_2.0_encoding_1.xml": "Revolução nas telas com pontos quânticos",
    "feed-rs/rss_0.91_encoding_2.xml": "Comitê completa 150 dias de atuação",
    "feed-rs/rss_0.91_missing_id.xml": "PROFESOR/A TÉCNICO/A",
    "rss-parser/uolNoticias.rss": "simulações de 2º turno",
    "rss-parser/encoding.rss": "Mãe de utente é a nova presidente",
    "rss-parser/encoding-gb2312.xml": "世纪华通发20亿回购预案",
}
MOJIBAKE = re.compile("Ã|Â|â€|\ufffd")


def read(data: bytes) -> tuple[list[Document], list[Problem]]:
    """Run read_feed to the end and split its output into documents and problems."""
    out = list(read_feed(data))
    assert all(isinstance(item, (Document, Problem)) for item in out)
    return ([item for item in out if isinstance(item, Document)],
            [item for item in out if isinstance(item, Problem)])


def read_file(name: str) -> tuple[list[Document], list[Problem]]:
    """Read one feed of the shared test data."""
    return read((FEEDS / name).read_bytes())


UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def rss(items: str, channel: str = "", declaration: str = UTF8_DECLARATION) -> bytes:
    """Build a small RSS 2.0 feed around the given <item> elements."""
    return (f'{declaration}<rss version="2.0"><channel><title>Test Feed</title>{channel}'
            f'{items}</channel></rss>').encode("utf-8")


@needs_feeds
@pytest.mark.parametrize("entry", MANIFEST, ids=[m["file"] for m in MANIFEST])
def test_every_manifest_feed_reads_without_crash_or_silent_loss(entry):
    raw = (FEEDS / entry["file"]).read_bytes()
    items = len(re.findall(rb"<(?:item|entry)[\s>]", raw))
    try:
        docs, problems = read(raw)
    except ReadError as exc:
        assert entry["kind"] == "broken", f"{entry['file']} failed: {exc}"
        assert str(exc) and "\n" not in str(exc)
        return
    # Every item in the file comes out as a document: nothing is dropped silently.
    assert len(docs) == items
    if entry["kind"] == "broken":
        assert len(problems) == 1 and "\n" not in problems[0].message
    else:
        assert problems == [], problems
    for doc in docs:
        assert doc.kind == "article"
        assert doc.url is None or re.match(r"https?://[^/\s]+", doc.url), doc.url
        assert doc.published is None or doc.published.tzinfo == timezone.utc
        assert doc.declared_lang is None or re.fullmatch("[a-z]{2}", doc.declared_lang)
        assert doc.title is None or doc.title == " ".join(doc.title.split())
        assert "\n\n\n" not in doc.text and not re.search(r"<(p|br|div|a|img)\b", doc.text)


@needs_feeds
def test_broken_feeds_give_a_clear_error_or_the_readable_items():
    with pytest.raises(ReadError, match=r"^not well-formed XML at line 19: .*no entries"):
        read_file("feed-rs/rss_2.0_invalid_1.xml")
    docs, problems = read_file("rss-parser/XML File( Daily SCI-Tech News)")
    assert len(docs) == 30
    assert [p.message for p in problems] == [
        "not well-formed XML at line 51: not well-formed (invalid token)"]
    # Titles there are wrapped in newlines in the file.
    assert docs[0].title == "SuperBIT: A low-cost, balloon-borne telescope to rival Hubble"


@needs_feeds
def test_newline_before_xml_declaration_is_not_an_error():
    docs, problems = read_file("rss-parser/itunes-keywords-array.rss")
    assert problems == [] and len(docs) == 1


@needs_feeds
@pytest.mark.parametrize("name, expected", ENCODING_CASES.items(), ids=list(ENCODING_CASES))
def test_encoding_cases_decode_without_mojibake(name, expected):
    docs, _ = read_file(name)
    titles = [doc.title or "" for doc in docs]
    assert any(expected in title for title in titles), titles[:5]
    assert not any(MOJIBAKE.search(t) for t in titles + [docs[0].source or ""]), titles
    assert not any(MOJIBAKE.search(doc.text) for doc in docs)


@needs_feeds
def test_no_feed_title_has_mojibake():
    for entry in MANIFEST:
        if entry["kind"] == "broken":
            continue
        docs, _ = read_file(entry["file"])
        for doc in docs:
            shown = (doc.title or "") + (doc.source or "")
            assert not MOJIBAKE.search(shown), (entry["file"], doc.title)


@needs_feeds
def test_feed_fields_from_real_feeds():
    docs, _ = read_file("rss-parser/heise.atom")
    first = docs[0]
    assert first.source == "heise developer neueste Meldungen"
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.external_id == "http://heise.de/-3088438"
    assert first.published == datetime(2016, 2, 1, 16, 22, tzinfo=timezone.utc)
    # The Atom content is only a link; the summary holds the text.
    assert first.text.startswith("Die nun verfügbare Version 10")

    docs, _ = read_file("rss-parser/encoding-gb2312.xml")
    assert (docs[0].source, docs[0].declared_lang) == ("互联网", "zh")

    docs, _ = read_file("feed-rs/rss_0.91_missing_id.xml")
    assert (docs[0].external_id, docs[0].url, docs[0].published) == (None, None, None)

    docs, _ = read_file("rss-parser/customfields.rss")
    assert docs[0].title == "ISUZU launches the ‘mu-X’ premium full-size 7 seater SUV in Bengaluru"
    assert docs[0].text.startswith("Launched with a 3.0 Litre engine in 4x2 and 4x4 variants"
                                   " in Automatic Transmission.\n\nOffers best-in-class")


@needs_feeds
def test_dates_in_portuguese_are_read():
    docs, _ = read_file("rss-parser/uolNoticias.rss")
    # "Seg, 24 Set 2018 19:42:40 -0300"
    assert docs[0].published == datetime(2018, 9, 24, 22, 42, 40, tzinfo=timezone.utc)
    assert all(doc.published for doc in docs)


@needs_feeds
def test_empty_entry_comes_out_empty_for_the_caller_to_skip():
    docs, _ = read_file("miniflux/no_encoding_ISO-8859-1.xml")
    empty = [doc for doc in docs if doc.title is None]
    assert len(empty) == 1 and empty[0].text == "" and empty[0].url is None


@needs_feeds
@pytest.mark.parametrize("name, lang", [
    ("feed-rs/rss_2.0_nbcny.xml", "en"),          # en_US
    ("feed-rs/rss_2.0_ilmessaggero.xml", "it"),   # IT-it
    ("feed-rs/rss_2.0_encoding_1.xml", "pt"),     # pt-br
    ("rss-parser/uolNoticias.rss", None),         # empty <language>
    ("miniflux/rdf_UTF8.xml", None),              # none given
])
def test_declared_language_of_real_feeds(name, lang):
    docs, _ = read_file(name)
    assert {doc.declared_lang for doc in docs} == {lang}


@needs_feeds
def test_links_with_item_xml_base_are_absolute():
    docs, _ = read_file("feed-rs/rss_2.0_relurl_1.xml")
    assert [doc.url for doc in docs] == [
        "https://insanity.industries/post/pareto-optimal-compression/",
        "https://insanity.industries/post/pacman-tracking-leftover-packages/"]


def test_relative_links_are_resolved_against_the_feed_link():
    docs, _ = read(rss('<item><title>A</title><link>/2024/a.html</link></item>'
                       '<item><title>B</title><link>b.html</link></item>'
                       '<item><title>C</title><link>https://other.example/c</link></item>',
                       channel="<link>https://news.example.org/world/</link>"))
    assert [doc.url for doc in docs] == ["https://news.example.org/2024/a.html",
                                         "https://news.example.org/world/b.html",
                                         "https://other.example/c"]


def test_relative_links_are_resolved_against_xml_base():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.com/blog/">
  <title>Atom Test</title><id>urn:feed</id>
  <entry><title>One</title><id>urn:1</id><link href="posts/one"/>
    <updated>2024-05-01T10:00:00+02:00</updated><summary>First</summary></entry>
</feed>"""
    docs, problems = read(atom)
    assert problems == []
    assert docs[0].url == "https://atom.example.com/blog/posts/one"
    assert docs[0].external_id == "urn:1"
    assert docs[0].published == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def test_unresolvable_relative_link_is_dropped():
    docs, _ = read(rss("<item><title>A</title><link>/only/a/path</link></item>"))
    assert docs[0].url is None


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JAVASCRIPT://x.example/%0aalert(1)",
                                  "data:text/html,x", "vbscript:msgbox", "file:///etc/passwd",
                                  "ftp://x.example/a", "http://[broken/a",
                                  "http://x.example:port/a"])
def test_links_that_are_not_http_urls_are_dropped(link):
    items = (f"<item><title>Bad</title><link>{link}</link><description>d</description></item>"
             "<item><title>Good</title><link>https://x.example/good</link></item>")
    docs, problems = read(rss(items, channel="<link>https://x.example/</link>"))
    assert [(d.title, d.url) for d in docs] == [("Bad", None), ("Good", "https://x.example/good")]
    assert problems == []


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#x110000;", "&#99999999999999999999;"])
@pytest.mark.parametrize("tail", ["", "<unclosed"], ids=["well-formed", "broken"])
def test_reference_to_no_character_is_replaced_and_the_feed_still_read(ref, tail):
    data = rss(f"<item><title>A {ref} b</title></item><item><title>Next</title></item>") + tail.encode()
    items = list(read_feed(data))
    assert [i.title for i in items if isinstance(i, Document)] == ["A \ufffd b", "Next"]
    assert [i.message for i in items if isinstance(i, ItemWarning)] == [
        "1 character reference(s) to no character (like &#xD800;) replaced by \ufffd"]


def test_html_in_entries_becomes_plain_paragraphs():
    docs, _ = read(rss("<item><title>&lt;b&gt;Bold&lt;/b&gt;   news\n</title>"
                       "<description>&lt;p&gt;One &amp;amp; two&lt;/p&gt;\n&lt;p&gt;Three"
                       "&lt;br/&gt;&lt;br/&gt;Four&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;"
                       "</description><guid>id-1</guid></item>"))
    assert docs[0].title == "Bold news"
    assert docs[0].text == "One & two\n\nThree\n\nFour"
    assert docs[0].external_id == "id-1"


def test_utf8_feed_declared_as_a_legacy_encoding_is_decoded_as_utf8():
    for declared in ("windows-1252", "windows-1251", "iso-8859-2", "gb2312"):
        data = rss("<item><title>Été à Paris “ça va”</title></item>",
                   declaration=f'<?xml version="1.0" encoding="{declared}"?>')
        docs, problems = read(data)
        assert (docs[0].title, problems) == ("Été à Paris “ça va”", []), declared


def test_cp1252_feed_declared_as_utf8_is_decoded():
    data = rss("<item><title>Été “ok”</title></item>").replace(b"Test Feed", "Café".encode())
    data = data.decode("utf-8").encode("cp1252")
    docs, problems = read(data)
    assert (docs[0].source, docs[0].title, problems) == ("Café", "Été “ok”", [])


@pytest.mark.parametrize("data", [b"", b"  \n ", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
                                  random.Random(11).randbytes(3000),
                                  b"<html><body><p>hello</p></body></html>",
                                  b'{"title": "json"}'])
def test_non_feeds_raise_read_error(data):
    with pytest.raises(ReadError, match="^not a feed: "):
        read(data)


def test_truncated_feed_gives_its_items_then_a_problem():
    docs, problems = read(b'<rss version="2.0"><channel><title>Cut</title>'
                          b'<item><title>Kept</title>')
    assert [doc.title for doc in docs] == ["Kept"]
    assert len(problems) == 1 and problems[0].message.startswith("not well-formed XML at line 1")
    with pytest.raises(ReadError, match="no entries could be read"):
        read(b'<rss version="2.0"><channel><title>Cut</title>')


def test_feed_without_entries_is_empty_not_an_error():
    assert read(rss("")) == ([], [])


@pytest.mark.parametrize("value, code", [
    ("en-US", "en"), ("pt_BR", "pt"), ("IT-it", "it"), ("en", "en"), ("DE", "de"),
    (" fr-FR ", "fr"), ("zh-Hans-CN", "zh"), ("iw", "he"), ("in", "id"),
    ("", None), (None, None), ("xx", None), ("English", None), ("eng", None), ("e", None),
])
def test_language_code_reduction(value, code):
    assert language_code(value) == code
