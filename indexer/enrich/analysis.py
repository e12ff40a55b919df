"""The part of enrichment that needs only the document itself: what worker processes run.

An `Analysis` holds langdetect's guess on the title and text, and the language-dependent
findings (a date written in the text, the countries, the names the entity table will
resolve) for the language the document most likely has. The main process finishes the
enrichment in input order (`Enricher.finish`): it decides the language with the store's
hints, resolves the names against the entity table, and only when the language differs
from the one assumed here does it redo the language-dependent findings itself.

A rule that raises here is not raised at once: its failure is kept and raised again
(`RuleFailed`) only where the finishing step needs that result, so a document fails exactly
where a single-process enrichment would have failed on it.
"""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar

from corpus.document import Document
from corpus.languages import language_code
from indexer.enrich.countries import detect_countries
from indexer.enrich.dates import date_from_text
from indexer.enrich.entities import find_mentions
from indexer.enrich.entity_table import Mention
from indexer.enrich.language import Guess, choose_language, guess_language

T = TypeVar("T")
EARLIEST = datetime(1800, 1, 1, tzinfo=timezone.utc)
LATEST_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class Failure:
    """A rule that raised on a document: which rule, and the error in one line."""

    rule: str       # the enrichment module it came from (language, dates, countries...)
    error: str      # "IndexError: list index out of range"


class RuleFailed(Exception):
    """A rule's failure, met in analysis, raised where its result is needed."""

    def __init__(self, failure: Failure):
        super().__init__(failure.error)
        self.failure = failure


def failure_of(exc: Exception) -> Failure:
    """The rule an exception came from and the error in one line."""
    if isinstance(exc, RuleFailed):
        return exc.failure
    return Failure(failed_rule(exc), f"{type(exc).__name__}: {exc}")


def failed_rule(exc: BaseException) -> str:
    """The enrichment module (language, dates, countries, entities...) an error came from."""
    modules = [Path(frame.filename).stem for frame in traceback.extract_tb(exc.__traceback__)
               if f"{os.sep}enrich{os.sep}" in frame.filename]
    return modules[-1] if modules else "enrichment"


def attempt(rule: Callable[[], T]) -> T | Failure:
    """Run a rule; keep its failure instead of raising it."""
    try:
        return rule()
    except Exception as exc:  # noqa: BLE001 - raised again by `needed` where it matters
        return failure_of(exc)


def needed(result: T | Failure) -> T:
    """A rule's result, or its failure raised now that the result is needed."""
    if isinstance(result, Failure):
        raise RuleFailed(result)
    return result


class Unasked:
    """The text date of a document whose own date was enough when it was analysed."""


UNASKED = Unasked()


@dataclass(frozen=True)
class Findings:
    """What a document's text says once its language is known."""

    lang: str | None                                  # the language these findings assume
    text_date: datetime | None | Failure | Unasked    # a date written in the text
    countries: list[str] | Failure
    mentions: list[Mention] | Failure                 # names, for the entity table to resolve


@dataclass(frozen=True)
class Analysis:
    """Everything about a document that needs neither the store nor the run so far."""

    guess: Guess | None | Failure           # None when detection is off
    findings: Findings | None               # None when only dates and languages are wanted
    prepared: Any = None                    # the store's own work on it (Store.prepare)


def analyse(doc: Document, now: datetime, detect: bool = True, full: bool = True) -> Analysis:
    """The store-free part of a document's enrichment (pure: a worker process can run it).

    now is the ingest time the document will get if it has none: a text date is looked for
    only when the document's own date is missing or implausible then.
    """
    guess = attempt(lambda: guess_language(doc.title, doc.text)) if detect else None
    if not full:
        return Analysis(guess, None)
    wants_date = own_date(doc, doc.ingested_at or now) is None
    return Analysis(guess, find(doc, likely_language(doc, guess), wants_date))


def find(doc: Document, lang: str | None, wants_date: bool = True) -> Findings:
    """The text date (when wanted), the countries and the names of a document in a language."""
    text_date = attempt(lambda: date_from_text(doc.text, lang)) if wants_date else UNASKED
    return Findings(lang, text_date, attempt(lambda: detect_countries(doc.title, doc.text, lang)),
                    attempt(lambda: find_mentions(doc.title, doc.text, lang)))


def own_date(doc: Document, ingested_at: datetime) -> datetime | None:
    """The input's own date when a news item can carry it: 1800 to a day after its ingest."""
    own = doc.published if doc.date_source in (None, "metadata") else None
    return own if own is not None and plausible(own, ingested_at) else None


def plausible(published: datetime, ingested_at: datetime) -> bool:
    """Tell whether a published time can be a news item's: 1800 to a day after its ingest."""
    return EARLIEST <= published <= ingested_at + LATEST_AHEAD


def likely_language(doc: Document, guess: Guess | None | Failure) -> str | None:
    """The language the document will have unless the store's hints decide otherwise.

    Exact whenever the text or the declared language settles it (most documents); else
    langdetect's own answer, and the main process redoes the findings if a hint wins.
    """
    declared = language_code(doc.declared_lang)
    if guess is None or isinstance(guess, Failure):
        return declared
    return choose_language(guess, [declared])
