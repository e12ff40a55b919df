"""langdetect's detector with its hot loops rewritten: the same answers, under half the CPU.

langdetect (`detect_langs`) spends two thirds of an ingest's enrichment time in two pure
Python loops: normalising the sample character by character into n-grams, and multiplying
55 language probabilities by each drawn n-gram's profile, one float at a time. This module
runs the same algorithm on the same profiles with the same random draws:

- characters are normalised once each (langdetect's `NGram.normalize` is a function of the
  character alone), and each word's n-grams are worked out once and remembered;
- the 55 probabilities are a numpy vector, and each update multiplies it by `weight + row`,
  the same IEEE operations in the same order per language as langdetect's loop;
- the normalising sum is Python's own `sum` over the same floats in the same order, so it
  rounds exactly as langdetect's does on any Python version.

So every probability it returns is the float langdetect returns, and the random sequence
is consumed draw for draw (`tests/test_detector.py` compares them on the shared corpora).
Only what the project uses is kept: one text per call, the default alpha, no prior map.
"""
from __future__ import annotations

import random
import re

import numpy as np
from langdetect import detector_factory
from langdetect.detector import Detector
from langdetect.lang_detect_exception import ErrorCode, LangDetectException
from langdetect.language import Language
from langdetect.utils.ngram import NGram

N_TRIALS = 7                  # Detector's n_trial
MAX_TEXT = 10000              # Detector's max_text_length
SPACES = re.compile(r" {2,}")

MAX_WORDS = 50_000            # words whose n-grams are remembered (some 15 MB at most)
LATIN = re.compile("[A-z]")   # cleaning_text's test, 'A' <= ch <= 'z', brackets included
# cleaning_text counts as non-Latin every character from U+0300 on: the exception it means to
# make for Latin Extended Additional compares a block number with a name and never holds.
NON_LATIN = re.compile("[\u0300-\U0010ffff]")
_words: dict[str, list[str]] = {}     # normalised word (+ its space) -> its n-grams
_rows: dict[str, np.ndarray] = {}     # n-gram -> its 55 profile probabilities
_keys: dict[str, str] | None = None


def detect_langs(text: str, seed: int = 0) -> list[Language]:
    """langdetect's `detect_langs(text)` with `DetectorFactory.seed = seed`, answer for answer."""
    detector_factory.init_factory()
    languages = detector_factory._factory.langlist
    ngrams = _extract_ngrams(_cleaned(_appended(text)), _ngram_keys())
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    probabilities = _trials(ngrams, len(languages), seed).tolist()
    found = [Language(lang, p) for lang, p in zip(languages, probabilities, strict=True)
             if p > Detector.PROB_THRESHOLD]
    found.sort(reverse=True)
    return found


def _appended(text: str) -> str:
    """Detector.append: addresses out, Vietnamese marks joined, runs of spaces made one."""
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    # append keeps a space only after a non-space; a run of spaces becomes one.
    return SPACES.sub(" ", text[:MAX_TEXT])


def _cleaned(text: str) -> str:
    """Detector.cleaning_text: drop Latin letters from a text mostly in another script."""
    if len(LATIN.findall(text)) * 2 < len(NON_LATIN.findall(text)):
        return LATIN.sub("", text)
    return text


class _Normalised(dict):
    """str.translate's table: NGram.normalize of each character, computed when first met."""

    def __missing__(self, code: int) -> str:
        self[code] = NGram.normalize(chr(code))
        return self[code]


_NORMALISE = _Normalised()


def _extract_ngrams(text: str, keys: dict[str, str]) -> list[str]:
    """Detector._extract_ngrams, a word at a time.

    NGram's window starts afresh after each space, so what a word gives depends on the word
    alone (and on whether a space follows it): each word's n-grams are worked out once.
    """
    words = text.translate(_NORMALISE).split(" ")
    found: list[str] = []
    for word in words[:-1]:
        if word:
            found += _word_ngrams(word + " ", keys)
    if words[-1]:
        found += _word_ngrams(words[-1], keys)
    return found


def _word_ngrams(word: str, keys: dict[str, str]) -> list[str]:
    known = _words.get(word)
    if known is None:
        if len(_words) >= MAX_WORDS:
            _words.clear()
        known = _words[word] = _window_ngrams(word, keys)
    return known


def _window_ngrams(text: str, keys: dict[str, str]) -> list[str]:
    """NGram.add_char and Detector's n-gram filter over normalised text, inlined."""
    found: list[str] = []
    grams, capital = " ", False
    for ch in text:
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if ch == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += ch
        if ch.isupper():
            if last.isupper():
                capital = True
        else:
            capital = False
        if capital:
            continue
        # The profiles' own key objects are kept: remembered words share their n-grams.
        if ch != " " and (known := keys.get(ch)):
            found.append(known)
        if len(grams) >= 2:
            if known := keys.get(grams[-2:]):
                found.append(known)
            if len(grams) == 3 and (known := keys.get(grams)):
                found.append(known)
    return found


def _ngram_keys() -> dict[str, str]:
    """Each n-gram langdetect has a profile for, mapped to itself (the one string object)."""
    global _keys
    if _keys is None:
        _keys = {ngram: ngram for ngram in detector_factory._factory.word_lang_prob_map}
    return _keys


def _row(ngram: str, profiles: dict) -> np.ndarray:
    row = _rows.get(ngram)
    if row is None:
        row = _rows[ngram] = np.array(profiles[ngram], dtype=np.float64)
    return row


def _trials(ngrams: list[str], languages: int, seed: int) -> np.ndarray:
    """Detector._detect_block after the n-grams: seven random walks, averaged."""
    profiles = detector_factory._factory.word_lang_prob_map
    draw = random.Random()
    draw.seed(seed)
    choose = draw.choice
    total = np.zeros(languages)
    for _ in range(N_TRIALS):
        prob = np.full(languages, 1.0 / languages)
        alpha = Detector.ALPHA_DEFAULT + draw.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        weight = alpha / Detector.BASE_FREQ
        i = 0
        while True:
            prob *= weight + _row(choose(ngrams), profiles)
            if i % 5 == 0:
                prob /= sum(prob.tolist())
                if prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                    break
            i += 1
        total += prob / N_TRIALS
    return total
