"""Per-document values read once per searcher from Whoosh columns: sort keys and facets.

Whoosh's groupedby and DateRangeFacet cost up to seconds a query (WHOOSH.md); plain
lists indexed by document number let facets, the histogram and date sorts be counted
in Python over the matching document numbers.
"""
from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field

from indexer.engine.whoosh.schema import FACETS, UNDATED_DAY, VALUE_SEPARATOR, facet_key
from indexer.search.near_duplicates import band_keys, sharing_a_band


@dataclass
class DocTable:
    """Column values of every document in a searcher, by global document number."""

    ids: list[str]
    days: list[int]          # YYYYMMDD, UNDATED_DAY for documents dated by ingest time
    timestamps: list[int]
    facets: dict[str, list[tuple[str, ...]]]   # folded keys per document
    labels: dict[str, dict[str, str]]          # folded key -> value as first seen
    signatures: list[bytes]  # near-duplicate MinHash signatures, b"" for none
    _band_keys: dict[int, list[bytes]] = field(default_factory=dict, repr=False)
    _copy_candidates: set[int] | None = field(default=None, repr=False)

    def copy_candidates(self) -> set[int]:
        """Documents sharing a band key with another: the only ones that can collapse."""
        if self._copy_candidates is None:
            self._copy_candidates = sharing_a_band(self.signatures)
        return self._copy_candidates

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


@dataclass
class SegmentColumns:
    """One segment's columns; segments never change, so a reopened searcher reuses them."""

    ids: list[str]
    days: list[int]
    timestamps: list[int]
    signatures: list[bytes]
    facets: dict[str, list[tuple[str, ...]]]
    labels: dict[str, dict[str, str]]


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
        ids, days, stamps, signatures = [], [], [], []
        facets: dict[str, list] = {name: [] for name in FACETS}
        labels: dict[str, dict[str, str]] = {name: {} for name in FACETS}
        used = {}
        for leaf, _offset in reader.leaf_readers():
            if not leaf.doc_count_all():
                continue      # an empty index's reader has no columns at all
            key = leaf.segment().segment_id()
            part = used[key] = self._segments.get(key) or read_segment(leaf)
            ids += part.ids
            days += part.days
            stamps += part.timestamps
            signatures += part.signatures
            for name in FACETS:
                facets[name] += part.facets[name]
                for folded, label in part.labels[name].items():
                    labels[name].setdefault(folded, label)
        self._segments = used
        return DocTable(ids, days, stamps, facets, labels, signatures)


def read_segment(leaf) -> SegmentColumns:
    """Read one segment's columns (a segment may lack a column file)."""
    facets, labels = {}, {}
    for name in FACETS:
        facets[name], labels[name] = _fold_column(_column(leaf, name))
    return SegmentColumns(_column(leaf, "id"), _column(leaf, "day"), _column(leaf, "timestamp"),
                          _column(leaf, "nearsig"), facets, labels)


def _column(leaf, name: str) -> list:
    return list(leaf.column_reader(name))


def _fold_column(values: list) -> tuple[list[tuple[str, ...]], dict[str, str]]:
    """Split joined display values into folded keys, remembering a label per key."""
    labels: dict[str, str] = {}
    folded: dict[object, tuple[str, ...]] = {}
    keys = []
    for value in values:
        if value not in folded:
            text = value.decode("utf-8") if isinstance(value, bytes) else (value or "")
            names = [v for v in text.split(VALUE_SEPARATOR) if v]
            for name in names:
                labels.setdefault(facet_key(name), name)
            folded[value] = tuple(dict.fromkeys(facet_key(n) for n in names))
        keys.append(folded[value])
    return keys, labels


def count_facets(table: DocTable, docnums) -> dict[str, dict[str, int]]:
    """Count every facet's values over the matching documents, by display label."""
    counts = {}
    for facet in FACETS:
        column, labels = table.facets[facet], table.labels[facet]
        per_key = Counter(key for d in docnums for key in column[d])
        counts[facet] = {labels[key]: n for key, n in per_key.items()}
    return counts
