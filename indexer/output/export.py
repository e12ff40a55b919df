"""Write search matches as JSON Lines or CSV, in the field order of INTERFACES.md."""
from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from corpus.document import FIELD_ORDER

FORMATS = ("jsonl", "csv")
LIST_SEPARATOR = "; "


def write_jsonl(documents: Iterable[dict], handle: TextIO) -> int:
    """Write one JSON object a line; return how many."""
    count = 0
    for document in documents:
        handle.write(json.dumps(document, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_cell(name: str, value) -> str | int:
    """Flatten a field for CSV: null empty, lists joined, entities as their names."""
    if value is None:
        return ""
    if name == "entities":
        return LIST_SEPARATOR.join(entity["name"] for entity in value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    return value


def write_csv(documents: Iterable[dict], handle: TextIO) -> int:
    """Write a header of FIELD_ORDER, then a row per document; return how many."""
    writer = csv.writer(handle)
    writer.writerow(FIELD_ORDER)
    count = 0
    for document in documents:
        writer.writerow([csv_cell(name, document.get(name)) for name in FIELD_ORDER])
        count += 1
    return count


def write_export(documents: Iterable[dict], handle: TextIO, fmt: str) -> int:
    """Write documents in the chosen format; return how many."""
    return (write_csv if fmt == "csv" else write_jsonl)(documents, handle)
