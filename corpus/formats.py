"""Choose a reader for a file by its name or, failing that, by its first kilobyte."""
from __future__ import annotations

import gzip
import importlib
import zlib
from pathlib import Path
from typing import Iterator

from corpus.problems import ReadError

EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".html": "html", ".htm": "html",
    ".txt": "page",
}
FEED_MARKERS = (b"<rss", b"<rdf:rdf", b"<feed")


def format_by_name(path: Path) -> tuple[str | None, bool]:
    """Return (format or None, gzipped) from a file name alone."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] == ".gz"
    if gzipped:
        suffixes = suffixes[:-1]
    return (EXTENSIONS.get(suffixes[-1]) if suffixes else None), gzipped


def sniff_format(head: bytes) -> str | None:
    """Tell a feed without a known extension by a feed tag in its first kilobyte."""
    lowered = head[:1024].lower()
    return "feed" if any(marker in lowered for marker in FEED_MARKERS) else None


def read_bytes(path: Path, gzipped: bool) -> tuple[bytes, str | None]:
    """Read a file whole, through gzip when its name ends in .gz; say if it was cut short."""
    raw = path.read_bytes()
    if not gzipped:
        return raw, None
    if not raw:
        raise ReadError("empty file (0 bytes, not even a gzip header)")
    try:
        return gzip.decompress(raw), None
    except (OSError, EOFError, zlib.error) as exc:
        return _salvage_gzip(raw, exc), f"damaged gzip stream ({exc}); read what came before it"


def _salvage_gzip(raw: bytes, exc: Exception) -> bytes:
    """Keep what a truncated gzip stream still gives; refuse one that gives nothing."""
    try:
        partial = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw)
    except zlib.error:
        partial = b""
    if not partial:
        raise ReadError(f"not a readable gzip file ({exc})") from None
    # A cut-off last line would be a bad record; the reader reports it as such.
    return partial


def walk(paths: list[str]) -> Iterator[str]:
    """Expand folders recursively in sorted order; files and missing paths pass through."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield str(child)
        else:
            yield given


def choose_format(path: Path) -> tuple[str | None, bool]:
    """Return (format, gzipped) by extension, else by sniffing the first kilobyte."""
    fmt, gzipped = format_by_name(path)
    if fmt is None:
        with path.open("rb") as handle:
            head = handle.read(1024)
        if gzipped:
            head = read_bytes(path, True)[0][:1024]
        fmt = sniff_format(head)
    return fmt, gzipped


READERS = {"feed": "corpus.feeds:read_feed", "html": "corpus.html:read_html",
           "jsonl": "corpus.jsonl:read_jsonl", "page": "corpus.pages:read_page"}


def reader_for(fmt: str):
    """Return the reader function of a format, importing it only when needed."""
    # trafilatura takes a second to import: a JSON Lines ingest should not pay for it.
    module, name = READERS[fmt].split(":")
    return getattr(importlib.import_module(module), name)
