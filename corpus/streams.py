"""Read input in bounded pieces: chunks, lines under an item limit, whole documents under a cap.

Memory stays flat whatever the input's size: no function here holds more than one item
(or one capped document) and one chunk at a time.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO, Callable, Generic, Iterable, Iterator, Protocol, TypeVar

from corpus.problems import ReadError

MB = 1024 * 1024
MAX_ITEM_BYTES = 10 * MB        # one JSON line, one page's article, one brief
MAX_DOCUMENT_BYTES = 50 * MB    # a feed or an HTML page: their parsers need the whole document
CHUNK_BYTES = 64 * 1024

Text = TypeVar("Text", bytes, str)


class ByteStream(Protocol):
    """What reading in pieces needs of a stream: read (read1 too, when it has one).

    An open binary file, a GzipFile and the raw InputStream of corpus/sources.py all
    qualify; a raw stream's read is typed bytes | None (None only when non-blocking).
    """

    def read(self, size: int = ..., /) -> bytes | None: ...


@dataclass(frozen=True)
class Line(Generic[Text]):
    """One line without its newline: number from 1, content (None when over the limit), size."""

    number: int
    content: Text | None
    size: int


def as_stream(source: bytes | BinaryIO) -> BinaryIO:
    """Let a reader take bytes (small inputs, tests) or an open binary stream alike."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    return source


def read_chunks(stream: ByteStream, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield the rest of a stream in pieces of at most size bytes."""
    read = getattr(stream, "read1", stream.read)
    while chunk := read(size):
        yield chunk


def read_upto(stream: ByteStream, size: int) -> bytes:
    """Read size bytes, fewer only where the stream ends."""
    read = getattr(stream, "read1", stream.read)
    parts, got = [], 0
    # Asking for small pieces: a raw stream allocates the whole request on every call.
    while got < size and (chunk := read(min(size - got, CHUNK_BYTES))):
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def read_document(source: bytes | BinaryIO, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """Read a whole document, refusing one over the limit without reading past it."""
    data = read_upto(as_stream(source), limit + 1)
    if len(data) > limit:
        raise ReadError(f"over {limit // MB} MB once decompressed: feeds and HTML pages "
                        "are read whole, so larger ones are refused")
    return data


def split_lines(chunks: Iterable[Text], limit: int = MAX_ITEM_BYTES,
                measure: Callable[[Text], int] = len) -> Iterator[Line[Text]]:
    """Split chunks at each newline; a line over the limit keeps only its number and size."""
    number, pending, size = 1, [], 0
    newline = None
    for chunk in chunks:
        newline = newline or (b"\n" if isinstance(chunk, bytes) else "\n")
        start = 0
        while True:
            end = chunk.find(newline, start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            size += measure(piece)
            if size <= limit:
                pending.append(piece)
            else:
                pending.clear()      # past the limit only the count goes on
            if end < 0:
                break
            yield _line(number, pending, size, limit, newline)
            number, pending, size, start = number + 1, [], 0, end + 1
    if size:
        yield _line(number, pending, size, limit, newline)


def _line(number: int, pieces: list, size: int, limit: int, newline) -> Line:
    return Line(number, newline[:0].join(pieces) if size <= limit else None, size)


def utf8_size(text: str) -> int:
    """The size of text in UTF-8 bytes, the unit the item limit is given in."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def size_words(size: int) -> str:
    """Say a size for a report: '10 MB', '52.4 MB', '5,030 bytes'."""
    if size < MB:
        return f"{size:,} bytes"
    return f"{size // MB} MB" if size % MB == 0 else f"{size / MB:.1f} MB"
