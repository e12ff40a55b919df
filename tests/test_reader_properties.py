"""Every reader against generated hostile input: arbitrary bytes, broken XML, odd encodings,
deep and huge values, wrong JSON types. No exception but ReadError ever leaves a reader, and
every good item around a bad one is still read.

The examples are seeded (the same on every run) and few, so CI stays fast. For a long
search, select the `readers-long` profile: READERS_HYPOTHESIS_PROFILE=readers-long.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.document import Document, web_url
from corpus.feeds import read_feed
from corpus.html import read_html
from corpus.jsonl import read_jsonl
from corpus.pages import read_page
from corpus.problems import ItemWarning, Problem, ReadError
from corpus.streams import split_lines

QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile("readers", max_examples=60, deadline=None, derandomize=True,
                          database=None, suppress_health_check=QUIET)
settings.register_profile("readers-long", max_examples=3000, deadline=None, derandomize=False,
                          database=None, print_blob=True, suppress_health_check=QUIET)
READERS = settings.get_profile(os.environ.get("READERS_HYPOTHESIS_PROFILE", "readers"))
MARK = "\u2713good"      # no generated bad item carries it by chance


# --- running a reader ----------------------------------------------------------------------

class Trickle(io.RawIOBase):
    """A stream that gives its bytes in the chunk sizes given (cycled): boundaries anywhere."""

    def __init__(self, data: bytes, sizes: list[int]):
        super().__init__()
        self.data, self.sizes, self.turn = data, sizes or [1], 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.sizes[self.turn % len(self.sizes)], len(self.data))
        self.turn += 1
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size


def run(reader, source, **options) -> list | ReadError:
    """Everything a reader yields, or the ReadError that stopped it; any other error fails."""
    try:
        items = list(reader(source, **options))
    except ReadError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        return exc
    assert all(isinstance(item, (Document, Problem, ItemWarning)) for item in items)
    for doc in (item for item in items if isinstance(item, Document)):
        assert doc.url is None or web_url(doc.url) == doc.url
        for value in (doc.title, doc.text, doc.source, doc.url, doc.external_id):
            (value or "").encode("utf-8")      # storable: no lone surrogates
    return items


def docs(items) -> list[Document]:
    assert not isinstance(items, ReadError), items
    return [item for item in items if isinstance(item, Document)]


def good_titles(items) -> list[str]:
    return [doc.title for doc in docs(items) if doc.title and doc.title.startswith(MARK)]


def outline(items) -> list:
    """What a reading gave, comparable between two readings of the same input."""
    if isinstance(items, ReadError):
        return [str(items)]
    return [item.id if isinstance(item, Document) else item.message for item in items]


# --- generated values ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                max_size=3),
    max_leaves=8)
FIELDS = ("id", "external_id", "url", "title", "headline", "text", "maintext", "content", "body",
          "source", "site", "published", "date", "lang", "language", "kind", "parent_id",
          "date_source")
odd_urls = st.sampled_from([
    "javascript:alert(1)", "data:text/html,<script>", "vbscript:x", "file:///etc/passwd",
    "//evil.example/x", "http://[broken/", "http://x.example:port/", "http:///", "ftp://x/",
    "http://exa mple.org/", "https://ok.example/fine", " HTTP://Upper.example/ "])
hostile_urls = odd_urls | st.text(max_size=30)
# In a small HTML page, control characters would make it binary data before URLs matter.
printable_urls = odd_urls | st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
hostile_records = st.dictionaries(st.sampled_from(FIELDS), json_values | hostile_urls, max_size=8)
chunk_sizes = st.lists(st.integers(1, 300), min_size=1, max_size=5)


def no_newline(data: bytes) -> bytes:
    return data.replace(b"\n", b" ")


bad_json_lines = st.one_of(
    st.binary(max_size=200).map(no_newline),
    st.integers(1, 3000).map(lambda n: b"[" * n),
    st.integers(1, 200_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 100_000).map(lambda n: b'{"title": ' + b'{"a": ' * n + b"1" + b"}" * (n + 1)),
    st.integers(4300, 6000).map(lambda n: b'{"id": ' + b"9" * n + b"}"),
    st.sampled_from([b'{"title": "\\ud800", "text": "\\udfff"}', b"NaN", b'"just text"',
                     b'{"title": 1e999, "published": -1e999}', b"\xef\xbb\xbf{}", b"{}"]),
    hostile_records.map(lambda record: json.dumps(record).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
)


def good_record(n: int) -> bytes:
    return json.dumps({"url": f"https://good.example/{n}", "source": "Good",
                       "title": f"{MARK} {n}", "text": f"Good text {n}."}).encode()


# --- JSON Lines ----------------------------------------------------------------------------

@READERS
@given(st.binary(max_size=2000))
def test_jsonl_survives_arbitrary_bytes(data):
    run(read_jsonl, data)


@READERS
@given(st.lists(st.just(True) | bad_json_lines, max_size=12), st.sampled_from([b"\n", b"\r\n"]))
def test_jsonl_reads_every_good_line_around_bad_ones(lines, newline):
    good = [n for n, line in enumerate(lines) if line is True]
    raw = [good_record(n) if line is True else line for n, line in enumerate(lines)]
    items = run(read_jsonl, newline.join(raw))
    if not any(line.strip() for line in raw):
        assert isinstance(items, ReadError)
        return
    assert good_titles(items) == [f"{MARK} {n}" for n in good]
    # Each non-blank line gives one document or one problem, never more, never none.
    documents_and_problems = [i for i in items if not isinstance(i, ItemWarning)]
    assert len(documents_and_problems) == sum(1 for line in raw if line.strip())


@READERS
@given(st.lists(st.booleans() | st.integers(1, 3000), max_size=10), st.integers(50, 1000))
def test_jsonl_skips_only_lines_over_the_limit(lines, limit):
    raw = [good_record(n) if line is True else
           b'{"title": "long", "text": "' + b"x" * line + b'"}' if line is not False else b""
           for n, line in enumerate(lines)]
    items = run(read_jsonl, b"\n".join(raw), limit=limit)
    if isinstance(items, ReadError):
        assert not any(raw)
        return
    too_long = [n + 1 for n, line in enumerate(raw) if len(line) > limit]
    assert [p.message.split(":")[0] for p in items if isinstance(p, Problem)] == [
        f"line {n}" for n in too_long]
    assert good_titles(items) == [f"{MARK} {n}" for n, line in enumerate(lines)
                                  if line is True and n + 1 not in too_long]


@READERS
@given(st.lists(st.just(True) | bad_json_lines, max_size=8), chunk_sizes)
def test_jsonl_from_a_stream_in_any_chunks_reads_as_from_bytes(lines, sizes):
    data = b"\n".join(good_record(n) if line is True else line or b""
                      for n, line in enumerate(lines))
    assert outline(run(read_jsonl, Trickle(data, sizes))) == outline(run(read_jsonl, data))


@READERS
@given(st.binary(max_size=600), chunk_sizes, st.integers(0, 100))
def test_split_lines_is_split_with_long_lines_left_out(data, sizes, limit):
    stream = Trickle(data, sizes)
    chunks = iter(lambda: stream.read(64), b"")
    lines = list(split_lines(chunks, limit))
    expected = data.split(b"\n")
    if expected and expected[-1] == b"":
        expected.pop()                  # a final newline does not start another line
    assert [(line.number, line.content, line.size) for line in lines] == [
        (n, part if len(part) <= limit else None, len(part))
        for n, part in enumerate(expected, 1)]


# --- page text -----------------------------------------------------------------------------

@READERS
@given(st.binary(max_size=2000))
def test_page_survives_arbitrary_bytes(data):
    run(read_page, data)


brief_text = st.text(st.characters(blacklist_characters="\x00\n\r\x0b\x0c\x1c\x1d\x1e\x85"
                                                        "\u2028\u2029",
                                   blacklist_categories=("Cs",)), max_size=60)
bad_briefs = st.one_of(
    brief_text,
    st.integers(1, 5000).map(lambda n: "." * n + " More"),
    st.integers(1, 5000).map(lambda n: "x in brief" + " " * n + "y"),
    st.integers(600, 3000).map(lambda n: "long " * (n // 5)),
)


@READERS
@given(st.lists(st.just(True) | bad_briefs, max_size=10))
def test_page_reads_every_good_brief_around_bad_ones(briefs):
    lines = [f"{MARK} brief {n}...More" if brief is True else brief or ""
             for n, brief in enumerate(briefs)]
    page = "Title | Outlet\n\nThe article body.\n\nWorld in Brief\n" + "\n".join(lines) + "\n"
    items = run(read_page, page.encode("utf-8"), limit=2000)
    texts = [doc.text for doc in docs(items) if doc.text.startswith(MARK)]
    assert texts == [f"{MARK} brief {n}" for n, brief in enumerate(briefs) if brief is True]
    assert docs(items)[0].title == "Title"


ENCODINGS = {"utf-8": "Économie — ещё 経済 ✓", "utf-16": "Économie — ещё 経済 ✓",
             "cp1251": "Экономика и ещё", "latin-1": "Économie française à l'été",
             "shift_jis": "経済ニュース", "gb18030": "经济新闻", "cp1252": "Café “quoted” €"}


@READERS
@given(st.sampled_from(sorted(ENCODINGS)), st.integers(0, 4000), chunk_sizes)
def test_page_in_odd_encodings_reads_the_same_in_any_chunks(encoding, repeat, sizes):
    words = ENCODINGS[encoding]
    text = (f"{words} | Outlet\r\n\r\n" + f"{words}.\r\n" * repeat
            + "World in Brief\r\nOne brief\r\n")
    data = text.encode(encoding)
    whole = run(read_page, data)
    assert outline(run(read_page, Trickle(data, sizes))) == outline(whole)
    if encoding.startswith("utf"):
        assert docs(whole)[0].title == words


# --- feeds ---------------------------------------------------------------------------------

@READERS
@given(st.binary(max_size=2000))
def test_feed_survives_arbitrary_bytes(data):
    run(read_feed, data)


def item(title: str, extra: str = "") -> str:
    return f"<item><title>{title}</title>{extra}</item>"


def good_item(n: int) -> str:
    return item(f"{MARK} {n}", f"<link>https://good.example/{n}</link><description>Text {n}."
                               "</description><pubDate>Mon, 06 Sep 2021 16:45:00 +0000</pubDate>")


xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(escape)
bad_items = st.one_of(
    xml_text.map(item),
    hostile_urls.map(lambda url: item("link", f"<link>{escape(url)}</link>")),
    st.sampled_from(["&#xD800;", "&#55296;", "&#x110000;", "&#0;", "&#99999999999999;"]).map(item),
    xml_text.map(lambda date: item("date", f"<pubDate>{date}</pubDate>")),
    st.integers(1, 3000).map(lambda n: item("deep", "<description>" + "&lt;div&gt;" * n
                                            + "</description>")),
    st.integers(1, 200_000).map(lambda n: item("huge " + "h" * n)),
    xml_text.map(lambda text: item("cdata", f"<description><![CDATA[{text}]]></description>")),
    st.just("<item/>"), st.just("<item><title></title></item>"),
)


def rss(items: list[str], encoding: str = "utf-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
            f"<title>Generated</title><link>https://good.example/</link>{''.join(items)}"
            "</channel></rss>").encode(encoding, "xmlcharrefreplace")


@READERS
@given(st.lists(st.just(True) | bad_items, max_size=8))
def test_feed_reads_every_good_entry_around_bad_ones(entries):
    items = run(read_feed, rss([good_item(n) if entry is True else entry or ""
                                for n, entry in enumerate(entries)]))
    assert good_titles(items) == [f"{MARK} {n}" for n, entry in enumerate(entries) if entry is True]


@READERS
@given(st.lists(st.just(True) | bad_items, min_size=1, max_size=6), st.data())
def test_broken_feed_xml_gives_items_or_a_read_error(entries, data):
    feed = rss([good_item(n) if entry is True else entry or "" for n, entry in enumerate(entries)])
    cut = data.draw(st.integers(0, len(feed)))
    junk = data.draw(st.sampled_from([b"", b"<", b"</channel>", b"<item>", b"&", b"\x00", b"]]>",
                                      b"<!DOCTYPE x [<!ENTITY a 'b'>]>", b"\xff\xfe"]))
    run(read_feed, feed[:cut] + junk + feed[cut:data.draw(st.integers(cut, len(feed)))])


@READERS
@given(st.sampled_from(["utf-8", "utf-16", "iso-8859-1", "windows-1251", "shift_jis", "koi8-r",
                        "ascii", "utf-32", "gb2312", "x-unknown"]),
       st.sampled_from(["utf-8", "utf-16", "iso-8859-1", "cp1251", "shift_jis", "koi8_r"]),
       st.lists(xml_text, min_size=1, max_size=4))
def test_feed_in_odd_or_wrong_encodings_reads_or_says_why(declared, actual, titles):
    header = (f'<?xml version="1.0" encoding="{declared}"?>'
              '<rss version="2.0"><channel><title>E</title>')
    body = "".join(item(title) for title in titles) + "</channel></rss>"
    data = (header + body).encode(actual, "replace")
    items = run(read_feed, data)
    assert isinstance(items, ReadError) or len(docs(items)) <= len(titles)


# --- HTML pages ----------------------------------------------------------------------------

@READERS
@given(st.binary(max_size=2000))
def test_html_survives_arbitrary_bytes(data):
    run(read_html, data)


PAGE = ("<html lang='en'><head><title>A fine headline for the page</title>{head}</head><body>"
        "<article><h1>A fine headline for the page</h1>{body}<p>The article text goes on for a "
        "while, long enough to be the main content of the page.</p></article></body></html>")


@READERS
@given(printable_urls, st.sampled_from(["canonical", "og:url"]))
def test_html_keeps_only_http_urls(url, where):
    head = (f'<link rel="canonical" href="{escape(url)}">' if where == "canonical" else
            f'<meta property="og:url" content="{escape(url)}">')
    [doc] = docs(run(read_html, PAGE.format(head=head, body="").encode()))
    assert doc.url is None or doc.url.lower().startswith(("http://", "https://"))


@READERS
@given(st.one_of(
    st.integers(1, 5000).map(lambda n: "<div>" * n + "deep" + "</div>" * n),
    st.integers(1, 5000).map(lambda n: "<b>" * n),
    st.integers(1, 200_000).map(lambda n: "<p>" + "w" * n + "</p>"),
    st.sampled_from(["&#xD800;", "&#0;", "&#x110000;", "<![CDATA[x]]>", "<script>", "<!--",
                     "</html>", "<svg><foreignObject><p>x"]),
    xml_text,
), st.sampled_from(["utf-8", "utf-16", "cp1251", "latin-1", "shift_jis"]), st.data())
def test_html_with_deep_huge_or_broken_markup_reads_or_says_why(body, encoding, data):
    page = PAGE.format(head="", body=body).encode(encoding, "xmlcharrefreplace")
    cut = data.draw(st.integers(0, len(page)))
    run(read_html, page[:cut] + page[data.draw(st.integers(cut, len(page))):])


# --- through the ingester: hostile lines never cost the good ones ---------------------------

@settings(READERS, max_examples=max(25, READERS.max_examples // 10))    # a store per example
@given(st.lists(st.just(True) | bad_json_lines, min_size=1, max_size=8))
def test_ingest_stores_every_good_line_around_bad_ones(lines):
    from indexer.ingest.ingester import Ingester
    from indexer.store import Store

    raw = [good_record(n) if line is True else line for n, line in enumerate(lines)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.jsonl"
        path.write_bytes(b"\n".join(raw) + b"\n")
        store = Store(Path(folder) / "store.sqlite3")
        try:
            [report] = Ingester(store, detect_language=False).ingest([str(path)]).files
            stored = {doc.title for doc in store.iter_all()}
        finally:
            store.close()
    assert not (report.error or "").startswith("could not be read"), report.error
    assert {f"{MARK} {n}" for n, line in enumerate(lines) if line is True} <= stored
