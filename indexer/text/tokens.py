"""Words of a text as search sees them: where each one is, as written and folded."""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from indexer.text.folding import ZWJ, fold

# A word: letters/digits plus the marks and joiner that live inside words (Arabic harakat,
# superscript alef, Latin combining accents of decomposed text, ZWJ), so that a kasra does
# not split a word; inner dots keep "U.S." together. The folding table's WORD_BREAKS (the
# ZWNJ) are left out: they end a word, so the parts of a Persian compound are words.
_WORD_CHAR = rf"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed{ZWJ}]"
WORD_PATTERN = rf"{_WORD_CHAR}+(?:\.?{_WORD_CHAR}+)*"
WORD = re.compile(WORD_PATTERN)


class Token(NamedTuple):
    """One word of a text: its span, the word lower-cased as written, and folded."""
    start: int
    end: int
    raw: str
    word: str


def tokenize(text: str) -> Iterator[Token]:
    """Yield the words of a text in order; a word that folds to nothing (a lone mark) is none."""
    for found in WORD.finditer(text):
        raw = found.group().lower()
        word = fold(raw)
        if word:
            yield Token(found.start(), found.end(), raw, word)

