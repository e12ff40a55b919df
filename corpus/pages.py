"""Scraped page text: `Title | [Page N |] Outlet`, the article, then sections of briefs.

Read as a stream: the article (title line and body) is one item and each brief line is
one; an item over the item limit is skipped with its line number, the rest still read.
"""
from __future__ import annotations

import re
from itertools import chain
from typing import BinaryIO, Iterable, Iterator

from corpus.decode import SAMPLE_BYTES, StreamDecoder, detect_encoding, universal_newlines
from corpus.document import Document, clean_paragraphs, normalise_text
from corpus.problems import ItemWarning, Problem, ReadError
from corpus.streams import (
    MAX_ITEM_BYTES,
    Line,
    as_stream,
    read_chunks,
    read_upto,
    size_words,
    split_lines,
    utf8_size,
)

SEPARATOR = " | "
# Matched against the stripped line: runs of spaces inside the pattern would backtrack
# quadratically on a long hostile line.
BRIEF_HEADER = re.compile(r"\S.{0,80}?\bin brief\s*:?$", re.IGNORECASE)


def is_page_format(first_line: str) -> bool:
    """Tell the page format by the separator in its title line."""
    return SEPARATOR in first_line


def read_page(source: bytes | BinaryIO, location: str | None = None,
              limit: int = MAX_ITEM_BYTES) -> Iterator[Document | Problem | ItemWarning]:
    """Yield the page's article, then one brief per line of each `... in Brief` section."""
    stream = as_stream(source)
    head = read_upto(stream, SAMPLE_BYTES)
    decoder = StreamDecoder(detect_encoding(head, complete=len(head) < SAMPLE_BYTES))
    text = universal_newlines(decoder.decode(chain([head], read_chunks(stream))))
    yield from page_items(split_lines(text, limit, utf8_size), limit)
    if decoder.damaged:
        encoding = "utf-8" if decoder.encoding == "utf-8-sig" else decoder.encoding
        yield ItemWarning(f"bytes that are not {encoding} text were replaced by �")


def page_items(lines: Iterable[Line[str]], limit: int) -> Iterator[Document | Problem]:
    """Turn the lines of a page into its article and briefs."""
    lines = iter(lines)
    first = next((line for line in lines if line.content is None or line.content.strip()), None)
    if first is None:
        raise ReadError("empty file")
    body: list[str] | None = []
    size, header = first.size, None
    for line in lines:
        if line.content is not None and is_brief_header(line.content):
            header = line
            break
        size += line.size + 1
        # A line without content is over the limit itself, so the article is too.
        if body is not None and size <= limit and line.content is not None:
            body.append(line.content)
        else:
            body = None
    parent_id = None
    if body is None or first.content is None:
        yield Problem(f"line {first.number}: the article is {size_words(size)}, over the item "
                      f"limit of {size_words(limit)}; skipped (its briefs are kept)")
    else:
        article = page_article(first.content, body)
        parent_id = article.id
        yield article
    if header is not None:
        yield from page_briefs(lines, parent_id, article_source(first), limit)


def page_article(title_line: str, body: list[str]) -> Document:
    """The page's article from its title line and the lines before its first brief section."""
    title, source = parse_title_line(title_line)
    return Document(title=title, text=drop_repeated_title(clean_paragraphs("\n".join(body)), title),
                    source=source)


def article_source(first: Line[str]) -> str | None:
    """The outlet named on the title line (None when that line was too long to keep)."""
    return parse_title_line(first.content)[1] if first.content is not None else None


def page_briefs(lines: Iterator[Line[str]], parent_id: str | None, source: str | None,
                limit: int) -> Iterator[Document | Problem]:
    """One brief per non-blank line after the first `... in Brief` header."""
    for line in lines:
        if line.content is None:
            yield Problem(f"line {line.number}: a brief of {size_words(line.size)}, over the "
                          f"item limit of {size_words(limit)}; skipped")
        elif not is_brief_header(line.content):
            text = drop_more_marker(line.content.strip())
            if text:
                yield Document(title=None, text=text, kind="brief", source=source,
                               parent_id=parent_id)


def is_brief_header(line: str) -> bool:
    """Tell a `... in Brief` section header."""
    return BRIEF_HEADER.match(line.strip()) is not None


def drop_more_marker(text: str) -> str:
    """Remove a trailing `...More` or `…More` (by hand: a regex backtracks on long dot runs)."""
    body = text.rstrip()
    if not body.endswith("More"):
        return text
    body = body[:-len("More")].rstrip()
    if body.endswith("…"):
        return body[:-1].rstrip()
    if body.endswith(".."):
        return body.rstrip(".").rstrip()
    return text


def parse_title_line(line: str) -> tuple[str | None, str | None]:
    """Split `Title | Page 2 | Outlet` into title and outlet; a plain line is all title."""
    parts = [part.strip() for part in line.split(SEPARATOR)]
    if len(parts) == 1:
        return parts[0] or None, None
    return parts[0] or None, parts[-1] or None


def drop_repeated_title(text: str, title: str | None) -> str:
    """Scraped pages often repeat the headline as the first paragraph; keep it once."""
    first, _, rest = text.partition("\n\n")
    if title and normalise_text(first) == normalise_text(title):
        return rest
    return text
