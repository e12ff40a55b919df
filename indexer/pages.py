"""The web's pages as use cases: a document with its family, an entity, a country.

Engine-free: each page is built from Monitor.search calls with filters (so the counts,
the histogram and the order follow the same rules as any search) and from the store.
Every function answers plain JSON-able data, which the web app renders as a page and
serves as the JSON API alike.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from corpus.document import Document, to_json
from indexer.engine import UnknownDocument
from indexer.enrich.entity_table import variant_key
from indexer.search.params import Filters, ParamError, SearchParams, normalise_country, parse_date_bound
from indexer.store.queries import children, entity_type, entity_variants

LATEST = 10         # latest documents shown on an entity or country page
RELATED = 10        # co-mentioned entities and countries shown
DUPLICATES = 50     # near-duplicates listed on a document page
EXCERPT_CHARS = 240


def summary(doc: Document) -> dict:
    """A document without its text, with a plain-text excerpt for lists (briefs have no title)."""
    data = to_json(doc, with_text=False)
    flat = " ".join(doc.text.split())
    if len(flat) > EXCERPT_CHARS:
        flat = flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " \u2026"
    data["excerpt"] = flat
    return data


def document_page(monitor, doc_id: str) -> dict | None:
    """A document with its text, its page or briefs, sibling briefs and near-duplicates."""
    with monitor.reading_store() as store:
        doc = store.get(doc_id)
        if doc is None:
            return None
        parent = store.get(doc.parent_id) if doc.parent_id else None
        briefs = children(store.db, doc.id)
        siblings = [d for d in children(store.db, doc.parent_id) if d.id != doc.id] if doc.parent_id else []
    return {"document": to_json(doc), "parent": summary(parent) if parent else None,
            "briefs": [summary(d) for d in briefs], "siblings": [summary(d) for d in siblings],
            "duplicates": near_duplicates(monitor, doc_id)}


def near_duplicates(monitor, doc_id: str) -> list[dict]:
    """The documents collapsed with doc_id in a search of everything (oldest first)."""
    try:
        found = monitor.duplicates(SearchParams(sort="oldest", limit=DUPLICATES, facet_limit=0), doc_id)
    except UnknownDocument:      # stored but not indexed yet: no copies known
        return []
    return found["results"]


def canonical_entity(monitor, name: str) -> str | None:
    """The canonical name of an entity name or known variant, None when unknown."""
    with monitor.reading_store() as store:
        return store.entity_name(variant_key(name))


def entity_page(monitor, name: str) -> dict | None:
    """Attention over time, co-mentions, variants and latest documents of a canonical entity."""
    with monitor.reading_store() as store:
        kind = entity_type(store.db, name)
        variants = entity_variants(store.db, name)
    if kind is None:
        return None
    page = subject_page(monitor, "entity", name)
    own = variant_key(name)
    return {"name": name, "type": kind, "variants": [v for v in variants if v != own], **page}


def canonical_country(value: str) -> str | None:
    """The ISO code of a code (any case) or English country name, None when unknown."""
    try:
        return normalise_country(value)
    except ParamError:
        return None


def country_page(monitor, code: str) -> dict:
    """Attention over time, co-mentions and latest documents of a country (an ISO code)."""
    return {"code": code, **subject_page(monitor, "country", code)}


def subject_page(monitor, facet: str, value: str) -> dict:
    """What an entity and a country page share, from one search of the documents naming it."""
    subject = SearchParams(include=Filters({facet: (value,)}))
    found = monitor.search(replace(subject, sort="newest", limit=LATEST, facet_limit=RELATED + 1))
    related = {name: [v for v in found["facets"][name]["values"] if v["value"] != value][:RELATED]
               for name in ("entity", "country")}
    return {"total": found["total"], "histogram": found["histogram"],
            "entities": related["entity"], "countries": related["country"],
            "latest": found["results"], "search": subject.to_args()}


def bucket_range(label: str, interval: str) -> tuple[date, date]:
    """The first and last day of a histogram bucket (YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY)."""
    if interval == "week":
        year, week = label.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        return monday, monday + timedelta(days=6)
    return parse_date_bound(label, "from"), parse_date_bound(label, "to")
