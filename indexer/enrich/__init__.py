"""Work out what a document's raw fields imply: language and date (more to come)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from corpus.document import Document
from indexer.enrich.language import detect_language


def enrich(doc: Document, now: datetime, detect: bool = True) -> Document:
    """Return the document with its enriched fields filled in; raw fields stay as they are."""
    ingested_at = doc.ingested_at or now
    if doc.published is not None and doc.date_source in (None, "metadata"):
        published, date_source = doc.published, "metadata"
    else:
        published, date_source = ingested_at, "ingested"
    lang = detect_language(doc.title, doc.text, doc.declared_lang) if detect else doc.declared_lang
    return replace(doc, ingested_at=ingested_at, published=published, date_source=date_source,
                   lang=lang)
