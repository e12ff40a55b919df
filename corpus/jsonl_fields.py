"""The JSON types a JSON Lines record's fields must have; a field of another type is dropped.

Nothing is coerced with str(): a list title would become "['a', 'list']". The one exception
is an integer id, taken as its decimal text. Each dropped or repaired field gives a warning.
"""
from __future__ import annotations

import re

from corpus.document import web_url

TEXT = ("title", "headline", "text", "maintext", "content", "body", "source", "source_domain",
        "site", "lang", "language", "url", "parent_id", "kind", "date_source")
IDS = ("id", "external_id")
DATES = ("published", "date_publish", "date")
# json.loads turns a "\ud800" escape into a lone surrogate, which no UTF-8 store can hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_fields(record: dict) -> tuple[dict, list[str]]:
    """Return the record without fields of the wrong type (ids as text) and a warning for each."""
    checked, warnings = dict(record), []
    for name in (*TEXT, *IDS, *DATES):
        value = record.get(name)
        if value is None:
            continue
        kept, warning = check_field(name, value)
        if warning:
            warnings.append(warning)
        if kept is None:
            del checked[name]
        else:
            checked[name] = kept
    return checked, warnings


def check_field(name: str, value) -> tuple[object | None, str | None]:
    """Return (the value to keep or None, a warning or None) for one known field."""
    if isinstance(value, str):
        return check_text(name, value)
    if is_integer(value) and name in IDS:
        return str(value), None
    if is_number(value) and name in DATES:
        return value, None
    wanted = ("text or an integer" if name in IDS else
              "text or a number" if name in DATES else "text")
    return None, f"field '{name}' is {json_type(value)}, not {wanted}; dropped"


def check_text(name: str, value: str) -> tuple[str | None, str | None]:
    """Repair lone surrogates in a text field and drop a url that is not absolute http(s)."""
    warning = None
    if not value.isascii() and _LONE_SURROGATE.search(value):
        value = _LONE_SURROGATE.sub("\ufffd", value)
        warning = f"field '{name}' held invalid \\u escapes (lone surrogates), replaced by �"
    if name == "url" and value.strip() and web_url(value) is None:
        return None, "field 'url' is not an absolute http(s) URL; dropped"
    return value, warning


def is_integer(value) -> bool:
    """A JSON integer (booleans are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A JSON number (booleans are not numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_type(value) -> str:
    """Name a value's JSON type for a warning."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "a string"
