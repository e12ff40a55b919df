"""Text analysis shared by indexing and query parsing, so both see the same words.

Every word is folded (case, accents, Persian/Arabic letter forms, digits) the same way at
index and query time. Latin-script words are also stemmed (Snowball English), and the stem
is indexed *beside* the exact word, at the same position, with a mark in front:

    "oil exports"  ->  oil, ~oil (pos 0)   exports, ~export (pos 1)

A single query word is looked up by its marked stem (`sanction` -> `~sanction`, which the
documents saying "sanctions" hold too), while a quoted phrase is looked up by the exact
words (`"oil exports"` -> oil, exports), so stemming never loosens a phrase. Which of the
two a query asks for is decided by `StemmedText.process_text` (schema.py), the entry point
Whoosh's parser uses for single words; phrases go through `tokenize` and get exact words.

Persian/Arabic: letter forms are folded to the Persian ones (ي/ى->ی, ك->ک, ة->ه,
أ/إ/آ/ٱ->ا, ؤ->و), tatweel and harakat dropped, Persian and Arabic-Indic digits made ASCII.
The zero-width non-joiner is dropped *inside* a word, so "می‌شود" and "میشود" are one
and the same token; "می شود" with a real space stays two words (it matches as those two
words or as the phrase, not the joined form). Arabic-script words are not stemmed: the
snowball persian/arabic stemmers were not measured yet (Whoosh's own ISRI one crashes).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import snowballstemmer
from whoosh.analysis import Analyzer, Filter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map

STEM_MARK = "~"
ZWNJ = "\u200c"

# A word: letters/digits plus the marks and joiners that live inside words (Arabic harakat,
# superscript alef, Latin combining accents of decomposed text, ZWNJ/ZWJ), so that neither
# a kasra nor a ZWNJ splits a word; inner dots keep "U.S." together as before.
_WORD_CHAR = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]"
WORD_PATTERN = rf"{_WORD_CHAR}+(?:\.?{_WORD_CHAR}+)*"

_LETTER_FORMS = {
    "\u064a": "\u06cc",  # ي Arabic yeh -> ی Persian yeh
    "\u0649": "\u06cc",  # ى alef maksura -> ی
    "\u0643": "\u06a9",  # ك Arabic kaf -> ک keheh
    "\u0629": "\u0647",  # ة teh marbuta -> ه
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0624": "\u0648",  # ؤ -> و
}
_DROPPED = ["\u0640", ZWNJ, "\u200d"] + [chr(c) for c in range(0x064B, 0x0653)] + ["\u0670"]
_DIGITS = {chr(0x06F0 + d): str(d) for d in range(10)}          # Persian ۰-۹
_DIGITS.update({chr(0x0660 + d): str(d) for d in range(10)})    # Arabic-Indic ٠-٩
FOLD_TABLE = str.maketrans({**_LETTER_FORMS, **_DIGITS, **{c: None for c in _DROPPED}})


@lru_cache(maxsize=262144)
def fold(word: str) -> str:
    """Fold one word: lower case, no accents, Persian letter forms, ASCII digits."""
    word = word.translate(FOLD_TABLE).lower()
    if word.isascii():
        return word
    # Strip Latin accents (and other combining marks) by decomposing; then recompose so
    # Persian/Arabic letters that have no decomposition stay as they are.
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(FOLD_TABLE)).translate(accent_map)


class FoldFilter(Filter):
    """Apply fold() to each token; drop tokens left empty (a lone ZWNJ or tatweel)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            if t.text:
                yield t


@lru_cache(maxsize=1)
def _english():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str | None:
    """The stem of a folded Latin-script word, or None for words we do not stem."""
    if not word.isascii() or not word.isalpha():
        return None      # Arabic script, digits, "u.s.": exact only
    return _english().stemWord(word)


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
            root = stem(t.text)
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
    # LowercaseFilter first: fold() lowercases too, but the ASCII fast path relies on it.
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | FoldFilter()


def text_analyzer() -> Analyzer:
    """The analyzer for re-tokenising texts (snippets): exact words and marked stems.

    Indexes exactly as field_analyzer() does; on queries it yields both forms, so a
    highlighter finds a word whether the query asked for it exactly or by its stem.
    """
    return _base() | StemBesideFilter(both=True)


def field_analyzer() -> Analyzer:
    """The analyzer of the title and text fields (see the module docstring)."""
    return _base() | StemBesideFilter()


def exact_analyzer() -> Analyzer:
    """Folding and normalisation only, no stems: for tests and plain comparisons."""
    return _base()
