"""Language of a document: langdetect when the text says enough, else the best hint.

A hint is what the context knows: the language the input declared, the page a brief came
from, the outlet's usual language. langdetect is right on prose; on an earnings table
(`Shr 86 cts vs 73 cts / Net 52.7 mln`) or a one-line headline it is a weak guess, even
when it says it is confident, so there a hint written in the same script wins.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from langdetect.lang_detect_exception import LangDetectException

from corpus.languages import language_code
from indexer.enrich.detector import detect_langs

SAMPLE_CHARS = 600        # langdetect costs grow with length; 600 chars measured as accurate as 1500
MIN_LETTERS = 25          # shorter texts give coin-flip answers
MIN_CONFIDENCE = 0.80
# Prose has this many words of four letters or more in its first 600 characters; a table of
# figures and abbreviations, a headline or a one-line brief has fewer (Reuters: 2% of its
# long items are such tables, and langdetect calls 1 in 4 of them Swedish or Catalan).
MIN_WORDS = 14
PROSE_WORD = re.compile(r"[^\W\d_]{4,}")

# Scripts of the languages that are not written in Latin letters; the rest are Latin.
SCRIPT_OF_LANGUAGE = {
    **dict.fromkeys("ar fa ur ps ku sd ug".split(), "ARABIC"),
    **dict.fromkeys("ru uk bg mk sr be kk ky mn tg".split(), "CYRILLIC"),
    **dict.fromkeys("zh ja".split(), "CJK"), "ko": "HANGUL", "el": "GREEK",
    **dict.fromkeys("he yi".split(), "HEBREW"), **dict.fromkeys("hi mr ne".split(), "DEVANAGARI"),
    "th": "THAI", "ka": "GEORGIAN", "hy": "ARMENIAN", "bn": "BENGALI", "ta": "TAMIL",
}
SCRIPT_ALIASES = {"HIRAGANA": "CJK", "KATAKANA": "CJK"}


@dataclass(frozen=True)
class Guess:
    """What langdetect made of a sample, and what it had to go on."""

    lang: str | None      # its best answer when confident, else None
    words: int            # words of four letters or more in the sample
    script: str | None    # the sample's main script (LATIN, ARABIC...), None on a few letters

    @property
    def settled(self) -> bool:
        """Tell whether the guess rests on enough prose that no hint should override it."""
        return self.lang is not None and self.words >= MIN_WORDS

    def fits(self, hint: str) -> bool:
        """Tell whether a hinted language is written in the sample's script."""
        return self.script is None or SCRIPT_OF_LANGUAGE.get(hint, "LATIN") == self.script


def guess_language(title: str | None, text: str) -> Guess:
    """Run langdetect on the start of title + text and note how much prose it saw."""
    sample = f"{title or ''}\n{text or ''}"[:SAMPLE_CHARS]
    return Guess(_confident_guess(sample), len(PROSE_WORD.findall(sample)), main_script(sample))


def choose_language(guess: Guess, hints: Iterable[str | None]) -> str | None:
    """A settled guess, else the first hint in the text's script, else the guess (or None)."""
    if guess.settled:
        return guess.lang
    for hint in hints:
        if hint and guess.fits(hint):
            return hint
    return guess.lang


def detect_language(title: str | None, text: str, declared: str | None = None) -> str | None:
    """Detect the language of title + text; a valid declared language wins on thin text."""
    return choose_language(guess_language(title, text), [language_code(declared)])


def main_script(sample: str) -> str | None:
    """The script most of the sample's letters are written in; None on too few letters."""
    counts: dict[str, int] = {}
    for ch in sample:
        if ch.isalpha():
            script = script_of(ch)
            counts[script] = counts.get(script, 0) + 1
    # A few letters (an acronym, a name) say little about the language around them.
    if sum(counts.values()) < MIN_LETTERS:
        return None
    return max(counts, key=counts.__getitem__)


@functools.lru_cache(maxsize=4096)
def script_of(letter: str) -> str:
    """The script a letter belongs to, from the first word of its Unicode name."""
    script = unicodedata.name(letter, "UNKNOWN").split(" ")[0]
    return SCRIPT_ALIASES.get(script, script)


def _confident_guess(sample: str) -> str | None:
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    # Upper-case wire titles read as noise to langdetect; its profiles are lower case.
    try:
        best = detect_langs(sample.lower(), seed=0)[0]  # seeded: ingest must be repeatable
    except LangDetectException:
        return None
    return language_code(best.lang) if best.prob >= MIN_CONFIDENCE else None
