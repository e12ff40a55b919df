"""Language of a document: langdetect when it is confident, else what the input declared."""
from __future__ import annotations

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from corpus.languages import language_code

SAMPLE_CHARS = 600        # langdetect costs grow with length; 600 chars measured as accurate as 1500
MIN_LETTERS = 25          # shorter texts give coin-flip answers
MIN_CONFIDENCE = 0.80

DetectorFactory.seed = 0  # langdetect is random without a seed; ingest must be repeatable


def detect_language(title: str | None, text: str, declared: str | None = None) -> str | None:
    """Detect the language of title + text; fall back to a valid declared language."""
    sample = f"{title or ''}\n{text or ''}"[:SAMPLE_CHARS]
    guess = _confident_guess(sample)
    return guess or language_code(declared)


def _confident_guess(sample: str) -> str | None:
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    # Upper-case wire titles read as noise to langdetect; its profiles are lower case.
    try:
        best = detect_langs(sample.lower())[0]
    except LangDetectException:
        return None
    return language_code(best.lang) if best.prob >= MIN_CONFIDENCE else None
