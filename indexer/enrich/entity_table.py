"""Canonical entity names: variant keys, merging a document's mentions, the entity table."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping

from indexer.text.folding import ZWNJ, fold_text

_KEY_DROP = re.compile(r"['’]s\b|[.'’]")
_KEY_SPLIT = re.compile(r"[\s\-‐]+")
KEY_PARTICLES = frozenset({"al", "el"})   # "Bashar al-Assad" and "Bashar Assad" are one name

Row = tuple[str, str, str]   # (variant key, canonical name, type): one row of the entity table


def variant_key(name: str) -> str:
    """Fold a name to its lookup key: folded as search folds words, less "al-", dots, "'s".

    A ZWNJ separates the parts of a name here ("خامنه‌ای" -> "خامنه ای"), where search
    joins them: a key is a list of words.
    """
    text = _KEY_DROP.sub("", fold_text(name.replace(ZWNJ, " ")))
    return " ".join(t for t in _KEY_SPLIT.split(text) if t and t not in KEY_PARTICLES)


@dataclass
class Mention:
    """One name found in a text; strong when a cue says what it is, weak otherwise."""
    start: int
    name: str
    type: str
    strong: bool = True
    extra_keys: tuple[str, ...] = ()   # short forms: "texaco" for "Texaco Inc", a defined acronym


@dataclass
class Entity:
    """A canonical entity of a document with every variant key it was seen under."""
    name: str
    type: str
    first: int
    variants: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, str]:
        """Return the document field shape: {"name", "type"}."""
        return {"name": self.name, "type": self.type}


class _Clusters:
    """A document's entities so far, indexed by full key, surname and first+last name."""

    def __init__(self, known: Mapping[str, tuple[str, str]]):
        self.known = known
        self.entities: dict[str, Entity] = {}          # canonical key -> entity
        self.by_key: dict[str, Entity] = {}
        self.by_surname: dict[str, list[tuple[int, Entity]]] = {}
        self.by_first_last: dict[str, Entity] = {}

    def create(self, name: str, type_: str, start: int) -> Entity:
        key = variant_key(name)
        if key not in self.entities:
            self.entities[key] = Entity(name, type_, start)
        return self.entities[key]

    def from_known(self, key: str, start: int) -> Entity | None:
        hit = self.known.get(key)
        return self.create(hit[0], hit[1], start) if hit else None

    def add(self, entity: Entity, mention: Mention, key: str) -> None:
        entity.first = min(entity.first, mention.start)
        keys = {key, *mention.extra_keys}
        tokens = key.split()
        if entity.type == "person" and len(tokens) > 1:
            keys.add(tokens[-1])   # a surname alone later in this or another document
            self.by_surname.setdefault(tokens[-1], []).append((mention.start, entity))
            self.by_first_last.setdefault(f"{tokens[0]} {tokens[-1]}", entity)
        for each in keys:
            self.by_key.setdefault(each, entity)
        entity.variants |= keys

    def surname_owner(self, key: str, start: int) -> Entity | None:
        """Full name with this surname nearest before the mention, else the first one."""
        owners = self.by_surname.get(key, [])
        before = [entity for at, entity in owners if at <= start]
        return before[-1] if before else owners[0][1] if owners else None


def _last_word(name: str) -> str | None:
    """The last word of a name's key; None when nothing is left of it ("Al- Al")."""
    words = variant_key(name).split()
    return words[-1] if words else None


