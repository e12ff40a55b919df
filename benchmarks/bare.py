"""A bare Whoosh index of the same texts: the baseline benchmarks measure ours against.

It lives in indexer/ because Whoosh is imported nowhere else.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema

from indexer.engine.whoosh.analysis import text_analyzer
from indexer.engine.whoosh.index import WRITER_OPTIONS

# Whoosh's own codec for the baseline; the rest of the project's writer settings (one
# process, memory, plain files) are Whoosh options any user would set.
BARE_WRITER_OPTIONS = {k: v for k, v in WRITER_OPTIONS.items() if k != "codec"}


def bare_schema(same_analysis: bool = False) -> Schema:
    """An id and two text fields, nothing stored but the id.

    Whoosh's default analysis drops English stop words; ours keeps every word, so
    `same_analysis` separates the cost of our schema from the cost of our analysis.
    """
    analyzer = text_analyzer() if same_analysis else StandardAnalyzer()
    return Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer),
                  text=TEXT(analyzer=analyzer))


def bare_index(folder: Path, items: Iterable[tuple[str, str, str]],
               same_analysis: bool = False) -> int:
    """Index (id, title, text) triples with BARE_WRITER_OPTIONS; return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(folder), bare_schema(same_analysis))
    writer = ix.writer(**BARE_WRITER_OPTIONS)
    count = 0
    for doc_id, title, text in items:
        writer.add_document(id=doc_id, title=title, text=text)
        count += 1
    writer.commit()
    return count
