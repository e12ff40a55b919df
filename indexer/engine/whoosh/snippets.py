"""Snippets: about 200 characters of HTML-escaped text with the matched words in <mark>."""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from whoosh.highlight import (BasicFragmentScorer, ContextFragmenter, Formatter, get_text,
                              highlight)

from indexer.engine.whoosh.analysis import STEM_MARK, WORD_PATTERN, fold, stem, text_analyzer

SNIPPET_CHARS = 200
_WORD = re.compile(WORD_PATTERN)
ELLIPSIS = "\u2026"


class MarkFormatter(Formatter):
    """Escape the text and wrap each matched word in a bare <mark> element."""

    between = " " + ELLIPSIS + " "

    def _text(self, text: str) -> str:
        return escape(text, quote=False)

    def format_token(self, text, token, replace=False) -> str:
        return "<mark>" + self._text(get_text(text, token, replace)) + "</mark>"


class EarliestFirstScorer(BasicFragmentScorer):
    """Score by matched words; among equals prefer the earliest passage."""

    # 2.7.4 breaks score ties by comparing Fragment objects by id(): a random choice.
    def __call__(self, fragment) -> float:
        return super().__call__(fragment) + 0.5 / (1 + fragment.startchar)


def make_snippet(text: str, words: set[str]) -> str:
    """Return the passage around the first place the words occur, else the text's start.

    Whoosh's highlighter re-tokenises whatever it is given (~10 µs a word through the
    analyzer), so a quick scan finds the first matching word and the highlighter only
    sees the few hundred characters around it: a long report costs what a brief costs.
    """
    flat = " ".join(text.split())
    start = first_match(flat, words) if words else None
    if start is not None:
        window = flat[max(0, start - SNIPPET_CHARS):start + 2 * SNIPPET_CHARS]
        fragments = highlight(window, words, _analyzer(),
                              ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 2),
                              MarkFormatter(), top=1, scorer=EarliestFirstScorer())
        if fragments:
            return _with_ellipses(flat, fragments)
    return opening(flat)


def first_match(text: str, words: set[str]) -> int | None:
    """The character offset of the first word the analyzer would match, or None."""
    stems = any(w.startswith(STEM_MARK) for w in words)
    for found in _WORD.finditer(text):
        raw = found.group().lower()
        word = fold(raw)
        root = stem(word, raw) if stems else None
        if word in words or (root is not None and STEM_MARK + root in words):
            return found.start()
    return None


def _with_ellipses(text: str, fragment: str) -> str:
    """Mark with an ellipsis where the passage starts after or ends before the text."""
    plain = fragment.replace("<mark>", "").replace("</mark>", "")
    escaped = escape(text, quote=False)
    start = "" if escaped.startswith(plain) else ELLIPSIS + " "
    end = "" if escaped.endswith(plain) else " " + ELLIPSIS
    return start + fragment.strip() + end


@lru_cache(maxsize=1)
def _analyzer():
    return text_analyzer()


def opening(text: str) -> str:
    """Return the escaped start of the text, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return escape(flat, quote=False)
    cut = flat[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=False) + " " + ELLIPSIS
