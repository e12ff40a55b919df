"""Query text -> tokens: parentheses, operators, fields, phrases, brackets and terms.

A term runs to the next space, parenthesis or quote. Two things are read only where a
word starts (after a space or a parenthesis, or at the start): a leading `-` (so
`al-Assad` stays one word) and the operators AND, OR, NOT (in capitals, standing alone).
A field name `name:` is read at the start of any term but the value right after a field,
so `title:date:2020` searches the title for "date:2020".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.search.query_tree import FIELDS, QueryError, unknown_field

OPERATORS = ("AND", "OR", "NOT")

_SPACE = re.compile(r"\s+")
_TERM = re.compile(r'[^\s()"]+')
# A field name starts with a letter in any script, so `ایرانfoo:` is one (unknown) name
# and `10:30` is no field at all.
_FIELD = re.compile(r"[^\W\d]\w*:")
# A field-like name inside a term (`e-mail:x`); `U.S.:` and `a:b:c` values are not one.
_INNER_FIELD = re.compile(r"(?<![\w.:/])([^\W\d]\w*):")
_SLOP = re.compile(r"~(\d+)")
_CLOSE = re.compile(r"[\]}]")


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text (a field's name, a phrase's or a range's inside, a
    term as typed) and where it lies in the query text."""

    kind: str          # "(", ")", "AND", "OR", "NOT", "-", "field", "phrase", "range", "term"
    text: str
    start: int
    end: int
    slop: int = 1      # a phrase's proximity
    closed: bool = True  # a range found its closing bracket


def tokenize(text: str) -> list[Token]:
    """Split query text into tokens; refuse an unbalanced quote or a misplaced field."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        token = next_token(text, pos, tokens[-1] if tokens else None)
        tokens.append(token)
        pos = token.end
    return tokens


def next_token(text: str, pos: int, previous: Token | None) -> Token:
    """Read the token that starts at pos."""
    char = text[pos]
    glued_to = previous.kind if previous is not None and previous.end == pos else None
    glued = glued_to in ("field", "-")
    if char in "()":
        return Token(char, char, pos, pos + 1)
    if char == '"':
        return phrase(text, pos)
    if char in "[{":
        return bracket(text, pos)
    after_field = glued_to == "field"
    if not after_field:
        if char == "-" and starts_word(text, pos) and negates(text, pos + 1):
            return Token("-", "-", pos, pos + 1)
        field = _FIELD.match(text, pos)
        if field:
            return Token("field", field.group()[:-1], pos, field.end())
    term = _TERM.match(text, pos)
    # pos is at neither a space (tokenize skips them) nor ( ) " (returned above): a term.
    assert term is not None, f"no token at {pos} of {text!r}"
    end = term.end()
    check_inner_fields(text, pos, end)
    word = text[pos:end]
    standalone = not glued and starts_word(text, pos) and (end == len(text) or text[end] != '"')
    return Token(word if word in OPERATORS and standalone else "term", word, pos, end)


def starts_word(text: str, pos: int) -> bool:
    """Tell whether pos is where a word starts: the start, or after a space or a '('."""
    return pos == 0 or text[pos - 1].isspace() or text[pos - 1] in "()"


def negates(text: str, pos: int) -> bool:
    """Tell whether a '-' before pos negates: something follows it that is not a '-'."""
    return pos < len(text) and not text[pos].isspace() and text[pos] != "-"


def phrase(text: str, pos: int) -> Token:
    """A quoted phrase with its optional proximity `~N`."""
    close = text.find('"', pos + 1)
    if close < 0:
        raise QueryError("unbalanced quote in query (a \" without its closing \")")
    slop = _SLOP.match(text, close + 1)
    if slop and int(slop.group(1)) < 1:
        raise QueryError(f"proximity '{slop.group()}' after {text[pos:close + 1]} must be "
                         "1 or more (~1: next to each other)")
    end = slop.end() if slop else close + 1
    return Token("phrase", text[pos + 1:close], pos, end, slop=int(slop.group(1)) if slop else 1)


def bracket(text: str, pos: int) -> Token:
    """A bracketed range, up to its first closing ']' or '}' (the rest when none)."""
    close = _CLOSE.search(text, pos + 1)
    if close is None:
        return Token("range", text[pos + 1:], pos, len(text), closed=False)
    return Token("range", text[pos + 1:close.start()], pos, close.end())


def check_inner_fields(text: str, start: int, end: int) -> None:
    """Refuse a field name inside a term (`e-mail:x`, `x-title:oil`)."""
    match = _INNER_FIELD.search(text, start + 1, end)
    if match is None:
        return
    name, word = match.group(1), text[start:end]
    if name not in FIELDS:
        raise unknown_field(name)
    raise QueryError(f"field '{name}:' in the middle of '{word}'; a field starts a word "
                     f"(as in {name}:word)")
