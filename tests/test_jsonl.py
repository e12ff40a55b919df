"""JSON Lines: the DATA.md schema, common aliases, and bad lines that spoil nothing else."""
import json
from datetime import datetime, timezone

import pytest

from corpus.jsonl import parse_date, read_jsonl, record_to_document
from corpus.problems import Problem, ReadError


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
