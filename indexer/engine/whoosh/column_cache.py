"""One segment's column values as arrays, and the file beside the segment that keeps them.

Reading the columns through Whoosh walks every document in Python (~1 s at 100k); the
arrays load from a cache file in milliseconds. A segment never changes after its commit
(deletions are kept in the TOC, not in the segment), so the file of a segment is written
once, by the first reader that finds it missing (written aside, then renamed), and is
valid for as long as the segment exists. Its name is the segment's own file name stem
(`MAIN_<segid>.mmcols`), so Whoosh's clean-up deletes it with the segment after a merge;
the header names the segment and its document count, and any file that does not match
them, is cut short or fails its checksum is ignored. A reader that cannot write the file
(a read-only index folder) just reads the columns.
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from indexer.engine.whoosh.schema import FACETS, VALUE_SEPARATOR, facet_key

SUFFIX = ".mmcols"
CANDIDATES_SUFFIX = ".mmcand"
MAGIC = b"MMCOLS01"
VERSION = 2                     # bump when the file's layout or content changes
ID_SEPARATOR = "\x00"           # joins ids, keys and labels in the file; never in one
_HEAD = struct.Struct("<8sII")  # magic, header length, payload checksum (crc32)


@dataclass
class FacetColumn:
    """A facet's distinct folded keys per document: CSR offsets into codes of `keys`."""

    offsets: np.ndarray          # int64, docs + 1
    codes: np.ndarray            # int32 positions in keys, deduplicated per document
    keys: list[str]              # folded keys, in first-seen order
    labels: list[str]            # the display value first seen for each key


@dataclass
class Signatures(Sequence[bytes]):
    """Near-duplicate signatures as one blob: signatures[d] is bytes (b"" for none)."""

    blob: bytes
    offsets: np.ndarray          # int64, docs + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[d] for d in range(len(self))[index]]
        index = index + len(self) if index < 0 else index
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.blob[int(self.offsets[index]):int(self.offsets[index + 1])]


@dataclass
class SegmentColumns:
    """One segment's columns; segments never change, so a reopened searcher reuses them."""

    ids: list[str]
    days: np.ndarray             # int32 YYYYMMDD, UNDATED_DAY for undated documents
    timestamps: np.ndarray       # int64 epoch seconds
    signatures: Signatures
    facets: dict[str, FacetColumn]


# ---- from Whoosh's columns (the slow way) ---------------------------------------------

def read_columns(leaf) -> SegmentColumns:
    """Read one segment's columns through Whoosh (a segment may lack a column file)."""
    signatures = [bytes(s) for s in leaf.column_reader("nearsig")]
    return SegmentColumns(
        ids=list(leaf.column_reader("id")),
        days=np.fromiter(leaf.column_reader("day"), dtype=np.int32),
        timestamps=np.fromiter(leaf.column_reader("timestamp"), dtype=np.int64),
        signatures=Signatures(b"".join(signatures), _offsets(len(s) for s in signatures)),
        facets={name: fold_column(leaf.column_reader(name)) for name in FACETS})


def fold_column(values) -> FacetColumn:
    """Split joined display values into folded keys, remembering a label per key."""
    code_of: dict[str, int] = {}
    labels: list[str] = []
    folded: dict[object, list[int]] = {}     # a joined value repeats: fold it once
    codes: list[int] = []
    lengths: list[int] = []
    for value in values:
        found = folded.get(value)
        if found is None:
            text = value.decode("utf-8") if isinstance(value, bytes) else (value or "")
            found = []
            for name in (v for v in text.split(VALUE_SEPARATOR) if v):
                key = facet_key(name)
                if key not in code_of:
                    code_of[key] = len(labels)
                    labels.append(name)
                if code_of[key] not in found:
                    found.append(code_of[key])
            folded[value] = found
        codes += found
        lengths.append(len(found))
    return FacetColumn(_offsets(lengths), np.array(codes, dtype=np.int32), list(code_of), labels)


def _offsets(lengths) -> np.ndarray:
    lengths = np.fromiter(lengths, dtype=np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


# ---- the cache file -------------------------------------------------------------------

def cache_path(folder: Path, segment_id: str) -> Path:
    return folder / f"{segment_id}{SUFFIX}"


def segment_columns(leaf) -> SegmentColumns:
    """The segment's columns from its cache file, or read and (when possible) cached."""
    segment_id, docs = leaf.segment().segment_id(), leaf.doc_count_all()
    folder = folder_of(leaf)
    if folder is None:
        return read_columns(leaf)       # an index in memory: nothing to keep
    path = cache_path(folder, segment_id)
    try:
        return decode(mapped(path), segment_id, docs)
    except (OSError, ValueError, KeyError, TypeError):
        pass                            # missing, stale, cut short or garbled: read again
    columns = read_columns(leaf)
    try:
        write_aside(path, encode(columns, segment_id))
    except ValueError:
        pass                            # a text the file cannot hold: read columns each time
    return columns


def mapped(path: Path) -> mmap.mmap:
    """The file's bytes mapped read-only: the arrays decoded from it are views, not copies
    (a copy of a 35 MB cache at 100k documents was a tenth of a new process's first search).
    The mapping outlives a deletion of the file by Whoosh's clean-up, as its views need."""
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)   # ValueError if empty


