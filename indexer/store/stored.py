"""What a document read from the store always carries: its id and the seq the store gave it."""
from __future__ import annotations

from corpus.document import Document


def stored_seq(doc: Document) -> int:
    """The seq of a document read from the store; every stored row has one."""
    # Document.seq is None only before the ingester saves it; a reader of the store that
    # meets one has been handed a document that never went through the store.
    assert doc.seq is not None, f"document {doc.id} was not read from the store"
    return doc.seq


def stored_id(doc: Document) -> str:
    """The id of a document; Document.__post_init__ gives every document one."""
    assert doc.id is not None, "a document's id was erased after it was made"
    return doc.id
