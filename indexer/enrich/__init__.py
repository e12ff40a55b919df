"""Work out what a document's raw fields imply: language, date, countries, entities."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from corpus.document import Document
from corpus.languages import language_code
from indexer.enrich.countries import detect_countries
from indexer.enrich.dates import date_from_text
from indexer.enrich.entities import find_entities
from indexer.enrich.entity_table import EntityTable, Row
from indexer.enrich.language import choose_language, guess_language

Lookup = Callable[[str], str | None]


def no_lookup(_: str) -> str | None:
    """A language lookup that knows nothing (for documents without store context)."""
    return None


@dataclass
class Enricher:
    """Enriches documents against a growing entity table and language hints from the store."""

    entity_table: EntityTable = field(default_factory=EntityTable)
    parent_language: Lookup = no_lookup      # a brief's page language
    outlet_language: Lookup = no_lookup      # an outlet's most common language
    detect: bool = True                      # language detection (slow) can be switched off
    full: bool = True                        # countries, entities and text dates
    # When given, collects the ids of documents whose language leaned on the store (their
    # page's, their outlet's) or stayed unknown: an ingest settles them once its run is in.
    unsettled: set[str] | None = None

    def enrich(self, doc: Document, now: datetime) -> tuple[Document, list[Row]]:
        """Return the enriched document and the entity-table rows it added."""
        lang = self.language(doc)
        published, date_source = self.date(doc, lang, doc.ingested_at or now)
        # the local time belongs to the input's own date only
        local = doc.published_local if date_source == "metadata" else None
        enriched = replace(doc, ingested_at=doc.ingested_at or now, lang=lang,
                           published=published, date_source=date_source, published_local=local)
        if not self.full:
            return enriched, []
        entities = find_entities(doc.title, doc.text, lang, self.entity_table)
        enriched.countries = detect_countries(doc.title, doc.text, lang)
        enriched.entities = [entity.as_dict() for entity in entities]
        return enriched, self.entity_table.add(entities)

    def language(self, doc: Document) -> str | None:
        """Language detected on prose, else the declared one, the page's or the outlet's.

        Each hint counts only when written in the text's script; on thin text (figures,
        abbreviations, a headline) a hint beats even a confident guess.
        """
        declared = language_code(doc.declared_lang)
        if not self.detect:
            return declared
        guess = guess_language(doc.title, doc.text)
        if guess.settled or (declared and guess.fits(declared)):
            return choose_language(guess, [declared])
        if self.unsettled is not None:
            assert doc.id is not None   # Document.__post_init__ always sets an id
            self.unsettled.add(doc.id)
        return choose_language(guess, self.context_hints(doc))

    def context_hints(self, doc: Document) -> Iterator[str | None]:
        """The page's language, then the outlet's, looked up only when needed."""
        if doc.parent_id:
            yield self.parent_language(doc.parent_id)
        if doc.source:
            yield self.outlet_language(doc.source)

    def date(self, doc: Document, lang: str | None, ingested_at: datetime
             ) -> tuple[datetime, str]:
        """The input's own date, else one written in the text, else the first ingest time.

        A date outside what a news item can carry (before 1800, or more than a day after
        it was ingested) is a reader's or a publisher's mistake: it counts as no date.
        """
        own = doc.published if doc.date_source in (None, "metadata") else None
        if own is not None and plausible(own, ingested_at):
            return own, "metadata"
        found = date_from_text(doc.text, lang) if self.full else None
        if found is not None and plausible(found, ingested_at):
            return found, "text"
        return ingested_at, "ingested"


EARLIEST = datetime(1800, 1, 1, tzinfo=timezone.utc)
LATEST_AHEAD = timedelta(days=1)


def plausible(published: datetime, ingested_at: datetime) -> bool:
    """Tell whether a published time can be a news item's: 1800 to a day after its ingest."""
    return EARLIEST <= published <= ingested_at + LATEST_AHEAD


def enrich(doc: Document, now: datetime, detect: bool = True) -> Document:
    """Enrich one document without store context (tests, previews)."""
    return Enricher(detect=detect).enrich(doc, now)[0]
