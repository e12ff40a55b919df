"""Decide what an incoming item does to the stored document with the same id."""
from __future__ import annotations

from dataclasses import replace

from corpus.document import Document

RAW_FIELDS = ("title", "text", "url", "source")
FILLABLE = ("title", "url", "source", "external_id", "declared_lang")


def input_date(doc: Document):
    """Return the date the input itself gave, or None when it came from text or ingest time."""
    return doc.published if doc.date_source in (None, "metadata") else None


def raw_fields(doc: Document) -> tuple:
    """The fields whose change makes a document news again."""
    return tuple(getattr(doc, name) for name in RAW_FIELDS) + (input_date(doc),)


def merge(stored: Document | None, incoming: Document) -> tuple[Document, str]:
    """Return the document to keep and whether it is new, updated or unchanged."""
    if stored is None:
        return incoming, "new"
    if raw_fields(stored) == raw_fields(incoming):
        return _fill_local(stored, incoming)
    if len(stored.text) > len(incoming.text) or only_lacks(stored, incoming):
        return _fill_empty(stored, incoming)
    merged = replace(incoming, id=stored.id, ingested_at=stored.ingested_at,
                     external_id=incoming.external_id or stored.external_id,
                     parent_id=incoming.parent_id or stored.parent_id)
    return merged, "updated"


def _fill_local(stored: Document, incoming: Document) -> tuple[Document, str]:
    """Keep an unchanged item, but let it give the publisher's offset the stored copy lacks.

    Documents stored before the offset was kept (migration 7) have only the UTC instant;
    the same item read again names the same instant with its offset, and its local day is
    the document's day. Only then is it "updated" (same id: no second document).
    """
    local = incoming.published_local
    if (stored.published_local is not None or local is None
            or input_date(stored) is None or local != input_date(stored)):
        return stored, "unchanged"
    return replace(stored, published_local=local), "updated"


def only_lacks(stored: Document, incoming: Document) -> bool:
    """True when the incoming item differs only by lacking values: it must not erase them."""
    # raw_fields gives every document the same fields in the same order.
    return all(new in (None, "") or new == old
               for old, new in zip(raw_fields(stored), raw_fields(incoming), strict=True))


def _fill_empty(stored: Document, incoming: Document) -> tuple[Document, str]:
    """Let a shorter copy (a feed summary) only fill what the stored one lacks."""
    filled = {name: getattr(incoming, name) for name in FILLABLE
              if not getattr(stored, name) and getattr(incoming, name)}
    if input_date(stored) is None and input_date(incoming) is not None:
        filled.update(published=incoming.published, date_source=None)
    if not filled:
        return stored, "unchanged"
    return replace(stored, **filled), "updated"
