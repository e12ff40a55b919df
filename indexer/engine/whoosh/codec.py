"""How postings are written: positions for exact words only, short lists inlined.

WordPositions, the format of the title and text fields, keeps the positions of exact
words (phrases need them) in one byte per gap, and none for marked stems (analysis.py):
a stem is only ever looked up as a single word (StemmedText), which needs the count
only. Whoosh's Positions writes a 4-byte count and a pickled list of gaps for every
posting, stems included; measured on 3,000 Reuters documents, dropping the stems'
positions made the index 5.52x the raw text instead of 6.96x, and the byte gaps 4.72x
with inlining (below) instead of 5.03x.


Most words of a news collection occur in one to three documents. Whoosh 2.7.4 writes each
such posting list as a block of its own in the postings file: a header, a pickled block
info and a zlib stream for a few bytes of postings; at commit that is most of the work.
W3Codec has an `inlinelimit` that puts short lists in the term's entry instead, read back
through a ListMatcher, but its writer calls `terminfo.set_inline`, which does not exist
(W3TermInfo has `set_inlined`), so any limit above the default 1 (never inline) crashes.
This codec fixes that one call. Measured on 2,000 Reuters documents: the commit took 6.0 s
instead of 12.5 s, and the index was 7.00x the raw text instead of 7.48x.

Writing a segment's postings, Whoosh reads the document's field length for every posting
(for the blocks' length bounds) from the column file it has just written: a seek and an
unpack per posting, 15% of a commit's time on Arabic news. The field writer here reads
each field's lengths once, into a list, and looks them up there; the values, and so the
files, are the same.
"""
from __future__ import annotations

import pickle
import sys
from array import array
from collections import defaultdict
from itertools import accumulate
from operator import sub
from typing import Iterator

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.formats import Positions, tokens

from indexer.text.stems import STEM_MARK

INLINE_LIMIT = 4      # posting lists shorter than this live in the term table
# The first byte of a posting's value says how the rest reads.
SMALL_GAPS, WIDE_GAPS, STEM_COUNT, WIDE_STEM_COUNT = 0, 1, 2, 3


class WordPositions(Positions):
    """Positions of exact words as gaps (a byte each when all are < 256); a marked stem's
    posting holds its count only, so asking a stem for positions is an error."""

    def word_values(self, value, analyzer, **kwargs) -> Iterator[tuple[str, int, float, bytes]]:
        positions: dict[str, list[int]] = defaultdict(list)
        kwargs["positions"] = kwargs["boosts"] = True
        for token in tokens(value, analyzer, kwargs):
            positions[token.text].append(token.pos)
        return self.postings(positions)

    def postings(self, positions: dict[str, list[int]]) -> Iterator[tuple[str, int, float, bytes]]:
        """(term, count, weight, value) of each term of one field, from its positions.

        The weight is the count: the field's tokens all weigh 1.0 (no analyzer here sets a
        token boost), and Whoosh's weight is the sum of its tokens' boosts.
        """
        boost = self.field_boost
        for word, places in positions.items():
            count = len(places)
            if word.startswith(STEM_MARK):
                encoded = stem_count(count)
            elif count == 1 and places[0] < 256:      # most words: once in a document
                encoded = bytes((SMALL_GAPS, places[0]))
            else:
                encoded = self.encode(places)
            yield word, count, float(count) * boost, encoded

    def encode(self, poslist):
        gaps = [poslist[0], *map(sub, poslist[1:], poslist)] if poslist else []
        if max(gaps, default=0) < 256:
            return bytes((SMALL_GAPS, *gaps))
        return bytes((WIDE_GAPS,)) + little_endian(gaps).tobytes()

    def decode_positions(self, valuestring):
        kind, rest = valuestring[0], valuestring[1:]
        if kind == SMALL_GAPS:
            return list(accumulate(rest))
        if kind == WIDE_GAPS:
            return list(accumulate(from_little_endian(rest)))
        raise ValueError("a marked stem's posting keeps no positions")

    def decode_frequency(self, valuestring):
        kind, rest = valuestring[0], valuestring[1:]
        if kind in (SMALL_GAPS, STEM_COUNT):
            return len(rest) if kind == SMALL_GAPS else rest[0]
        return len(rest) // 4 if kind == WIDE_GAPS else from_little_endian(rest)[0]

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def decode_position_boosts(self, valuestring):
        return [(pos, 1) for pos in self.decode_positions(valuestring)]


def stem_count(count: int) -> bytes:
    """A stem posting's value: its count in the field."""
    if count < 256:
        return bytes((STEM_COUNT, count))
    return bytes((WIDE_STEM_COUNT,)) + little_endian([count]).tobytes()


def little_endian(numbers: list[int]) -> array:
    values = array("I", numbers)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def from_little_endian(data: bytes) -> list[int]:
    values = array("I", data)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tolist()


class CompactTermInfo(W3TermInfo):
    """W3TermInfo whose inlined postings are pickled with the current protocol.

    Whoosh pickles them with protocol 2, which writes each bytes value (a posting's
    positions) as a call to _codecs.encode of a latin-1 string: 72 bytes for a one-posting
    list that protocol 5 writes in 36. Most terms of a news collection have one posting,
    so this is a large part of the term table. Any protocol reads back (from_bytes loads).
    """

    def to_bytes(self) -> bytes:
        data = super().to_bytes()
        if not self.is_inlined():
            return data
        return data[:self._struct.size] + pickle.dumps(self._inlined, pickle.HIGHEST_PROTOCOL)


class InliningPostingsWriter(W3PostingsWriter):
    """W3PostingsWriter whose short posting lists are inlined without crashing, and
    pickled compactly (CompactTermInfo)."""

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, CompactTermInfo())

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # A format without values (ID, KEYWORD) gives none; the ListMatcher that reads
            # inlined postings back would then hand a merge "" (str) for each, which the
            # writer refuses: give it an empty value per posting.
            values = tuple(self._values) or (b"",) * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None        # between terms, as the parent leaves it
            return terminfo
        return super().finish_postings()


class FieldLengths:
    """A segment's per-document reader's field lengths, each field's read once."""

    def __init__(self, reader):
        self.reader = reader
        self.by_field: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.by_field.get(fieldname)
        if lengths is None:
            read = self.reader.doc_field_length
            lengths = self.by_field[fieldname] = [
                read(number, fieldname) for number in range(self.reader.doc_count_all())]
        return lengths[docnum] if docnum < len(lengths) else default


class LengthReadingFieldWriter(W3FieldWriter):
    """W3FieldWriter whose postings take their documents' field lengths from FieldLengths."""

    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, FieldLengths(lengths) if lengths else None, items)


class InliningCodec(W3Codec):
    """The default codec (W3Codec), with short posting lists inlined and field lengths
    read once per field when a segment is written."""

    def __init__(self, inlinelimit: int = INLINE_LIMIT):
        super().__init__(inlinelimit=inlinelimit)

    def field_writer(self, storage, segment):
        return LengthReadingFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression,
                                      inlinelimit=self._inlinelimit)
