"""Open an input file as a stream of its bytes, through gzip when compressed.

Nothing is read ahead: decompression happens as the reader asks for bytes, so a small
file that expands to gigabytes costs no more memory than a chunk.
"""
from __future__ import annotations

import gzip
import io
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Protocol

from corpus.problems import ReadError

READ_ERRORS = (OSError, EOFError, zlib.error)


class BufferedBytes(Protocol):
    """A buffered binary stream: read1 returns what one read of the layer below gives."""

    def read1(self, size: int = ..., /) -> bytes: ...


class InputStream(io.RawIOBase):
    """A file's bytes that end quietly where the data breaks off, remembering why."""

    def __init__(self, inner: BufferedBytes, gzipped: bool):
        super().__init__()
        self._inner, self._gzipped = inner, gzipped
        self._given = 0
        self.damage: str | None = None      # why the bytes ended early, for the file's report

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        """Fill buffer from the file; at damage, end the stream if anything came before it."""
        if self.damage:
            return 0
        try:
            data = self._inner.read1(len(buffer))
        except READ_ERRORS as exc:
            self._end_at(exc)
            return 0
        buffer[:len(data)] = data
        self._given += len(data)
        return len(data)

    def _end_at(self, exc: BaseException) -> None:
        """Keep what came before damage; refuse a stream damaged from its first byte."""
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if not self._given:
            if self._gzipped:
                raise ReadError(f"not a readable gzip file ({reason})") from None
            raise exc
        # A cut-off last line is a bad record of its own; the reader reports it as such.
        what = "damaged gzip stream" if self._gzipped else "read error"
        self.damage = f"{what} ({reason}); read what came before it"


@contextmanager
def open_input(path: Path, gzipped: bool) -> Iterator[InputStream]:
    """Open a file for reading as a stream, decompressing it on the way when gzipped."""
    with path.open("rb") as raw:
        if not gzipped:
            yield InputStream(raw, gzipped=False)
            return
        if not raw.peek(1):
            raise ReadError("empty file (0 bytes, not even a gzip header)")
        with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
            yield InputStream(unzipped, gzipped=True)
