"""JSON Lines: the DATA.md schema, common aliases, and bad lines that spoil nothing else."""
import gzip
import io
import json
from datetime import datetime, timezone

import pytest

from corpus.jsonl import parse_date, read_jsonl, record_to_document
from corpus.problems import ItemWarning, Problem, ReadError


def lines(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def test_data_md_schema():
    doc = record_to_document({"id": "reuters:1", "url": None, "source": "Reuters", "title": "T",
                              "text": "Body\n    more", "published": "1987-02-26T15:01:01+03:00"})
    assert (doc.external_id, doc.source, doc.title, doc.url) == ("reuters:1", "Reuters", "T", None)
    assert doc.published == datetime(1987, 2, 26, 12, 1, 1, tzinfo=timezone.utc)
    assert doc.text == "Body more" and doc.kind == "article"


@pytest.mark.parametrize("record, field, expected", [
    ({"maintext": "m", "title": "t"}, "text", "m"),
    ({"content": "c"}, "text", "c"),
    ({"body": "b"}, "text", "b"),
    ({"headline": "h", "text": "x"}, "title", "h"),
    ({"source_domain": "bbc.com", "text": "x"}, "source", "bbc.com"),
    ({"site": "aljazeera.net", "text": "x"}, "source", "aljazeera.net"),
    ({"language": "pt_BR", "text": "x"}, "declared_lang", "pt_BR"),
    ({"kind": "brief", "parent_id": "p", "text": "x"}, "kind", "brief"),
    ({"kind": "nonsense", "text": "x"}, "kind", "article"),
    ({"title": "", "text": "x"}, "title", None),
])
def test_aliases(record, field, expected):
    assert getattr(record_to_document(record), field) == expected


@pytest.mark.parametrize("value, expected", [
    ("2020-07-01T12:00:00Z", "2020-07-01 12:00:00"),
    ("2020-07-01 12:00", "2020-07-01 12:00:00"),
    ("2020-07-01T15:30:00+03:30", "2020-07-01 12:00:00"),
    ("Wed, 01 Jul 2020 12:00:00 GMT", "2020-07-01 12:00:00"),
    ("2020-07-01", "2020-07-01 00:00:00"),
    (1593604800, "2020-07-01 12:00:00"),
    ("not a date", None),
    ("", None),
    (None, None),
])
def test_parse_date(value, expected):
    parsed = parse_date(value)
    assert (parsed.strftime("%Y-%m-%d %H:%M:%S") if parsed else None) == expected
    assert parsed is None or parsed.tzinfo is not None


def test_own_export_keeps_external_id_and_ingest_dates_out():
    exported = {"id": "abc123hash", "external_id": None, "kind": "brief", "parent_id": "p1",
                "source": "S", "title": None, "text": "A brief", "published": "2026-01-01T00:00:00Z",
                "date_source": "ingested"}
    doc = record_to_document(exported)
    assert doc.external_id is None and doc.published is None and doc.parent_id == "p1"


def test_bad_lines_are_problems_and_good_lines_still_read():
    data = lines({"title": "a", "text": "one"}, "{not json", "[1, 2]", "",
                 {"title": "b", "text": "two"}) + b"\n\xff\xfe{}\n"
    items = list(read_jsonl(data))
    docs = [i for i in items if not isinstance(i, Problem)]
    problems = [i.message for i in items if isinstance(i, Problem)]
    assert [d.title for d in docs] == ["a", "b"]
    assert problems[0].startswith("line 2: invalid JSON")
    assert problems[1] == "line 3: not a JSON object"
    assert problems[2] == "line 6: not UTF-8 text"


def test_blank_file_is_an_error():
    with pytest.raises(ReadError):
        list(read_jsonl(b"\n \n"))


def read_all(data: bytes, **options) -> tuple[list, list[str], list[str]]:
    """Read to the end: documents, problem messages, warning messages."""
    items = list(read_jsonl(data, **options))
    return ([i for i in items if not isinstance(i, (Problem, ItemWarning))],
            [i.message for i in items if isinstance(i, Problem)],
            [i.message for i in items if isinstance(i, ItemWarning)])


@pytest.mark.parametrize("deep", [b"[" * 100_000,
                                  b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                                  b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_deeply_nested_line_is_one_bad_line(deep):
    data = b"\n".join([lines({"title": "a", "text": "one"}), deep,
                       lines({"title": "b", "text": "two"})])
    docs, problems, _ = read_all(data)
    assert [d.title for d in docs] == ["a", "b"]
    assert problems == ["line 2: invalid JSON (nested too deeply)"]


def test_integer_too_long_for_python_is_one_bad_line():
    data = lines({"title": "a", "text": "one"}) + b'\n{"id": ' + b"7" * 5000 + b"}\n"
    docs, problems, _ = read_all(data)
    assert [d.title for d in docs] == ["a"]
    assert len(problems) == 1 and problems[0].startswith("line 2: invalid JSON (")


def test_line_over_the_item_limit_is_skipped_and_the_next_still_read():
    long_text = "x" * 5000
    data = lines({"title": "a", "text": "one"}, {"title": "long", "text": long_text},
                 {"title": "b", "text": "two"})
    docs, problems, _ = read_all(data, limit=1000)
    assert [d.title for d in docs] == ["a", "b"]
    assert problems == ["line 2: 5,029 bytes, over the item limit of 1,000 bytes; skipped"]


def test_stream_and_bytes_give_the_same_documents():
    data = lines({"title": "a", "text": "one"}, "{oops", {"title": "b", "text": "two"})
    from_stream = [d.id for d in read_all_stream(gzip.compress(data))]
    assert from_stream == [d.id for d in read_all(data)[0]]


def read_all_stream(compressed: bytes) -> list:
    with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
        return [i for i in read_jsonl(stream) if not isinstance(i, (Problem, ItemWarning))]


@pytest.mark.parametrize("field, value, warning", [
    ("title", ["a", "list"], "field 'title' is a list, not text; dropped"),
    ("title", {"x": 1}, "field 'title' is an object, not text; dropped"),
    ("title", 42, "field 'title' is a number, not text; dropped"),
    ("source", True, "field 'source' is true or false, not text; dropped"),
    ("url", 12345, "field 'url' is a number, not text; dropped"),
    ("id", 3.0, "field 'id' is a number, not text or an integer; dropped"),
    ("id", 1e3, "field 'id' is a number, not text or an integer; dropped"),
    ("id", False, "field 'id' is true or false, not text or an integer; dropped"),
    ("published", ["2020-01-01"], "field 'published' is a list, not text or a number; dropped"),
    ("published", True, "field 'published' is true or false, not text or a number; dropped"),
])
def test_wrong_type_is_dropped_with_a_warning_naming_line_and_field(field, value, warning):
    record = {"title": "Kept title", "text": "Kept text", "source": "Outlet"} | {field: value}
    docs, problems, warnings = read_all(lines({"title": "first", "text": "x"}, record))
    assert problems == [] and warnings == [f"line 2: {warning}"]
    doc = docs[1]
    assert str(value) not in (doc.title, doc.text, doc.source, doc.url, doc.external_id)
    assert doc.published is None


def test_dropped_field_makes_way_for_its_alias_and_an_item_without_text_has_none():
    docs, _, warnings = read_all(lines({"title": ["x"], "headline": "Alias title", "text": "t"},
                                       {"title": "only title", "text": ["not", "text"]}))
    assert [(d.title, d.text) for d in docs] == [("Alias title", "t"), ("only title", "")]
    assert warnings == ["line 1: field 'title' is a list, not text; dropped",
                        "line 2: field 'text' is a list, not text; dropped"]


@pytest.mark.parametrize("value, expected", [(42, "42"), (-7, "-7"), (10**30, str(10**30)),
                                             ("r:1", "r:1")])
def test_integer_ids_are_taken_as_decimal_text(value, expected):
    docs, _, warnings = read_all(lines({"id": value, "source": "S", "text": "t"}))
    assert docs[0].external_id == expected and warnings == []


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript://example.org/%0aalert(1)", "data:text/html,<b>x</b>",
    "vbscript:msgbox(1)", "file:///etc/passwd", "//example.org/scheme-relative",
    "ftp://example.org/a", "http://[broken/a", "http://example.com:port/a", "http:///no-host",
    "/relative/path", "http://exa mple.org/", "http://example.org/\nnext"])
def test_only_absolute_http_urls_are_kept_and_others_play_no_part_in_identity(url):
    record = {"url": url, "source": "S", "title": "T", "text": "Body"}
    [doc], problems, warnings = read_all(lines(record))
    assert doc.url is None and problems == []
    assert warnings == ["line 1: field 'url' is not an absolute http(s) URL; dropped"]
    assert doc.id == record_to_document({"source": "S", "title": "T", "text": "Body"}).id


@pytest.mark.parametrize("url", ["https://example.org/a", "HTTP://Example.org/b?x=1",
                                 " http://e.org "])
def test_absolute_http_urls_are_kept(url):
    [doc], _, warnings = read_all(lines({"url": url, "title": "T", "text": "Body"}))
    assert doc.url == url.strip() and warnings == []


def test_lone_surrogate_escape_is_replaced_with_a_warning():
    data = b'{"title": "Bad \\ud800 escape", "text": "Body"}\n{"title": "Good", "text": "x"}'
    docs, problems, warnings = read_all(data)
    assert [d.title for d in docs] == ["Bad \ufffd escape", "Good"] and problems == []
    assert warnings == ["line 1: field 'title' held invalid \\u escapes (lone surrogates), "
                        "replaced by \ufffd"]
    docs[0].title.encode("utf-8")
