"""The Whoosh schema, and how a stored Document becomes the fields of an index entry."""
from __future__ import annotations

from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, TEXT, Schema

from corpus.document import Document
from indexer.engine.fields import (
    UNDATED_DAY,
    day_number,
    epoch_seconds,
    facet_values,
    indexed_day,
    month_key,
)
from indexer.engine.whoosh.analysis import field_analyzer, indexed_terms, text_analyzer
from indexer.engine.whoosh.codec import WordPositions
from indexer.search.facets import FACETS, facet_key
from indexer.search.near_duplicates import signature
from indexer.store.stored import stored_id

# Bump when the fields or analysis change: an index of another version is rebuilt.
SCHEMA_VERSION = 8   # 2: Persian/Arabic folding, stems beside exact words; 3: near-dup signature
                     # 4: ئ folded to ی, Persian/Arabic stems
                     # 5: the one folding table (indexer.text): ہ ھ ۀ ۂ ۃ ے ۓ, Quranic marks,
                     #    ß -> ss, casefold; near-dup signatures fold as search does
                     # 6: the ZWNJ ends a word: a Persian compound is indexed as its parts
                     # 7: day and month are the publisher's local day (published_local)
                     # 8: nothing stored (documents are read from the store by id);
                     #    positions of exact words only, as byte gaps (codec.py)
TEXT_FIELDS = ("title", "text")
# Joins a document's display values for one facet in its column; never in real names.
VALUE_SEPARATOR = "\x1f"


class StemmedText(TEXT):
    """A TEXT field whose single query words are looked up by their stems (analysis.py).

    Whoosh's parser analyses a single word through process_text (tokenize=True) and a
    quoted phrase through tokenize(); only the former asks the analyzer for stems, so a
    phrase is matched on the exact words. Wildcards and ranges (tokenize=False) stay exact.
    """

    def __init__(self, analyzer):
        super().__init__(analyzer=analyzer)
        self.format = WordPositions(field_boost=self.format.field_boost)

    def index(self, value, **kwargs):
        """The postings of a text: indexed_terms() in place of the analyzer's filter chain.

        Only for the field analyzer, whose index terms indexed_terms() gives (both
        analyzers of analysis.py index alike); anything else goes through Whoosh.
        """
        if kwargs or not isinstance(value, str) or self.analyzer not in _FIELD_LIKE:
            return super().index(value, **kwargs)
        return ((term.encode("utf-8"), count, weight, encoded) for term, count, weight, encoded
                in self.format.postings(indexed_terms(value)))

    def process_text(self, qstring, mode="", **kwargs):
        if mode == "query" and kwargs.get("tokenize", True):
            kwargs["stems"] = True
        return super().process_text(qstring, mode=mode, **kwargs)


# The analyzers whose index terms indexed_terms() gives (both index alike; compared by ==).
_FIELD_LIKE = (field_analyzer(), text_analyzer())


def facet_field() -> KEYWORD:
    """A multi-valued filter field: folded keys indexed, display values in a column."""
    field = KEYWORD(lowercase=True, commas=True, scorable=False)
    field.column_type = VarBytesColumn()
    return field


def build_schema() -> Schema:
    """Declare the index fields; pure, so query building needs no index.

    Nothing is stored: the store holds the documents, and a result page reads its
    documents from the store by the ids of the `id` column (indexer.engine.Fetch).
    """
    analyzer = field_analyzer()
    return Schema(
        id=ID(unique=True, sortable=True),
        title=StemmedText(analyzer=analyzer),
        text=StemmedText(analyzer=analyzer),
        **{name: facet_field() for name in FACETS},
        date_source=ID(),
        # YYYYMMDD of dated documents only, so undated ones never match a date range.
        day=NUMERIC(int, bits=32, signed=False, sortable=True, default=UNDATED_DAY),
        month=ID(),
        # Sort keys only: a column, no postings to search.
        timestamp=COLUMN(NumericColumn("q", default=0)),
        # MinHash signature of title+text (near_duplicates.py); b"" never collapses.
        nearsig=COLUMN(VarBytesColumn()),
    )


# A field's value: text, keyword list, number, or the near-duplicate signature's bytes.
FieldValue = str | list[str] | int | bytes | None


def document_fields(doc: Document) -> dict[str, FieldValue]:
    """Map a stored Document to the keyword arguments of add_document."""
    fields: dict[str, FieldValue] = {
        "id": stored_id(doc), "title": doc.title or "", "text": doc.text or "",
        "date_source": doc.date_source or "", "timestamp": epoch_seconds(doc.published),
        "nearsig": signature(doc.title, doc.text)}
    for name, values in facet_values(doc).items():
        fields[name] = [facet_key(v) for v in values]
        fields[f"_stored_{name}"] = VALUE_SEPARATOR.join(values)
    day = indexed_day(doc)
    if day is not None:
        fields["day"] = day_number(day)
        fields["month"] = month_key(day)
    return fields