def folder_of(leaf) -> Path | None:
    """The index folder of a segment's reader (None in memory); a compound segment's
    reader overlays its compound file on the folder's storage (b)."""
    storage = getattr(leaf, "_storage", None)
    storage = getattr(storage, "b", storage)
    folder = getattr(storage, "folder", None)
    return Path(folder) if folder else None


def write_aside(path: Path, data: bytes) -> bool:
    """Write data to path atomically (aside, then rename); False if the folder is read-only."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return True
    except OSError:
        temporary.unlink(missing_ok=True)   # may fail too on a read-only folder: harmless
        return False


def candidates_path(folder: Path, segments: list[tuple[str, int]]) -> Path:
    """The file of the copy candidates of one set of segments (ids and document counts).

    Named like a segment file of a segment that never exists (`MAIN_c<hash>`), so
    Whoosh's clean-up after the next commit deletes it: any commit changes the set.
    """
    index_name = segments[0][0].rsplit("_", 1)[0]
    digest = hashlib.sha1(json.dumps(segments).encode("utf-8")).hexdigest()[:24]
    return folder / f"{index_name}_c{digest}{CANDIDATES_SUFFIX}"


def encode_positions(positions: np.ndarray, docs: int) -> bytes:
    """A sorted array of document numbers, with the count of documents they are among."""
    payload = struct.pack("<I", docs) + positions.astype("<i4").tobytes()
    return _HEAD.pack(MAGIC, 0, zlib.crc32(payload)) + payload


def decode_positions(data: bytes, docs: int) -> np.ndarray:
    """The array encode_positions wrote; ValueError unless it is whole and of `docs`."""
    if len(data) < _HEAD.size + 4 or (len(data) - _HEAD.size - 4) % 4:
        raise ValueError("cut short")
    magic, _length, checksum = _HEAD.unpack_from(data)
    payload = memoryview(data)[_HEAD.size:]
    if magic != MAGIC or zlib.crc32(payload) != checksum:
        raise ValueError("not a candidates file, or garbled")
    if struct.unpack_from("<I", payload)[0] != docs:
        raise ValueError("another index's candidates")
    return np.frombuffer(data, dtype="<i4", offset=_HEAD.size + 4)


def encode(columns: SegmentColumns, segment_id: str) -> bytes:
    """The cache file of one segment: a JSON header (names, vocabularies) then raw arrays."""
    arrays: list[tuple[str, np.ndarray]] = [
        ("ids", _joined(columns.ids)),
        ("days", columns.days.astype(np.int32)), ("timestamps", columns.timestamps.astype(np.int64)),
        ("signatures", np.frombuffer(columns.signatures.blob, dtype=np.uint8)),
        ("signature_offsets", columns.signatures.offsets)]
    for name, facet in columns.facets.items():
        arrays += [(f"{name}.offsets", facet.offsets), (f"{name}.codes", facet.codes),
                   (f"{name}.keys", _joined(facet.keys)), (f"{name}.labels", _joined(facet.labels))]
    layout, position = [], 0
    for name, array in arrays:
        layout.append([name, array.dtype.str, len(array), position])
        position += array.nbytes
    header = json.dumps({
        "version": VERSION, "segment": segment_id, "docs": len(columns.ids), "arrays": layout,
        "facets": list(columns.facets)}).encode("utf-8")
    payload = header + b"".join(array.tobytes() for _name, array in arrays)
    return _HEAD.pack(MAGIC, len(header), zlib.crc32(payload)) + payload


def _joined(texts: list[str]) -> np.ndarray:
    """Texts as one UTF-8 array, joined by a separator none of them holds (else ValueError)."""
    if any(ID_SEPARATOR in text for text in texts):
        raise ValueError("a text holds the separator")
    return np.frombuffer(ID_SEPARATOR.join(texts).encode("utf-8"), dtype=np.uint8)


def _split(joined: np.ndarray) -> list[str]:
    text = joined.tobytes().decode("utf-8")
    return text.split(ID_SEPARATOR) if text else []


def decode(data: bytes | mmap.mmap, segment_id: str, docs: int) -> SegmentColumns:
    """The columns a cache file holds; ValueError unless it is whole and of this segment."""
    if len(data) < _HEAD.size:
        raise ValueError("cut short")
    magic, header_length, checksum = _HEAD.unpack_from(data)
    payload = memoryview(data)[_HEAD.size:]
    if magic != MAGIC or zlib.crc32(payload) != checksum:
        raise ValueError("not a column cache, or garbled")
    header = json.loads(bytes(payload[:header_length]))
    if (header.get("version"), header.get("segment"), header.get("docs")) != (VERSION, segment_id, docs):
        raise ValueError("another segment's or another version's cache")
    start = _HEAD.size + header_length
    arrays = {name: np.frombuffer(data, dtype=np.dtype(kind), count=count, offset=start + at)
              for name, kind, count, at in header["arrays"]}
    ids = _split(arrays["ids"])
    facets = {name: FacetColumn(arrays[f"{name}.offsets"], arrays[f"{name}.codes"],
                                _split(arrays[f"{name}.keys"]), _split(arrays[f"{name}.labels"]))
              for name in header["facets"]}
    if len(ids) != docs or set(facets) != set(FACETS) or any(
            len(f.keys) != len(f.labels) or len(f.offsets) != docs + 1 for f in facets.values()):
        raise ValueError("the cache does not hold every document")
    return SegmentColumns(ids, arrays["days"], arrays["timestamps"],
                          Signatures(arrays["signatures"].tobytes(), arrays["signature_offsets"]),
                          facets)
