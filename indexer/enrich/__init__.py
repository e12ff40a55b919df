"""Work out what a document's raw fields imply: language, date, countries, entities."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Iterator

from corpus.document import Document
from corpus.languages import language_code
from indexer.enrich.analysis import (
    UNASKED,
    Analysis,
    Failure,
    Findings,
    Unasked,
    analyse,
    find,
    needed,
    own_date,
    plausible,
)
from indexer.enrich.dates import date_from_text
from indexer.enrich.entities import find_entities
from indexer.enrich.entity_table import EntityTable, Row
from indexer.enrich.language import Guess, choose_language, guess_language

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
        return self.finish(doc, now, self.analyse(doc, now))

    def analyse(self, doc: Document, now: datetime) -> Analysis:
        """The part of the enrichment that needs only the document (a worker can run it)."""
        return analyse(doc, now, self.detect, self.full)

    def finish(self, doc: Document, now: datetime, analysis: Analysis | None
               ) -> tuple[Document, list[Row]]:
        """Enrich a document from its analysis (None: analyse it here), in input order.

        The language's store hints and the entity table depend on the documents enriched
        before this one: this runs in the one process that writes the store.
        """
        analysis = analysis or self.analyse(doc, now)
        lang = self.language(doc, analysis.guess)
        findings = analysis.findings
        if self.full and (findings is None or findings.lang != lang):
            findings = find(doc, lang)   # a store hint changed the language assumed
        published, date_source = self.date(doc, lang, doc.ingested_at or now, findings)
        # the local time belongs to the input's own date only
        local = doc.published_local if date_source == "metadata" else None
        enriched = replace(doc, ingested_at=doc.ingested_at or now, lang=lang,
                           published=published, date_source=date_source, published_local=local)
        if findings is None:
            return enriched, []
        entities = find_entities(doc.title, doc.text, lang, self.entity_table,
                                 mentions=needed(findings.mentions))
        enriched.countries = needed(findings.countries)
        enriched.entities = [entity.as_dict() for entity in entities]
        return enriched, self.entity_table.add(entities)

    def language(self, doc: Document, guess: Guess | None | Failure | Unasked = UNASKED
                 ) -> str | None:
        """Language detected on prose, else the declared one, the page's or the outlet's.

        Each hint counts only when written in the text's script; on thin text (figures,
        abbreviations, a headline) a hint beats even a confident guess. guess is langdetect's
        answer when the analysis has it already.
        """
        declared = language_code(doc.declared_lang)
        if not self.detect:
            return declared
        if isinstance(guess, Unasked) or guess is None:
            guess = guess_language(doc.title, doc.text)
        guess = needed(guess)
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

    def date(self, doc: Document, lang: str | None, ingested_at: datetime,
             findings: Findings | None = None) -> tuple[datetime, str]:
        """The input's own date, else one written in the text, else the first ingest time.

        A date outside what a news item can carry (before 1800, or more than a day after
        it was ingested) is a reader's or a publisher's mistake: it counts as no date.
        findings may hold the text's date already.
        """
        own = own_date(doc, ingested_at)
        if own is not None:
            return own, "metadata"
        found = None
        if self.full:
            known = findings.text_date if findings is not None else UNASKED
            found = needed(date_from_text(doc.text, lang) if isinstance(known, Unasked)
                           else known)
        if found is not None and plausible(found, ingested_at):
            return found, "text"
        return ingested_at, "ingested"


def enrich(doc: Document, now: datetime, detect: bool = True) -> Document:
    """Enrich one document without store context (tests, previews)."""
    return Enricher(detect=detect).enrich(doc, now)[0]
