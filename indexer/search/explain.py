"""Render the tree of a search as the readable line `search --explain` prints.

Words are shown as the engine looks them up (`sanctions` -> `~sanction`, a stem), so the
engine hands in its analysis: analyse(field, text, how) -> the indexed words, where `how`
is "word" (a single word: stems), "phrase" (quoted: exact words) or "pattern" (a
wildcard, kept whole). Leaves without a field match the title or the text and are shown
without one. A leaf whose text holds no word (`.`) matches nothing and is left out.
"""
from __future__ import annotations

from typing import Callable

from indexer.search.params import SearchParams
from indexer.search.query_language import search_parts
from indexer.search.query_tree import (
    And,
    DateRange,
    Facet,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Wildcard,
    Word,
)

Analyse = Callable[[str, str, str], list[str]]


def explain(params: SearchParams, analyse: Analyse) -> str:
    """The search that params run, in readable form (QueryError when the query is bad)."""
    text, filters, exclusions = search_parts(params)
    shown = and_parts(text, analyse) if text is not None else []
    positive = shown + [p for f in filters for p in and_parts(f, analyse)]
    parts = (positive or ["ALL"]) + [p for n in exclusions for p in and_parts(n, analyse)]
    shown_all = joined(parts, " AND ")
    assert shown_all is not None, "parts holds at least ALL"
    return shown_all


def render(node: Node, analyse: Analyse) -> str | None:
    """One node in readable form; None when it holds no word."""
    if isinstance(node, And):
        return joined(and_parts(node, analyse), " AND ")
    if isinstance(node, Or):
        return joined(or_parts(node, analyse), " OR ")
    if isinstance(node, Not):
        inner = render(node.item, analyse)
        return None if inner is None else f"NOT {inner}"
    if isinstance(node, MatchAll):
        return "ALL"
    if isinstance(node, DateRange):
        return f"date:[{day_text(node.start)} TO {day_text(node.end)}]"
    if isinstance(node, Facet):
        value = " ".join(node.value.split()).casefold()
        return f'{node.field}:"{value}"' if " " in value else f"{node.field}:{value}"
    return render_leaf(node, analyse)


def render_leaf(node: Word | Phrase | Prefix | Wildcard, analyse: Analyse) -> str | None:
    """A word, phrase or wildcard as the engine's words, with its field when it has one."""
    field = node.field or "title"
    label = f"{node.field}:" if node.field else ""
    if isinstance(node, Word):
        words = [label + w for w in analyse(field, node.text, "word")]
        return joined(words, " AND ")
    if isinstance(node, Phrase):
        words = analyse(field, " ".join(node.words), "phrase")
        if len(words) < 2:
            return label + words[0] if words else None
        slop = f"~{node.slop}" if node.slop > 1 else ""
        return f'{label}"{" ".join(words)}"{slop}'
    star = "*" if isinstance(node, Prefix) else ""
    pattern = analyse(field, node.text if isinstance(node, Prefix) else node.pattern, "pattern")
    return label + pattern[0] + star if pattern else None


def and_parts(node: Node, analyse: Analyse) -> list[str]:
    """The rendered operands of nested ANDs, in order, without repeats."""
    if isinstance(node, And):
        parts = [p for item in node.items for p in and_parts(item, analyse)]
    else:
        shown = render(node, analyse)
        parts = [shown] if shown is not None else []
    return list(dict.fromkeys(parts))


def or_parts(node: Or, analyse: Analyse) -> list[str]:
    """The rendered operands of nested ORs, in order, without repeats."""
    parts = [p for item in node.items
             for p in (or_parts(item, analyse) if isinstance(item, Or) else
                       [s for s in [render(item, analyse)] if s is not None])]
    return list(dict.fromkeys(parts))


def joined(parts: list[str], operator: str) -> str | None:
    """Parts joined in parentheses; a lone part as it is; None for no part."""
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else "(" + operator.join(parts) + ")"


def day_text(day) -> str:
    """YYYY-MM-DD, or '*' for an open end."""
    return "*" if day is None else day.isoformat()
