"""Scraped page text: `Title | [Page N |] Outlet`, the article, then sections of briefs."""
from __future__ import annotations

import re
from typing import Iterator

from corpus.decode import decode_text
from corpus.document import Document, clean_paragraphs, normalise_text
from corpus.problems import ReadError

SEPARATOR = " | "
BRIEF_HEADER = re.compile(r"^\s*\S.{0,80}?\bin brief\s*:?\s*$", re.IGNORECASE)
MORE_MARKER = re.compile(r"\s*(?:\.{2,}|…)\s*More\s*$")


def is_page_format(first_line: str) -> bool:
    """Tell the page format by the separator in its title line."""
    return SEPARATOR in first_line


def read_page(data: bytes, location: str | None = None) -> Iterator[Document]:
    """Yield the page's article, then one brief per line of each `... in Brief` section."""
    lines = decode_text(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ReadError("empty file")
    title, source = parse_title_line(lines[0])
    body, briefs = split_briefs(lines[1:])
    article = Document(title=title, text=drop_repeated_title(clean_paragraphs(body), title),
                       source=source)
    yield article
    for brief in briefs:
        yield Document(title=None, text=brief, kind="brief", source=source, parent_id=article.id)


def parse_title_line(line: str) -> tuple[str | None, str | None]:
    """Split `Title | Page 2 | Outlet` into title and outlet; a plain line is all title."""
    parts = [part.strip() for part in line.split(SEPARATOR)]
    if len(parts) == 1:
        return parts[0] or None, None
    return parts[0] or None, parts[-1] or None


def split_briefs(lines: list[str]) -> tuple[str, list[str]]:
    """Separate the article body from the brief lines under `... in Brief` headers."""
    body: list[str] = []
    briefs: list[str] = []
    in_briefs = False
    for line in lines:
        if BRIEF_HEADER.match(line):
            in_briefs = True
        elif in_briefs and line.strip():
            briefs.append(MORE_MARKER.sub("", line.strip()))
        elif not in_briefs:
            body.append(line)
    return "\n".join(body), [b for b in briefs if b]


def drop_repeated_title(text: str, title: str | None) -> str:
    """Scraped pages often repeat the headline as the first paragraph; keep it once."""
    first, _, rest = text.partition("\n\n")
    if title and normalise_text(first) == normalise_text(title):
        return rest
    return text
