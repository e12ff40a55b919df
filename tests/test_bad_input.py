"""Bad input: each broken file gets one clear line, the rest of the input still goes in.

Every case runs the real command (`manage.py ingest --json`) with the bad file first and a
good file after it, and checks the report, stderr, the exit status and the store.
"""
from __future__ import annotations

import gzip
import json
import random
import zlib
from pathlib import Path

import pytest

from corpus.jsonl import read_jsonl
from tests.helpers import file_outcome, ingest_json, store_ids

WORDS = ("harbour council budget minister strike talks flood rail vote court energy prices "
         "border wheat bank report election drought market tariff").split()


# --- inputs of our own -----------------------------------------------------------------

def records(count: int, prefix: str = "good", seed: int = 1) -> list[dict]:
    """Distinct news-like records with URLs (so each has a known identity)."""
    rng = random.Random(seed)
    return [{"id": f"{prefix}-{n}", "url": f"https://news.example.org/{prefix}/{n}",
             "source": "Example News", "title": f"{prefix.title()} story {n}",
             "text": " ".join(rng.choice(WORDS) for _ in range(40)),
             "published": "2021-03-04T05:06:07Z"} for n in range(count)]


def jsonl_bytes(items: list[dict]) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\n" for item in items)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def good_file(folder: Path) -> Path:
    return write(folder / "good.jsonl", jsonl_bytes(records(3)))


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Sniffed Wire</title><link>https://sniffed.example.org/</link>
<item><title>Harbour reopens</title><link>https://sniffed.example.org/1</link>
<description>The harbour reopened on Monday after repairs.</description></item>
<item><title>Council votes on budget</title><link>https://sniffed.example.org/2</link>
<description>The council approved the budget by a narrow margin.</description></item>
</channel></rss>
"""
ATOM = b"""
<feed xmlns="http://www.w3.org/2005/Atom"><title>Sniffed Atom</title>
<entry><id>urn:sniffed:1</id><title>Rail strike ends</title><updated>2021-01-02T03:04:05Z</updated>
<summary>Train drivers returned to work after a two-day strike.</summary></entry>
</feed>
"""


# --- checking the outcome ------------------------------------------------------------------

def entry(report: dict, path) -> dict:
    [found] = [item for item in report["files"] if item["path"] == str(path)]
    return found


def stored_ids(home: Path) -> set[str]:
    ids = store_ids(home)
    assert len(ids) == len(set(ids))
    return set(ids)


def ids_of(data: bytes) -> list[str]:
    return [doc.id for doc in read_jsonl(data)]


def assert_one_line_error(report: dict, stderr: str, path, status: str) -> dict:
    """The file has the status and a one-line error, said once on stderr naming the file."""
    item = entry(report, path)
    assert item["status"] == status, item
    assert isinstance(item["error"], str) and item["error"].strip(), item
    assert "\n" not in item["error"] and len(item["error"]) < 500, item["error"]
    lines = [line for line in stderr.splitlines() if str(path) in line]
    assert len(lines) == 1 and item["error"] in lines[0], stderr
    return item


def assert_good_file_went_in(report: dict, home: Path, good: Path) -> None:
    item = entry(report, good)
    assert (item["status"], item["new"], item["error"]) == ("ok", 3, None)
    assert set(ids_of(good.read_bytes())) <= stored_ids(home)


# --- one bad file beside a good one --------------------------------------------------------

def binary_xml(folder: Path) -> Path:
    rng = random.Random(3)
    return write(folder / "image.xml", b"\x89PNG\r\n\x1a\n\x00\x00" + rng.randbytes(4000))


def empty_txt(folder: Path) -> Path:
    return write(folder / "empty.txt", b"")


def empty_jsonl(folder: Path) -> Path:
    return write(folder / "empty.jsonl", b"")


def blank_jsonl(folder: Path) -> Path:
    return write(folder / "blank.jsonl", b"\n  \n\t\n")


def zero_byte_gz(folder: Path) -> Path:
    return write(folder / "empty.jsonl.gz", b"")


def plain_text_named_gz(folder: Path) -> Path:
    return write(folder / "not-gzip.jsonl.gz", jsonl_bytes(records(2, "plain")))


def missing(folder: Path) -> Path:
    return folder / "no-such-file.jsonl"


FAILED = [binary_xml, empty_txt, empty_jsonl, blank_jsonl, zero_byte_gz, plain_text_named_gz,
          missing]


@pytest.mark.parametrize("make_bad", FAILED, ids=lambda f: f.__name__)
def test_unreadable_file_fails_alone(tmp_path, make_bad):
    bad, good = make_bad(tmp_path / "in"), good_file(tmp_path / "in")
    code, report, stderr = ingest_json(tmp_path / "home", bad, good)
    assert code == 1
    item = assert_one_line_error(report, stderr, bad, "failed")
    assert (item["documents"], item["new"]) == (0, 0)
    assert_good_file_went_in(report, tmp_path / "home", good)
    assert (report["failed_files"], report["ok_files"]) == (1, 1)
    assert len(stored_ids(tmp_path / "home")) == 3


def test_truncated_gzip_keeps_the_lines_before_the_cut(tmp_path):
    data = jsonl_bytes(records(400, "cut"))
    whole = gzip.compress(data)
    bad = write(tmp_path / "in" / "cut.jsonl.gz", whole[:len(whole) // 2])
    readable = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(bad.read_bytes())
    complete = readable.count(b"\n")        # lines the cut did not touch
    assert 0 < complete < 400
    good = good_file(tmp_path / "in")
    code, report, stderr = ingest_json(tmp_path / "home", bad, good)
    assert code == 1
    item = assert_one_line_error(report, stderr, bad, "partial")
    assert item["new"] == complete
    assert set(ids_of(data)[:complete]) <= stored_ids(tmp_path / "home")
    assert_good_file_went_in(report, tmp_path / "home", good)
    assert len(stored_ids(tmp_path / "home")) == complete + 3


def test_invalid_lines_are_errors_and_the_good_lines_go_in(tmp_path):
    good_lines = records(4, "mixed")
    lines = [json.dumps(good_lines[0]).encode(),
             b"this is not JSON at all",
             json.dumps(good_lines[1]).encode(),
             b'["a", "JSON", "array"]',
             b'{"title": "Bad bytes \xff\xfe here", "text": "The encoding is broken."}',
             b"42",
             json.dumps(good_lines[2]).encode(),
             b'{"title": "cut off',
             json.dumps(good_lines[3]).encode()]
    bad = write(tmp_path / "in" / "mixed.jsonl", b"\n".join(lines) + b"\n")
    good = good_file(tmp_path / "in")
    code, report, stderr = ingest_json(tmp_path / "home", bad, good)
    assert code == 1
    item = assert_one_line_error(report, stderr, bad, "partial")
    assert "line 2" in item["error"]                # the first bad line is named
    assert (item["documents"], item["new"]) == (4, 4)
    assert set(ids_of(jsonl_bytes(good_lines))) <= stored_ids(tmp_path / "home")
    assert_good_file_went_in(report, tmp_path / "home", good)
    # Reading the file again adds nothing and still reports the bad lines.
    code, again, _ = ingest_json(tmp_path / "home", bad)
    assert code == 1 and entry(again, bad)["status"] == "partial"
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 4)


def test_folder_mixing_good_and_bad_files(tmp_path):
    folder = tmp_path / "in"
    good = good_file(folder)
    paths = {
        "good": good,
        "binary": binary_xml(folder / "feeds"),
        "empty": empty_txt(folder / "pages"),
        "zero": zero_byte_gz(folder / "dumps"),
        "skipped": write(folder / "notes.md", b"# Notes\n\nNot news.\n"),
        "feed": write(folder / "feeds" / "latest", RSS),
        "mixed": write(folder / "dumps" / "more.ndjson",
                       jsonl_bytes(records(2, "more")) + b"{oops\n"),
    }
    code, report, stderr = ingest_json(tmp_path / "home", folder)
    assert code == 1
    assert [item["path"] for item in report["files"]] == sorted(str(p) for p in paths.values())
    for name in ("binary", "empty", "zero"):
        assert_one_line_error(report, stderr, paths[name], "failed")
    assert_one_line_error(report, stderr, paths["mixed"], "partial")
    assert entry(report, paths["skipped"])["status"] == "skipped"
    assert file_outcome(entry(report, paths["feed"])) == {
        "path": None, "format": "feed", "status": "ok", "documents": 2, "new": 2,
        "updated": 0, "unchanged": 0, "skipped_items": 0, "error": None}
    assert_good_file_went_in(report, tmp_path / "home", good)
    assert (report["ok_files"], report["partial_files"], report["failed_files"],
            report["skipped_files"]) == (2, 1, 3, 1)
    assert report["new"] == len(stored_ids(tmp_path / "home")) == 3 + 2 + 2


# --- files that are not news, and feeds without a feed extension ---------------------------

def test_files_that_are_not_news_are_skipped(tmp_path):
    folder = tmp_path / "in"
    skipped = [write(folder / "notes.md", b"# Reading list\n\nSome article about <b>feeds</b>.\n"),
               write(folder / "README", b"Plain words, no feed tag.\n"),
               write(folder / "data.json", b'{"title": "A JSON object, not JSON Lines"}\n'),
               write(folder / "photo.jpeg", random.Random(5).randbytes(3000))]
    good = good_file(folder)
    code, report, stderr = ingest_json(tmp_path / "home", *skipped, good)
    assert code == 0, stderr
    for path in skipped:
        assert file_outcome(entry(report, path)) == {
            "path": None, "format": None, "status": "skipped", "documents": 0, "new": 0,
            "updated": 0, "unchanged": 0, "skipped_items": 0, "error": None}
    assert (report["skipped_files"], report["ok_files"]) == (4, 1)
    assert_good_file_went_in(report, tmp_path / "home", good)


@pytest.mark.parametrize("name, data, count", [
    ("latest", RSS, 2),
    ("atom-export", ATOM, 1),
    ("latest.gz", gzip.compress(RSS), 2),
    ("feed.json", RSS, 2),
], ids=["rss-no-extension", "atom-no-extension", "gzip-no-extension", "rss-named-json"])
def test_feed_without_feed_extension_is_sniffed(tmp_path, name, data, count):
    path = write(tmp_path / "in" / name, data)
    code, report, stderr = ingest_json(tmp_path / "home", path)
    assert code == 0, stderr
    item = entry(report, path)
    assert (item["format"], item["status"], item["new"], item["error"]) == ("feed", "ok", count, None)
    assert len(stored_ids(tmp_path / "home")) == count


def test_malformed_url_in_a_record_is_no_crash(tmp_path):
    lines = [json.dumps(record).encode() for record in records(2, "urls")]
    lines.insert(1, b'{"url": "http://[broken/a", "title": "Bad IPv6 URL", "text": "Some text."}')
    lines.insert(2, b'{"url": "http://example.com:port/a", "title": "Bad port", "text": "More text."}')
    bad = write(tmp_path / "in" / "urls.jsonl", b"\n".join(lines) + b"\n")
    good = good_file(tmp_path / "in")
    code, report, stderr = ingest_json(tmp_path / "home", bad, good)
    assert code == 0 and "Traceback" not in stderr
    assert entry(report, bad)["new"] == 4
    assert set(ids_of(jsonl_bytes(records(2, "urls")))) <= stored_ids(tmp_path / "home")
    assert_good_file_went_in(report, tmp_path / "home", good)
