"""Turn a text file's bytes into str piece by piece, whatever encoding it was saved in."""
from __future__ import annotations

import codecs
from typing import Iterable, Iterator

from charset_normalizer import from_bytes

from corpus.problems import ReadError

BINARY_CONTROL_SHARE = 0.05
SAMPLE_BYTES = 64 * 1024      # what the encoding is judged on
# UTF-32 first: its little-endian BOM begins with UTF-16's. Both codecs read and drop the BOM.
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(sample: bytes, complete: bool) -> str:
    """Name the codec of a text from its first bytes: UTF-8 (with or without BOM), else a guess."""
    if b"\x00" in sample[:4096] and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary file, not text")
    for bom, encoding in UNICODE_BOMS:
        if sample.startswith(bom):
            return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    if not complete and b"\n" in sample:
        # Without a UTF-16/32 BOM the text is ASCII-compatible (NULs were refused above), so
        # a newline ends a character: the guess does not see one cut in half at the end.
        sample = sample[:sample.rindex(b"\n") + 1]
    best = from_bytes(sample).best()
    if best is None:
        raise ReadError("unknown text encoding")
    text = str(best)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > BINARY_CONTROL_SHARE * min(len(text), 4096):
        raise ReadError("binary file, not text")
    return best.encoding


class StreamDecoder:
    """Decode chunks of one encoding; bytes that do not fit it become U+FFFD, noted once."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self.damaged = False
        self._decoder = codecs.getincrementaldecoder(encoding)("strict")
        self._started = False

    def decode(self, chunks: Iterable[bytes]) -> Iterator[str]:
        """Yield the text of each chunk, then whatever the decoder still held at the end."""
        for chunk in chunks:
            yield self._decode(chunk, final=False)
        yield self._decode(b"", final=True)

    def _decode(self, chunk: bytes, final: bool) -> str:
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            # A failed call leaves the decoder's state as it was: decode the chunk again.
            self.damaged = True
            self._decoder.errors = "replace"
            text = self._decoder.decode(chunk, final)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        return text


def universal_newlines(pieces: Iterable[str]) -> Iterator[str]:
    """Turn \\r\\n and lone \\r into \\n, even when a \\r\\n pair is split between pieces."""
    held = ""
    for piece in pieces:
        piece = held + piece
        held = "\r" if piece.endswith("\r") else ""
        piece = piece[:-1] if held else piece
        yield piece.replace("\r\n", "\n").replace("\r", "\n")
    if held:
        yield "\n"
