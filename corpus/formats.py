"""Choose a reader for a file by its name or, failing that, by its first kilobyte."""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from corpus.sources import open_input
from corpus.streams import read_upto

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
    """Read a small file whole, through gzip when its name ends in .gz; say if it was cut short."""
    with open_input(path, gzipped) as stream:
        data = stream.read()
        return data, stream.damage


def choose_format(path: Path) -> tuple[str | None, bool]:
    """Return (format, gzipped) by extension, else by sniffing the first kilobyte."""
    fmt, gzipped = format_by_name(path)
    if fmt is None:
        with open_input(path, gzipped) as stream:
            fmt = sniff_format(read_upto(stream, 1024))
    return fmt, gzipped


@dataclass(frozen=True)
class Refused:
    """A path met inside a folder that is reported rather than read: its status and why."""

    path: str
    status: str          # "failed" (could not be read) or "skipped" (not followed)
    reason: str

    def __str__(self) -> str:
        return self.path

    def __fspath__(self) -> str:
        return self.path


def walk(paths: list[str], follow_links: bool = False) -> Iterator[str | Refused]:
    """Expand folders recursively in sorted order; files and missing paths pass through.

    Inside a folder, an unreadable folder and a symbolic link leading out of the folder
    given (followed only with follow_links) come out as Refused, so they can be reported.
    """
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = _walk_folder(path, path.resolve(), follow_links, ())
            yield from sorted(found, key=lambda item: Path(str(item)))
        else:
            yield given


def _walk_folder(folder: Path, root: Path, follow_links: bool,
                 above: tuple[Path, ...]) -> Iterator[str | Refused]:
    """Yield the files under one folder, and a Refused for each thing that is not read."""
    try:
        with os.scandir(folder) as entries:
            children = [Path(entry.path) for entry in entries]
    except OSError as exc:
        yield Refused(str(folder), "failed", f"folder could not be read: {_reason(exc)}")
        return
    above = above + (folder.resolve(),)
    for child in children:
        try:
            refusal = _refusal(child, root, follow_links, above)
            is_folder = refusal is None and child.is_dir()
        except (OSError, RuntimeError) as exc:      # RuntimeError: a link that loops on itself
            refusal = Refused(str(child), "failed", f"could not be read: {_reason(exc)}")
        if refusal:
            yield refusal
        elif is_folder:
            yield from _walk_folder(child, root, follow_links, above)
        else:
            yield str(child)


def _refusal(child: Path, root: Path, follow_links: bool,
             above: tuple[Path, ...]) -> Refused | None:
    """Say why a folder entry is not to be read, or None when it is."""
    if child.is_symlink():
        target = child.resolve()
        if not follow_links and not target.is_relative_to(root):
            return Refused(str(child), "skipped", f"symbolic link to {target}, outside {root}: "
                           "not followed")
        if not target.exists():
            return Refused(str(child), "failed", f"broken symbolic link (to {target})")
        if target in above:
            return Refused(str(child), "skipped", "symbolic link to a folder that holds it: "
                           "not followed")
    if child.exists() and not child.is_dir() and not child.is_file():
        return Refused(str(child), "skipped", "not a regular file (a device, socket or pipe)")
    return None


def _reason(exc: BaseException) -> str:
    """The one-line reason an OS error gives."""
    return getattr(exc, "strerror", None) or " ".join(str(exc).split())


READERS = {"feed": "corpus.feeds:read_feed", "html": "corpus.html:read_html",
           "jsonl": "corpus.jsonl:read_jsonl", "page": "corpus.pages:read_page"}


def reader_for(fmt: str):
    """Return the reader function of a format, importing it only when needed."""
    # trafilatura takes a second to import: a JSON Lines ingest should not pay for it.
    module, name = READERS[fmt].split(":")
    return getattr(importlib.import_module(module), name)
