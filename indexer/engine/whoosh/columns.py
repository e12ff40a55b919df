"""Per-document values of a searcher, by global document number: sort keys and facets.

Whoosh's groupedby and DateRangeFacet cost up to seconds a query (WHOOSH.md); arrays
indexed by document number let facets, the histogram and date sorts be counted over the
matching document numbers. Each segment's arrays come from its cache file
(column_cache.py) and are joined here; facets and days are counted with numpy over the
matches, not per document in Python.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np

from indexer.engine.fields import UNDATED_DAY
from indexer.engine.whoosh.column_cache import (
    FacetColumn,
    SegmentColumns,
    Signatures,
    candidates_path,
    decode_positions,
    encode_positions,
    folder_of,
    segment_columns,
    write_aside,
)
from indexer.engine.whoosh.schema import FACETS
from indexer.search.near_duplicates import BANDS, PERMUTATIONS, band_keys

_SIGNATURE_SIZE = 4 * PERMUTATIONS


@dataclass
class DocTable:
    """Column values of every document in a searcher, by global document number."""

    ids: list[str]
    days: list[int]          # YYYYMMDD, UNDATED_DAY for documents dated by ingest time
    timestamps: list[int]
    day_array: np.ndarray    # days again, for counting over many documents at once
    facets: dict[str, FacetColumn]
    signatures: Signatures   # near-duplicate MinHash signatures, b"" for none
    candidates_file: Path | None = None   # where the copy candidates are kept, if anywhere
    _band_keys: dict[int, list[bytes]] = field(default_factory=dict, repr=False)
    _copy_candidates: set[int] | None = field(default=None, repr=False)

    def copy_candidates(self) -> set[int]:
        """Documents sharing a band key with another: the only ones that can collapse.

        Kept in a file for the table's set of segments: finding them costs ~70 ms at
        100k documents, reading them a millisecond.
        """
        if self._copy_candidates is None:
            self._copy_candidates = set(self._read_candidates().tolist())
        return self._copy_candidates

    def _read_candidates(self) -> np.ndarray:
        if self.candidates_file is not None:
            try:
                return decode_positions(self.candidates_file.read_bytes(), len(self.ids))
            except (OSError, ValueError):
                pass                   # missing, garbled or another index's: find them again
        found = sharing_a_band(self.signatures)
        if self.candidates_file is not None:
            write_aside(self.candidates_file, encode_positions(found, len(self.ids)))
        return found

    def band_keys(self, docnum: int) -> list[bytes]:
        """A document's LSH band keys, cut from its signature the first time asked."""
        keys = self._band_keys.get(docnum)
        if keys is None:
            keys = self._band_keys[docnum] = band_keys(self.signatures[docnum])
        return keys

    def newest_key(self, docnum: int) -> tuple:
        """Dated before undated, newer first, then id."""
        return (self.days[docnum] == UNDATED_DAY, -self.timestamps[docnum], self.ids[docnum])

    def oldest_key(self, docnum: int) -> tuple:
        """Dated before undated, older first, then id."""
        return (self.days[docnum] == UNDATED_DAY, self.timestamps[docnum], self.ids[docnum])


class ColumnCache:
    """The column tables of one index's searchers, and the segments they were read from.

    Segments never change, so after a commit only the new segment is read (and a merged
    one, when Whoosh merges); a table is kept for as long as its searcher lives.
    """

    def __init__(self) -> None:
        self._tables: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._segments: dict[str, SegmentColumns] = {}

    def table(self, searcher) -> DocTable:
        """Return the searcher's table, reading the columns the first time it is asked."""
        table = self._tables.get(searcher)
        if table is None:
            table = self._tables[searcher] = self._read_table(searcher.reader())
        return table

    def _read_table(self, reader) -> DocTable:
        """Join the columns of every segment (read once per segment) into one table."""
        parts, used, segments, folder = [], {}, [], None
        for leaf, _offset in reader.leaf_readers():
            if not leaf.doc_count_all():
                continue      # an empty index's reader has no columns at all
            key = leaf.segment().segment_id()
            part = used[key] = self._segments.get(key) or segment_columns(leaf)
            parts.append(part)
            segments.append((key, leaf.doc_count_all()))
            folder = folder_of(leaf)
        self._segments = used
        table = join_segments(parts)
        if folder is not None and segments:
            table.candidates_file = candidates_path(folder, segments)
        return table


