"""The Whoosh adapters of indexer.text, so indexing and query parsing see the same words.

Every word is folded (indexer.text.folding: case, accents, Persian/Arabic letter forms,
digits) the same way at index and query time. Words that have a stem (indexer.text.stems)
are indexed *beside* their stem, at the same position, with a mark in front:

    "oil exports"  ->  oil, ~oil (pos 0)   exports, ~export (pos 1)

A single query word is looked up by its marked stem (`sanction` -> `~sanction`, which the
documents saying "sanctions" hold too), while a quoted phrase is looked up by the exact
words (`"oil exports"` -> oil, exports), so stemming never loosens a phrase. Which of the
two a query asks for is decided by `StemmedText.process_text` (schema.py), the entry point
Whoosh's parser uses for single words; phrases go through `tokenize` and get exact words.

The zero-width non-joiner ends a word (indexer.text.folding's WORD_BREAKS), as in
Lucene's Persian analyzer: "سرمایه‌گذاری" is indexed as "سرمایه", "گذاری" at two
positions, so the query `سرمایه` finds it, and so do `"سرمایه گذاری"` and the compound
typed with a ZWNJ (its parts, as a phrase). The joined spelling "سرمایهگذاری" is another
word and does not match.
"""
from __future__ import annotations

from collections import defaultdict

from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer

from indexer.text.folding import fold
from indexer.text.stems import STEM_MARK, stem, with_stem
from indexer.text.tokens import WORD, WORD_PATTERN

MAX_REMEMBERED = 50_000     # words whose index terms are kept (some 15 MB at most)
_terms_of_word: dict[str, tuple[str, ...]] = {}


class FoldFilter(Filter):
    """Apply fold() to each token; drop tokens left empty (a lone ZWNJ or tatweel)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.unfolded = t.text           # for stem(): some affixes are lost in folding
            t.text = fold(t.text)
            if t.text:
                yield t


class StemBesideFilter(Filter):
    """Emit the exact word and/or its marked stem, by what the caller asks for.

    mode "index" (and `both=True`, for highlighting): exact word and marked stem at the same
    position and characters. Query with `stems=True` (single words, see StemmedText): the
    marked stem only. Any other query (phrases, wildcards): the exact word only.
    """

    def __init__(self, both: bool = False):
        self.both = both

    def __eq__(self, other):
        return (other is not None and self.__class__ is other.__class__
                and self.both == other.both)

    def __call__(self, tokens):
        for t in tokens:
            root = stem(t.text, getattr(t, "unfolded", None))
            if root is None:
                yield t
                continue
            if t.mode == "index" or self.both:
                yield t
                t.text = STEM_MARK + root
                yield t
            elif getattr(t, "stems", False):
                t.text = STEM_MARK + root
                yield t
            else:
                yield t


def _base() -> Analyzer:
    # LowercaseFilter first: fold() folds case too, but the raw word stem() reads is lower case.
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | FoldFilter()


def text_analyzer() -> Analyzer:
    """Exact words and marked stems on queries too (the bare-Whoosh benchmark's analysis).

    Indexes exactly as field_analyzer() does; on queries it yields both forms.
    """
    return _base() | StemBesideFilter(both=True)


def field_analyzer() -> Analyzer:
    """The analyzer of the title and text fields (see the module docstring)."""
    return _base() | StemBesideFilter()


def exact_analyzer() -> Analyzer:
    """Folding and normalisation only, no stems: for tests and plain comparisons."""
    return _base()


def indexed_terms(text: str) -> dict[str, list[int]]:
    """What field_analyzer() gives a text in index mode, term by term with its positions.

    The same terms at the same positions in the same order as the filter chain above, which
    passes a token object through four generators per word. A word's terms depend on the
    word alone, so they are worked out once; a text field's postings cost about 30% less
    (tests/test_index_lean.py compares the two on shared and made-up texts).
    """
    places: dict[str, list[int]] = defaultdict(list)
    for position, found in enumerate(WORD.finditer(text)):
        word = found.group()
        terms = _terms_of_word.get(word)
        if terms is None:
            terms = _remember(word)
        for term in terms:
            places[term].append(position)
    return places


def _remember(word: str) -> tuple[str, ...]:
    """The folded word and its marked stem (LowercaseFilter, FoldFilter, StemBesideFilter)."""
    if len(_terms_of_word) >= MAX_REMEMBERED:
        _terms_of_word.clear()
    lower = word.lower()
    folded = fold(lower)
    terms = with_stem(folded, lower) if folded else ()
    _terms_of_word[word] = terms
    return terms
