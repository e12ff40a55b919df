"""The project's own checks and rewrites of query text, before Whoosh's parser sees it.

Whoosh's parser accepts everything (an unknown field becomes words, an unclosed quote is
closed for you), so what INTERFACES.md calls a bad query is refused here, with a message.
"""
from __future__ import annotations

import re
from datetime import date

from indexer.search.params import ParamError, parse_date_bound
from indexer.engine.whoosh.schema import day_number

MAX_QUERY_CHARS = 1000
# Fields a user may name; `date:` is rewritten to the index's `day` range.
FIELDS = ("title", "text", "source", "country", "entity", "lang", "kind", "date")
# The open end of a date range: the largest 32-bit day number. Not 99991231 (date.max):
# whoosh 2.7.4's NumericRange up to 99991231 on this field also matches earlier days.
OPEN_END = 2**32 - 1
DATE_FORMS = "date:YYYY[-MM[-DD]], date:>=YYYY-MM, or date:[YYYY-MM-DD TO YYYY-MM-DD]"

# A quoted phrase (with its proximity), or a run of text outside quotes.
_SEGMENT = re.compile(r'"[^"]*"(?:~\d+)?|[^"]+')
_FIELD = re.compile(r"(?<![\w.:/])([A-Za-z_]\w*):")
_LEADING_WILDCARD = re.compile(r"(?:^|(?<=[\s(:\-]))[*?]")
_MINUS = re.compile(r"(?:^|(?<=[\s(]))-(?=[^\s-])")
_DATE = re.compile(r"(?<![\w.:/])date:(?:\[(?P<range>[^\[\]]*)\]|(?P<op>>=|<=|>|<)?(?P<value>[^\s()\[\]]*))")


class QueryError(ValueError):
    """The query text cannot be searched; the message says what is wrong."""


def check_and_rewrite(text: str) -> str:
    """Refuse bad query text; return it rewritten into what Whoosh's parser reads right."""
    check_length(text)
    if text.count('"') % 2:
        raise QueryError("unbalanced quote in query (a \" without its closing \")")
    segments = [m.group() for m in _SEGMENT.finditer(text)]
    check_parentheses(segments)
    out = []
    for segment in segments:
        if segment.startswith('"'):
            out.append(segment)
            continue
        check_fields(segment)
        segment = _DATE.sub(date_range, segment)
        check_wildcards(segment)
        out.append(_MINUS.sub("NOT ", segment))
    return "".join(out)


def check_length(text: str) -> None:
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")


def check_parentheses(segments: list[str]) -> None:
    depth = 0
    for segment in segments:
        if segment.startswith('"'):
            continue
        for char in segment:
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth < 0:
                raise QueryError("unbalanced parenthesis in query (a ')' without its '(')")
    if depth:
        raise QueryError("unbalanced parenthesis in query (a '(' without its ')')")


def check_fields(segment: str) -> None:
    for match in _FIELD.finditer(segment):
        if match.group(1) not in FIELDS:
            raise QueryError(f"unknown field '{match.group(1)}:' in query "
                             f"(use {', '.join(f + ':' for f in FIELDS)})")


def check_wildcards(segment: str) -> None:
    match = _LEADING_WILDCARD.search(segment)
    if match:
        word = re.match(r"[^\s()]*", segment[match.start():]).group()
        raise QueryError(f"leading wildcard '{word}' is not allowed; "
                         "put at least one letter before * or ?")


def date_range(match: re.Match) -> str:
    """Rewrite one date: term to the `day` range (YYYYMMDD) of its published dates."""
    whole = match.group()
    if match.group("range") is not None:
        parts = match.group("range").split()
        if "TO" not in parts or len(parts) > 3 or parts.count("TO") != 1:
            raise QueryError(f"malformed date range '{whole}' (use {DATE_FORMS})")
        at = parts.index("TO")
        first, last = (parts[:at] or [None])[0], (parts[at + 1:] or [None])[0]
        start = bound(first, "from", whole) if first not in (None, "*") else date.min
        end = bound(last, "to", whole) if last not in (None, "*") else date.max
    else:
        op, value = match.group("op") or "", match.group("value")
        if match.string.startswith("[", match.end()):
            rest = match.string[match.start():].strip()
            raise QueryError(f"malformed date range '{rest}' (no closing ']'; use {DATE_FORMS})")
        if not value:
            raise QueryError(f"malformed date '{whole}' (use {DATE_FORMS})")
        start = bound(value, "from", whole) if op in ("", ">=") else date.min
        end = bound(value, "to", whole) if op in ("", "<=") else date.max
        if op == ">":
            start = next_day(bound(value, "to", whole))
        elif op == "<":
            end = previous_day(bound(value, "from", whole))
    if start > end:
        raise QueryError(f"date range '{whole}' ends before it starts")
    # Both ends explicit: 2.7.4's open NumericRange on an unsigned field misbehaves.
    last = OPEN_END if end == date.max else day_number(end)
    return f"day:[{day_number(start)} TO {last}]"


def bound(value: str, which: str, whole: str) -> date:
    try:
        return parse_date_bound(value, which)
    except ParamError:
        raise QueryError(f"malformed date '{value}' in '{whole}' (use {DATE_FORMS})") from None


def next_day(day: date) -> date:
    return date.max if day == date.max else date.fromordinal(day.toordinal() + 1)


def previous_day(day: date) -> date:
    return date.min if day == date.min else date.fromordinal(day.toordinal() - 1)
