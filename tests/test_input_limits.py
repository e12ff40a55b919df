"""Input limits: JSON Lines and page text read as streams with a 10 MB item limit, feeds and
HTML pages refused past 50 MB decompressed, and memory that stays flat whatever the size.

Memory is measured in a child process (its own peak resident size, from getrusage), as the
growth over the same child reading a one-line file.
"""
from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.feeds import read_feed
from corpus.html import read_html
from corpus.problems import ReadError
from tests.helpers import ingest_json

MB = 1024 * 1024
GOOD = {"url": "https://limits.example/good", "source": "Limits", "title": "Good", "text": "Kept."}


def jsonl_line(record: dict) -> bytes:
    return json.dumps(record).encode() + b"\n"


def write_gzip(path: Path, head: bytes, middle: bytes, tail: bytes, repeat: int = 1) -> Path:
    """Write head, middle repeated, then tail, through gzip."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(head)
        for _ in range(repeat):
            out.write(middle)
        out.write(tail)
    return path


class Endless(io.RawIOBase):
    """A stream that never ends: a reader must stop by itself. Counts what it gave."""

    def __init__(self, head: bytes, filler: bytes):
        super().__init__()
        self.pending, self.filler, self.given = head, filler, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer):
            self.pending += self.filler * 1024
        buffer[:] = self.pending[:len(buffer)]
        self.pending = self.pending[len(buffer):]
        self.given += len(buffer)
        return len(buffer)


# --- feeds and HTML pages: 50 MB decompressed at most ---------------------------------------

@pytest.mark.parametrize("read, head", [
    (read_feed, b'<rss version="2.0"><channel><title>Endless</title>'),
    (read_html, b"<html><body><article><h1>Endless page</h1>"),
], ids=["feed", "html"])
def test_whole_document_readers_stop_at_50_mb(read, head):
    stream = Endless(head, b"<p>" + b"filler " * 100 + b"</p>")
    with pytest.raises(ReadError, match="^over 50 MB once decompressed: feeds and HTML pages "
                                        "are read whole, so larger ones are refused$"):
        list(read(stream))
    assert 50 * MB < stream.given <= 51 * MB


def test_feed_and_html_over_50_mb_fail_and_the_next_file_is_read(tmp_path):
    filler = b"<!-- " + b"padding " * 1000 + b"-->\n"
    feed = write_gzip(tmp_path / "in" / "big.xml.gz",
                      b'<rss version="2.0"><channel><title>Big</title>', filler,
                      b"<item><title>Never read</title></item></channel></rss>",
                      repeat=51 * MB // len(filler))
    page = write_gzip(tmp_path / "in" / "big.html.gz", b"<html><body><h1>Big page</h1>", filler,
                      b"<p>Never read</p></body></html>", repeat=51 * MB // len(filler))
    good = tmp_path / "in" / "good.jsonl"
    good.write_bytes(jsonl_line(GOOD))
    code, report, stderr = ingest_json(tmp_path / "home", feed, page, good)
    assert code == 1
    reason = ("over 50 MB once decompressed: feeds and HTML pages are read whole, "
              "so larger ones are refused")
    assert [(f["status"], f["error"], f["documents"]) for f in report["files"]] == [
        ("failed", reason, 0), ("failed", reason, 0), ("ok", None, 1)]
    assert stderr.count(reason) == 2


# --- JSON Lines and page text: 10 MB per item ----------------------------------------------

def test_jsonl_line_over_10_mb_is_skipped_by_number_and_the_rest_stored(tmp_path):
    long_record = b'{"title": "Too long", "text": "' + b"y" * (11 * MB) + b'"}\n'
    after = GOOD | {"url": "https://limits.example/after", "title": "After"}
    path = write_gzip(tmp_path / "in" / "long.jsonl.gz", jsonl_line(GOOD), long_record,
                      jsonl_line(after))
    code, report, _ = ingest_json(tmp_path / "home", path)
    assert code == 1
    [item] = report["files"]
    assert (item["status"], item["documents"], item["new"]) == ("partial", 2, 2)
    assert item["error"] == "line 2: 11.0 MB, over the item limit of 10 MB; skipped"


def test_page_brief_over_10_mb_is_skipped_by_number_and_the_rest_stored(tmp_path):
    page = ("Floods hit the delta | Nile Daily\n\nWater rose overnight.\n\nEgypt in Brief\n"
            "The ministry said roads reopened…More\n").encode()
    path = write_gzip(tmp_path / "in" / "page.txt.gz", page, b"z" * (10 * MB + 1) + b"\n",
                      b"A second brief about dams...More\n")
    code, report, _ = ingest_json(tmp_path / "home", path)
    [item] = report["files"]
    assert (code, item["status"], item["documents"], item["new"]) == (1, "partial", 3, 3)
    assert item["error"] == ("line 7: a brief of 10.0 MB, over the item limit of 10 MB; "
                             "skipped")


# --- memory ----------------------------------------------------------------------------------

CHILD = """
import json, resource, sys
from indexer.ingest.ingester import Ingester
from indexer.store import Store
store = Store(sys.argv[1])
report = Ingester(store, detect_language=False, enrich=False).ingest(sys.argv[2:])
store.close()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"files": report.to_json()["files"], "peak": peak}))
"""


def ingest_in_child(tmp_path: Path, path: Path) -> tuple[dict, int]:
    """Ingest one file in a fresh process; return its file report and peak memory (bytes)."""
    store = tmp_path / f"store-{path.name}.sqlite3"
    done = subprocess.run([sys.executable, "-c", CHILD, str(store), str(path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return result["files"][0], result["peak"]


def memory_growth(tmp_path: Path, path: Path) -> tuple[dict, int]:
    """The file report and how much more memory reading path took than a one-line file."""
    small = tmp_path / "one-line.jsonl"
    small.write_bytes(jsonl_line(GOOD))
    _, baseline = ingest_in_child(tmp_path, small)
    item, peak = ingest_in_child(tmp_path, path)
    return item, peak - baseline


def test_gzip_bomb_of_repeated_lines_reads_in_flat_memory(tmp_path):
    line = jsonl_line(GOOD | {"text": "word " * 20_000})       # about 100 KB
    repeats = 200 * MB // len(line)
    bomb = write_gzip(tmp_path / "bomb.jsonl.gz", b"", line, b"", repeat=repeats)
    assert bomb.stat().st_size < 2 * MB
    item, growth = memory_growth(tmp_path, bomb)
    assert (item["status"], item["documents"], item["new"]) == ("ok", repeats, 1)
    assert growth < 80 * MB, f"reading 200 MB took {growth / MB:.0f} MB more memory"


def test_one_50_mb_line_reads_in_flat_memory(tmp_path):
    path = write_gzip(tmp_path / "long-line.jsonl.gz",
                      jsonl_line(GOOD) + b'{"title": "long", "text": "', b"y" * MB, b'"}\n',
                      repeat=50)
    item, growth = memory_growth(tmp_path, path)
    assert (item["status"], item["documents"]) == ("partial", 1)
    assert item["error"] == "line 2: 50.0 MB, over the item limit of 10 MB; skipped"
    assert growth < 40 * MB, f"a 50 MB line took {growth / MB:.0f} MB more memory"
