"""What an alert says: its hits with why each fired (the words, highlighted in a snippet),
as plain data the inbox, the feed, the email and the webhook all draw from.

Engine-free: the words are those the engine recorded with each hit (folded, stems
marked), and indexer.search.snippets highlights them as the search page does.
"""
from __future__ import annotations

from dataclasses import dataclass

from corpus.document import Document, to_json
from indexer.search.snippets import make_snippet
from indexer.text.stems import with_stem
from indexer.text.tokens import tokenize

SURFACE_WORDS = 12     # words listed as the reason a hit fired


@dataclass(frozen=True)
class HitView:
    """One hit ready to show: the document (no text), why it fired, where it stands."""

    id: int
    search_id: int
    document: dict
    words: list[str]          # the words of the document that matched, as written
    snippet: str              # escaped text with the matched words in <mark>
    matched_at: str
    read: bool
    copies: int

    def to_json(self, document_url: str | None = None) -> dict:
        data = {"id": self.id, "alert": self.search_id, "document": self.document,
                "words": self.words, "snippet": self.snippet, "matched_at": self.matched_at,
                "read": self.read, "copies": self.copies}
        if document_url:
            data["url"] = document_url
        return data


def surface_words(text: str, terms: set[str], limit: int = SURFACE_WORDS) -> list[str]:
    """The words of a text that the recorded terms matched, as written, first seen first."""
    found: dict[str, str] = {}
    for token in tokenize(text):
        if token.word not in found and terms.intersection(with_stem(token.word, token.raw)):
            found[token.word] = text[token.start:token.end]
            if len(found) >= limit:
                break
    return list(found.values())


def hit_view(hit: dict, doc: Document | None) -> HitView:
    """A recorded hit and its document (None once the store no longer holds it)."""
    terms = set(hit["words"])
    if doc is None:
        document, words, snippet = {"id": hit["doc_id"], "title": None}, [], ""
    else:
        document = to_json(doc, with_text=False)
        full = f"{doc.title or ''}\n{doc.text or ''}"
        words, snippet = surface_words(full, terms), make_snippet(doc.text or "", terms)
    return HitView(hit["id"], hit["search_id"], document, words, snippet, hit["matched_at"],
                   bool(hit["read"]), hit["copies"])