def resolve(mentions: Iterable[Mention], known: Mapping[str, tuple[str, str]] | None = None
            ) -> list[Entity]:
    """Merge mentions into entities: full names first, then short forms and weak mentions."""
    clusters = _Clusters(known or {})
    ordered = sorted(mentions, key=lambda m: m.start)
    # "The Assad regime ... Bashar Assad": a cued surname vouches for the full name with it.
    surnames = {variant_key(m.name) for m in ordered
                if m.strong and m.type == "person" and " " not in m.name.strip()}
    full = [m for m in ordered if " " in m.name.strip() and (
        (m.strong and m.type == "person") or (m.type == "person" and _last_word(m.name) in surnames))
        or (m.strong and m.type != "person")]
    taken, unknown_surnames = {id(m) for m in full}, set()
    rest = [m for m in ordered if id(m) not in taken]
    for mention in full:
        key = variant_key(mention.name)
        if not key:
            continue
        entity = clusters.by_key.get(key) or clusters.from_known(key, mention.start)
        if entity is None and mention.type == "person":
            entity = _known_surname(clusters, key, mention.start) or _first_last(clusters, key)
        entity = entity or clusters.create(mention.name, mention.type, mention.start)
        clusters.add(entity, mention, key)
    for mention in rest:
        key = variant_key(mention.name)
        if not key:
            continue
        entity = (clusters.by_key.get(key) or clusters.surname_owner(key, mention.start)
                  or _first_last(clusters, key))
        if entity is None and key not in unknown_surnames:
            entity = (clusters.from_known(key, mention.start)
                      or (" " in key and _known_surname(clusters, key, mention.start)) or None)
        if entity is None and mention.strong:
            entity = clusters.create(mention.name, mention.type, mention.start)
        if entity is None and mention.type == "person" and " " in key:
            # An unknown full name owns its surname here: "Baker" after "Howard Baker" is
            # not the James Baker of the table.
            unknown_surnames.add(key.split()[-1])
        if entity is not None:
            clusters.add(entity, mention, key)
    return sorted(clusters.entities.values(), key=lambda e: e.first)


def _known_surname(clusters: _Clusters, key: str, start: int) -> Entity | None:
    # A person first recorded by surname alone ("President Reagan") keeps that canonical form.
    hit = clusters.known.get(key.split()[-1])
    if hit and hit[1] == "person" and variant_key(hit[0]) == key.split()[-1]:
        return clusters.create(hit[0], hit[1], start)
    return None


def _first_last(clusters: _Clusters, key: str) -> Entity | None:
    tokens = key.split()
    return clusters.by_first_last.get(f"{tokens[0]} {tokens[-1]}") if len(tokens) > 1 else None


def merge_into_table(known: Mapping[str, tuple[str, str]], entities: Iterable[Entity]
                     ) -> list[Row]:
    """Return the (variant, name, type) rows the table lacks; existing variants keep theirs."""
    rows: dict[str, Row] = {}
    for entity in entities:
        for variant in sorted(entity.variants):
            if variant and variant not in known and variant not in rows:
                rows[variant] = (variant, entity.name, entity.type)
    return list(rows.values())


def rekey(rows: Iterable[Row]) -> list[Row]:
    """Compute the keys of table rows (oldest first) again, with today's variant_key.

    For a store whose keys an older folding made. Rows whose keys now collide merge into
    the oldest one (a known variant keeps its first canonical name, as everywhere). A
    canonical name whose own key now stands for another name of its type is a spelling
    of that name ("ابراهیم رییسی" of "ابراهیم رئیسی"): its rows take that name.
    """
    table: dict[str, tuple[str, str]] = {}
    for variant, name, type_ in rows:
        key = variant_key(variant)
        if key:
            table.setdefault(key, (name, type_))
    return [(key, *_spelled_as(entry, table)) for key, entry in table.items()]


def _spelled_as(entry: tuple[str, str], table: Mapping[str, tuple[str, str]]
                ) -> tuple[str, str]:
    """The (name, type) an entry's name stands for in the table, following renamings."""
    seen = {entry}
    while True:
        hit = table.get(variant_key(entry[0]))
        if hit is None or hit in seen or hit[1] != entry[1]:
            return entry
        seen.add(hit)
        entry = hit


class EntityTable(Mapping[str, tuple[str, str]]):
    """In-memory view of the store's `entities(variant, name, type)` table."""

    def __init__(self, rows: Iterable[Row] = ()):
        self._rows: dict[str, tuple[str, str]] = {}
        for variant, name, type_ in rows:
            self._rows.setdefault(variant, (name, type_))

    def __getitem__(self, variant: str) -> tuple[str, str]:
        return self._rows[variant]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def add(self, entities: Iterable[Entity]) -> list[Row]:
        """Record the entities' new variants; return the rows to persist."""
        rows = merge_into_table(self, entities)
        for variant, name, type_ in rows:
            self._rows[variant] = (name, type_)
        return rows

    def canonical(self, name: str) -> str | None:
        """Return the canonical name a name or variant stands for, None if unknown."""
        hit = self._rows.get(variant_key(name))
        return hit[0] if hit else None
