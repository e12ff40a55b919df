"""Snippets: about 200 characters of HTML-escaped text with the matched words in <mark>.

Engine-free: the words come from indexer.text's tokeniser, and the passage is chosen the
way Whoosh's highlighter chose it before (ContextFragmenter, BasicFragmentScorer, top 1),
so snippets did not change when this module left the engine.
"""
from __future__ import annotations

from collections import deque
from html import escape
from typing import Iterator, NamedTuple

from indexer.text.folding import fold
from indexer.text.stems import STEM_MARK, stem, with_stem
from indexer.text.tokens import WORD, tokenize

SNIPPET_CHARS = 200
SURROUND = SNIPPET_CHARS // 2      # context kept before the first and after the last match
ELLIPSIS = "\u2026"


class Term(NamedTuple):
    """One term of the highlighter's stream: a word, or its marked stem at the same span."""
    start: int
    end: int
    text: str
    matched: bool


class Fragment(NamedTuple):
    """A passage [start, end) of the text and the matched terms in it."""
    start: int
    end: int
    matches: list[Term]


def make_snippet(text: str, words: set[str]) -> str:
    """Return the passage around the first place the words occur, else the text's start.

    A quick scan finds the first matching word, and only the few hundred characters
    around it are tokenised for the passage: a long report costs what a brief costs.
    """
    flat = " ".join(text.split())
    start = first_match(flat, words) if words else None
    if start is not None:
        window = flat[max(0, start - SNIPPET_CHARS):start + 2 * SNIPPET_CHARS]
        best = best_fragment(window, words)
        if best is not None:
            return _with_ellipses(flat, format_fragment(window, best))
    return opening(flat)


def first_match(text: str, words: set[str]) -> int | None:
    """The character offset of the first word that matches (exactly or by stem), or None."""
    stems = any(w.startswith(STEM_MARK) for w in words)
    for found in WORD.finditer(text):
        raw = found.group().lower()
        word = fold(raw)
        root = stem(word, raw) if stems else None
        if word in words or (root is not None and STEM_MARK + root in words):
            return found.start()
    return None


def terms(text: str, words: set[str]) -> Iterator[Term]:
    """Each word of the text, then its marked stem at the same span, marked if matched."""
    for token in tokenize(text):
        for term in with_stem(token.word, token.raw):
            yield Term(token.start, token.end, term, term in words)


def fragments(stream: Iterator[Term], surround: int = SURROUND,
              maxchars: int = SNIPPET_CHARS) -> Iterator[Fragment]:
    """Passages around matched terms, as Whoosh 2.7's ContextFragmenter cuts them.

    Kept term for term, quirks included (a word and its stem each count their length;
    a passage closed by the length limit leaves a countdown that yields an empty one),
    since the snippets must stay what they were.
    """
    first: int | None = None
    firsts: deque[int] = deque()
    matches: list[Term] = []
    end: int | None = None
    countdown, currentlen = -1, 0
    for term in stream:
        end, length = term.end, term.end - term.start
        if countdown < 0 and not term.matched:
            firsts.append(term.start)       # context before a match, at most `surround`
            while firsts and end - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + length > maxchars:
            countdown = 0
        elif term.matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = term.start
                    countdown += surround   # no context before: take more after
            matches.append(term)
        if countdown >= 0:
            currentlen += length
            countdown -= length
            if countdown <= 0:
                yield _fragment(matches, first, end)
                first, firsts, matches, currentlen = None, deque(), [], 0
    if matches:
        assert end is not None      # a match is a term of the stream, which set end
        yield _fragment(matches, first, end)


def _fragment(matches: list[Term], first: int | None, end: int) -> Fragment:
    if first is None:
        first = matches[0].start if matches else 0
    return Fragment(first, end, matches)


def score(fragment: Fragment) -> float:
    """Matched terms times distinct ones (BasicFragmentScorer); earlier wins a tie."""
    distinct = len({term.text for term in fragment.matches})
    return len(fragment.matches) * (distinct * 100 or 1) + 0.5 / (1 + fragment.start)


def best_fragment(text: str, words: set[str]) -> Fragment | None:
    """The best-scoring passage of the text that holds a match, or None."""
    best = max(fragments(terms(text, words)), key=score, default=None)
    return best if best is not None and score(best) >= 1 else None


def format_fragment(text: str, fragment: Fragment) -> str:
    """Escape the passage and wrap each matched word in a bare <mark> element."""
    out, index = [], fragment.start
    for term in fragment.matches:
        if term.start < index:        # the stem of a word already marked
            continue
        out.append(escape(text[index:term.start], quote=False))
        out.append("<mark>" + escape(text[term.start:term.end], quote=False) + "</mark>")
        index = term.end
    out.append(escape(text[index:fragment.end], quote=False))
    return "".join(out)


def _with_ellipses(text: str, fragment: str) -> str:
    """Mark with an ellipsis where the passage starts after or ends before the text."""
    plain = fragment.replace("<mark>", "").replace("</mark>", "")
    escaped = escape(text, quote=False)
    start = "" if escaped.startswith(plain) else ELLIPSIS + " "
    end = "" if escaped.endswith(plain) else " " + ELLIPSIS
    return start + fragment.strip() + end


def opening(text: str) -> str:
    """Return the escaped start of the text, cut at a word boundary."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return escape(flat, quote=False)
    cut = flat[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=False) + " " + ELLIPSIS
