"""JSON Lines exports: one record a line, in the schema of DATA.md or common aliases."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Iterator

from dateutil import parser as date_parser

from corpus.document import Document, clean_paragraphs, to_utc
from corpus.problems import Problem, ReadError

ALIASES = {
    "text": ("text", "maintext", "content", "body"),
    "published": ("published", "date_publish", "date"),
    "source": ("source", "source_domain", "site"),
    "title": ("title", "headline"),
    "lang": ("lang", "language"),
}


def read_jsonl(data: bytes, location: str | None = None) -> Iterator[Document | Problem]:
    """Yield one Document per good line and a Problem naming each bad line."""
    good = bad = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = parse_line(raw)
        except ValueError as exc:
            bad += 1
            yield Problem(f"line {number}: {exc}")
            continue
        good += 1
        yield record_to_document(record)
    if not good and not bad:
        raise ReadError("empty file")


def parse_line(raw: bytes) -> dict:
    """Decode one line into a JSON object or say why it is not one."""
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def record_to_document(record: dict) -> Document:
    """Map a record (with its aliases) to a Document."""
    pick = lambda name: first_value(record, ALIASES[name])  # noqa: E731
    # This project's own export carries `external_id` (maybe null) beside its hash `id`.
    external = record["external_id"] if "external_id" in record else record.get("id")
    published = None if record.get("date_source") == "ingested" else parse_date(pick("published"))
    return Document(
        title=as_text(pick("title")) or None,
        text=clean_paragraphs(as_text(pick("text"))),
        kind="brief" if record.get("kind") == "brief" else "article",
        source=as_text(pick("source")) or None,
        url=as_text(record.get("url")) or None,
        external_id=as_text(external) or None,
        parent_id=as_text(record.get("parent_id")) or None,
        published=published,
        declared_lang=as_text(pick("lang")) or None,
    )


def first_value(record: dict, names: tuple[str, ...]):
    """Return the first alias with a non-empty value."""
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def as_text(value) -> str:
    """Coerce a JSON value to stripped text ('' for null)."""
    return "" if value is None else str(value).strip()


def parse_date(value) -> datetime | None:
    """Parse an ISO-8601 or common date string (or epoch seconds) to aware UTC; None if unreadable."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return to_utc(datetime.utcfromtimestamp(value))
        text = str(value).strip()
        try:
            return to_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return to_utc(date_parser.parse(text))
    except (ValueError, OverflowError, OSError, TypeError):
        return None
