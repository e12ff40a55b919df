"""Turn the bytes of a text file into str, whatever encoding it was saved in."""
from __future__ import annotations

from charset_normalizer import from_bytes

from corpus.problems import ReadError

BINARY_CONTROL_SHARE = 0.05


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or, failing that, the best guess of charset_normalizer."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError("unknown text encoding")
    text = str(best)
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > BINARY_CONTROL_SHARE * min(len(text), 4096):
        raise ReadError("binary file, not text")
    return text
