"""JSON Lines exports: one record a line, in the schema of DATA.md or common aliases.

Read as a stream, line by line: a line over the item limit is skipped (read past in
bounded chunks), a bad line is reported by number, and the rest of the file still goes in.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import BinaryIO, Iterator

from corpus.dates import read_date, read_local_date
from corpus.document import Document, clean_paragraphs
from corpus.jsonl_fields import check_fields
from corpus.problems import ItemWarning, Problem, ReadError
from corpus.streams import MAX_ITEM_BYTES, as_stream, read_chunks, size_words, split_lines

ALIASES = {
    "text": ("text", "maintext", "content", "body"),
    "published": ("published", "date_publish", "date"),
    "source": ("source", "source_domain", "site"),
    "title": ("title", "headline"),
    "lang": ("lang", "language"),
}


def read_jsonl(source: bytes | BinaryIO, location: str | None = None,
               limit: int = MAX_ITEM_BYTES) -> Iterator[Document | Problem | ItemWarning]:
    """Yield one Document per good line, a Problem naming each bad line, warnings between."""
    good = bad = 0
    for line in split_lines(read_chunks(as_stream(source)), limit):
        if line.content is None:
            bad += 1
            yield Problem(f"line {line.number}: {size_words(line.size)}, over the item limit "
                          f"of {size_words(limit)}; skipped")
            continue
        if not line.content.strip():
            continue
        try:
            record = parse_line(line.content)
        except ValueError as exc:
            bad += 1
            yield Problem(f"line {line.number}: {exc}")
            continue
        record, warnings = check_fields(record)
        for warning in warnings:
            yield ItemWarning(f"line {line.number}: {warning}")
        good += 1
        yield checked_record_to_document(record)
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
    except RecursionError:
        raise ValueError("invalid JSON (nested too deeply)") from None
    except ValueError as exc:        # an integer of more digits than Python converts
        raise ValueError(f"invalid JSON ({' '.join(str(exc).split())})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    return record


def record_to_document(record: dict) -> Document:
    """Map a record (with its aliases) to a Document; fields of the wrong type count as absent."""
    return checked_record_to_document(check_fields(record)[0])


def checked_record_to_document(record: dict) -> Document:
    """Map a record whose fields have their JSON types (see check_fields) to a Document."""
    pick = lambda name: first_value(record, ALIASES[name])  # noqa: E731
    # This project's own export carries `external_id` (maybe null) beside its hash `id`.
    external = record["external_id"] if "external_id" in record else record.get("id")
    published = None if record.get("date_source") == "ingested" else parse_date(pick("published"))
    # This project's export keeps the local time beside the UTC one; other inputs give one.
    local = read_local_date(record.get("published_local")) or read_local_date(pick("published"))
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
        published_local=local if published is not None else None,
    )


def first_value(record: dict, names: tuple[str, ...]):
    """Return the first alias with a non-empty value."""
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def as_text(value: str | None) -> str:
    """Stripped text ('' for null)."""
    return "" if value is None else value.strip()


def parse_date(value) -> datetime | None:
    """A record's date (ISO 8601, words or epoch seconds) as aware UTC; None if not whole."""
    return read_date(value)

