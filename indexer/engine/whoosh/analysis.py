"""Text analysis shared by indexing and query parsing, so both see the same words.

Every word is folded (case, accents, Persian/Arabic letter forms, digits) the same way at
index and query time. Latin-script words are also stemmed (Snowball English), Persian and
Arabic words by a light rule (arabic_script_stem), and the stem is indexed *beside* the
exact word, at the same position, with a mark in front:

    "oil exports"  ->  oil, ~oil (pos 0)   exports, ~export (pos 1)

A single query word is looked up by its marked stem (`sanction` -> `~sanction`, which the
documents saying "sanctions" hold too), while a quoted phrase is looked up by the exact
words (`"oil exports"` -> oil, exports), so stemming never loosens a phrase. Which of the
two a query asks for is decided by `StemmedText.process_text` (schema.py), the entry point
Whoosh's parser uses for single words; phrases go through `tokenize` and get exact words.

Persian/Arabic: letter forms are folded to the Persian ones (ي/ى->ی, ك->ک, ة->ه,
أ/إ/آ/ٱ->ا, ؤ->و, ئ->ی), tatweel and harakat dropped, Persian and Arabic-Indic digits made ASCII.
The zero-width non-joiner is dropped *inside* a word, so "می‌شود" and "میشود" are one
and the same token; "می شود" with a real space stays two words (it matches as those two
words or as the phrase, not the joined form). The snowball persian/arabic stemmers were
measured and merge too many unrelated words (see arabic_script_stem); Whoosh's own ISRI
one crashes.
"""
from __future__ import annotations

import re
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
    "\u0626": "\u06cc",  # ئ -> ی: Persian writes رئیس and رییس for one word
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
            t.unfolded = t.text           # for stem(): some affixes are lost in folding
            t.text = fold(t.text)
            if t.text:
                yield t


@lru_cache(maxsize=1)
def _english():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=262144)
def stem(word: str, raw: str | None = None) -> str | None:
    """The stem of a folded word, or None for words we do not stem (digits, "u.s.", scripts
    other than Latin and Arabic). `raw` is the lower-cased word before folding: the
    Arabic-script rule needs the ZWNJ and the ة that folding removes."""
    if word.isascii():
        return _english().stemWord(word) if word.isalpha() else None
    if _ARABIC_SCRIPT.search(word):
        return arabic_script_stem(raw if raw is not None else word)
    return None


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_ARABIC_FORMS = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643",     # ی->ي, ک->ك
                               **{c: None for c in _DROPPED if c != ZWNJ}})
_ARTICLES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0641\u0627\u0644",
             "\u0643\u0627\u0644", "\u0644\u0644", "\u0627\u0644")  # وال بال فال كال لل ال
_PLURALS = ("\u0647\u0627\u064a\u064a", "\u0647\u0627\u064a", "\u0647\u0627")  # هايي هاي ها


def arabic_script_stem(raw: str) -> str:
    """A light stem of a lower-cased Persian or Arabic word, folded.

    The token's language is not known here (one analyzer serves every document), so one
    rule serves both: strip the article (with a clitic: وال بال فال كال لل), the plural ها /
    های (after a ZWNJ in Persian; the Arabic pronoun ها too) and the ة of a feminine nisba
    adjective (السعودية -> السعودي). Measured on farsnews and 3,000 saudinewsnet records,
    40 conflation classes each judged by reading: 37/40 and 39/40 right, where snowball's
    persian stemmer gave 28 and 23 (تحریم -> تحر, ایرانی -> ایر) and its arabic one 26 and
    26 (وزیر -> زیر, دولت -> دول); `ات` plurals are left alone (صادرات -> صادر merges
    "exports" with "issued").
    """
    word = raw.translate(_ARABIC_FORMS)          # the ZWNJ stays: it marks Persian suffixes
    for article in _ARTICLES:
        if word.startswith(article) and len(word.replace(ZWNJ, "")) - len(article) >= 3:
            word = word[len(article):]
            break
    if ZWNJ in word:
        head, _, tail = word.rpartition(ZWNJ)
        if tail in _PLURALS and len(head.replace(ZWNJ, "")) >= 2:
            word = head                           # تحریم‌ها -> تحریم; خانه‌ای stays
        return fold(word)
    if word.endswith("\u064a\u0629") and len(word) >= 5:   # ية
        word = word[:-1]
    for plural in _PLURALS:
        if word.endswith(plural) and len(word) - len(plural) >= 3:
            word = word[:-len(plural)]
            break
    return fold(word)


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
