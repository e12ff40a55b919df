"""The project's analysis (indexer.text) as the PostgreSQL engine stores and queries it.

The same words as the Whoosh engine's analyzer (indexer/engine/whoosh/analysis.py): every
word is lower-cased and folded; a word with a stem is indexed beside its marked stem
(`~export`) at the same position. PostgreSQL's own parser never sees the text: the
`tsvector` is written as a literal of these words (configuration-free), so both engines
match the same words.

Positions count every word the tokeniser finds, a word that folds to nothing (a lone
mark) included, as Whoosh's RegexTokenizer numbers them; a phrase then matches the same
neighbours in both engines. PostgreSQL's limits (tsvector input): positions run from 1 to
16383 (later words are all placed at 16383, so a phrase past the 16,383rd word may match
loosely), at most 256 positions per word (later ones are dropped: a phrase on a word's
257th occurrence is missed), and a word longer than MAX_WORD_BYTES is not indexed.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from indexer.text.folding import fold
from indexer.text.stems import STEM_MARK, stem
from indexer.text.tokens import WORD

MAX_POSITION = 16383          # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_WORD = 256  # what a tsvector keeps of one word
MAX_WORD_BYTES = 2046         # PostgreSQL refuses longer lexemes ("word is too long")


def indexed_words(text: str) -> dict[str, list[int]]:
    """Every indexed word of a text (exact words and marked stems) -> its positions (1-based)."""
    tokens = WORD.findall(text or "")
    if len(tokens) > MAX_POSITION:
        return _clamped_words(tokens)
    # Each distinct token is analysed once, with all its positions.
    at_token: defaultdict[str, list[int]] = defaultdict(list)
    for number, token in enumerate(tokens, start=1):
        at_token[token].append(number)
    positions: dict[str, list[int]] = {}
    merged: set[str] = set()                  # forms several tokens share ("Oil", "oil")
    for token, at in at_token.items():
        for form in index_forms(token):
            if form in positions:
                positions[form] = positions[form] + at
                merged.add(form)
            else:
                positions[form] = at
    for form in merged:
        positions[form].sort()
    for form, at in positions.items():
        if len(at) > MAX_POSITIONS_PER_WORD:
            positions[form] = at[:MAX_POSITIONS_PER_WORD]
    return positions


def _clamped_words(tokens: list[str]) -> dict[str, list[int]]:
    """indexed_words of a text longer than MAX_POSITION words: later words share the last
    position, which a word then holds once."""
    positions: dict[str, list[int]] = {}
    for number, token in enumerate(tokens, start=1):
        at = min(number, MAX_POSITION)
        for form in index_forms(token):
            kept = positions.setdefault(form, [])
            if len(kept) < MAX_POSITIONS_PER_WORD and (not kept or kept[-1] != at):
                kept.append(at)
    return positions


@lru_cache(maxsize=262144)
def index_forms(token: str) -> tuple[str, ...]:
    """What the index holds for one token as written: its folded word and marked stem
    (none for a token that folds to nothing, or a form PostgreSQL finds too long)."""
    raw = token.lower()
    word = fold(raw)
    if not word:
        return ()
    root = stem(word, raw)
    forms = (word,) if root is None else (word, STEM_MARK + root)
    return tuple(f for f in forms if len(f.encode("utf-8")) <= MAX_WORD_BYTES)


def quote(word: str) -> str:
    """A word as a quoted lexeme of tsvector/tsquery input (quotes and backslashes doubled)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(words: dict[str, list[int]]) -> str:
    """The tsvector input text of indexed words: `'oil':1,5 '~oil':1,5`."""
    return " ".join(f"{quote(word)}:{','.join(map(str, at))}" for word, at in words.items())


def query_words(text: str, how: str) -> list[str]:
    """The indexed words a query asks for, as the Whoosh engine's analyse() gives them.

    how="word": each word's marked stem when it has one, else the word (a single word is
    looked up by its stem); "phrase": the exact words; "pattern": the whole text folded
    as one word (a wildcard), or nothing when it folds to nothing.
    """
    if how == "pattern":
        whole = fold((text or "").lower())
        return [whole] if whole else []
    words = []
    for found in WORD.finditer(text or ""):
        raw = found.group().lower()
        word = fold(raw)
        if not word:
            continue
        root = stem(word, raw) if how == "word" else None
        words.append(word if root is None else STEM_MARK + root)
    return words


def analyse(field: str, text: str, how: str) -> list[str]:
    """indexer.search.explain's Analyse: the same words for every text field."""
    return query_words(text, how)
