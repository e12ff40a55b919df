"""Snippets: about 200 characters of HTML-escaped text with the matched words in <mark>."""
from __future__ import annotations

from functools import lru_cache
from html import escape

from whoosh.highlight import (BasicFragmentScorer, ContextFragmenter, Formatter, get_text,
                              highlight)

from indexer.analysis import text_analyzer

SNIPPET_CHARS = 200
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
    """Return the best passage around the words, else the start of the text."""
    flat = " ".join(text.split())
    if words and flat:
        fragments = highlight(flat, words, _analyzer(),
                              ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 2),
                              MarkFormatter(), top=1, scorer=EarliestFirstScorer())
        if fragments:
            return _with_ellipses(flat, fragments)
    return opening(flat)


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
