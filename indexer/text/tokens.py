"""Words of a text as search sees them: where each one is, as written and folded."""
from __future__ import annotations

import re
from typing import Iterator, NamedTuple

from indexer.text.folding import fold

# A word: letters/digits plus the marks and joiners that live inside words (Arabic harakat,
# superscript alef, Latin combining accents of decomposed text, ZWNJ/ZWJ), so that neither
# a kasra nor a ZWNJ splits a word; inner dots keep "U.S." together.
_WORD_CHAR = r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u200c\u200d]"
WORD_PATTERN = rf"{_WORD_CHAR}+(?:\.?{_WORD_CHAR}+)*"
WORD = re.compile(WORD_PATTERN)


class Token(NamedTuple):
    """One word of a text: its span, the word lower-cased as written, and folded."""
    start: int
    end: int
    raw: str
    word: str


def tokenize(text: str) -> Iterator[Token]:
    """Yield the words of a text in order; a word that folds to nothing (a lone ZWNJ) is none."""
    for found in WORD.finditer(text):
        raw = found.group().lower()
        word = fold(raw)
        if word:
            yield Token(found.start(), found.end(), raw, word)