def join_segments(parts: list[SegmentColumns]) -> DocTable:
    """One table of the segments' columns, in segment order (Whoosh's document numbers)."""
    ids: list[str] = []
    for part in parts:
        ids += part.ids
    days = _concatenate([p.days for p in parts], np.int32)
    stamps = _concatenate([p.timestamps for p in parts], np.int64)
    signatures = Signatures(
        b"".join(p.signatures.blob for p in parts),
        _join_offsets([p.signatures.offsets for p in parts]))
    facets = {name: join_facet([p.facets[name] for p in parts]) for name in FACETS}
    return DocTable(ids, days.tolist(), stamps.tolist(), days, facets, signatures)


def join_facet(columns: list[FacetColumn]) -> FacetColumn:
    """One facet column of several segments: their keys merged, codes renumbered.

    A key keeps the label it was first seen with, in segment order then document order.
    """
    if not columns:
        return FacetColumn(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), [], [])
    if len(columns) == 1:
        return columns[0]                     # one segment: its codes are the table's
    first = columns[0]
    code_of = dict(zip(first.keys, range(len(first.keys)), strict=True))
    labels = list(first.labels)
    codes = [first.codes]
    for column in columns[1:]:
        for key, label in zip(column.keys, column.labels, strict=True):
            if key not in code_of:
                code_of[key] = len(labels)
                labels.append(label)
        renumber = np.array([code_of[key] for key in column.keys], dtype=np.int32)
        codes.append(renumber[column.codes] if len(column.codes) else column.codes)
    return FacetColumn(_join_offsets([c.offsets for c in columns]),
                       _concatenate(codes, np.int32), list(code_of), labels)


def _concatenate(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


def _join_offsets(offsets: list[np.ndarray]) -> np.ndarray:
    """CSR offsets of consecutive parts: each part's offsets shifted by what came before."""
    joined, shift = [], 0
    for part in offsets:
        joined.append(part[:-1] + shift)
        shift += int(part[-1])
    joined.append(np.array([shift], dtype=np.int64))
    return np.concatenate(joined).astype(np.int64, copy=False)


def sharing_a_band(signatures: Signatures) -> np.ndarray:
    """The documents whose signature shares one of its band keys with another document.

    As near_duplicates.sharing_a_band, with numpy: each band key (ROWS 32-bit values, two
    64-bit words) is hashed into one 64-bit word and the repeated hashes found by sorting.
    A hash collision only adds a document that clusters() then finds alone, so the set
    may be larger than the exact one but never misses a document that can collapse.
    """
    offsets = signatures.offsets
    whole = np.flatnonzero(np.diff(offsets) == _SIGNATURE_SIZE)
    if not len(whole):
        return np.zeros(0, dtype=np.int64)
    if len(signatures.blob) == len(whole) * _SIGNATURE_SIZE:
        rows = np.frombuffer(signatures.blob, dtype="<u8")       # every signature whole
    else:
        rows = np.frombuffer(b"".join(signatures[int(d)] for d in whole), dtype="<u8")
    words = rows.reshape(len(whole), _SIGNATURE_SIZE // 8)
    shared = np.zeros(len(whole), dtype=bool)
    per_band = words.shape[1] // BANDS
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            first, second = words[:, band * per_band], words[:, band * per_band + 1]
            hashed = first * np.uint64(0x9E3779B97F4A7C15) ^ second
            ordered = np.sort(hashed)
            repeated = ordered[1:][ordered[1:] == ordered[:-1]]
            if len(repeated):
                shared |= np.isin(hashed, repeated)
    return whole[shared]


def _as_array(docnums: Iterable[int]) -> np.ndarray:
    if isinstance(docnums, np.ndarray):
        return docnums.astype(np.int64, copy=False)
    return np.fromiter(docnums, dtype=np.int64)


def count_facets(table: DocTable, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
    """Count every facet's values over the matching documents, by display label."""
    docs = _as_array(docnums)
    return {name: count_values(table.facets[name], docs) for name in FACETS}


def count_values(column: FacetColumn, docs: np.ndarray) -> dict[str, int]:
    """How many of the documents hold each value of one facet (a document counts once)."""
    starts, ends = column.offsets[docs], column.offsets[docs + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return {}
    # The positions of every selected document's codes: its start, start + 1, ... end - 1.
    before = np.cumsum(lengths) - lengths
    positions = np.repeat(starts - before, lengths) + np.arange(total)
    counts = np.bincount(column.codes[positions], minlength=len(column.labels))
    found = np.flatnonzero(counts)
    return dict(zip([column.labels[c] for c in found.tolist()], counts[found].tolist(),
                    strict=True))


def count_days(table: DocTable, docnums: Iterable[int]) -> dict[int, int]:
    """How many of the documents fall on each day number (UNDATED_DAY among them)."""
    days, counts = np.unique(table.day_array[_as_array(docnums)], return_counts=True)
    return dict(zip(days.tolist(), counts.tolist(), strict=True))
