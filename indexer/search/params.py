"""SearchParams: one search, read once from command-line options or web arguments."""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from corpus.document import KINDS
from indexer.engine.whoosh.schema import FACETS

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1000
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class ParamError(ValueError):
    """A search parameter a user gave is not valid; the message says which and why."""


@dataclass
class SearchParams:
    """Query text, include/exclude filters per facet, date range, sort and paging."""

    query: str = ""
    include: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str | None = None
    page: int = 1
    limit: int = 10
    facet_limit: int = 20

    @property
    def sort_order(self) -> str:
        """The sort asked for, else relevance with a query and newest without one."""
        return self.sort or ("relevance" if self.query.strip() else "newest")

    @classmethod
    def from_args(cls, args: Mapping[str, Sequence[str] | str | None]) -> "SearchParams":
        """Read web-style arguments (name -> list of strings); raise ParamError when bad."""
        first = lambda name: _first(args.get(name))  # noqa: E731
        include = {f: _facet_values(f, args.get(f)) for f in FACETS}
        exclude = {f: _facet_values(f, args.get(f"exclude_{f}")) for f in FACETS}
        return cls(
            query=" ".join(_as_list(args.get("q"))).strip(),
            include={f: v for f, v in include.items() if v},
            exclude={f: v for f, v in exclude.items() if v},
            date_from=parse_date_bound(first("from"), "from"),
            date_to=parse_date_bound(first("to"), "to"),
            sort=_choice(first("sort"), SORTS, "sort"),
            page=_integer(first("page"), "page", 1, 1, None),
            limit=_integer(first("limit"), "limit", 10, 1, MAX_LIMIT),
            facet_limit=_integer(first("facet_limit"), "facet limit", 20, 0, MAX_LIMIT),
        )


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [v for v in value if v is not None]


def _first(value) -> str | None:
    values = [v for v in _as_list(value) if v.strip()]
    return values[-1].strip() if values else None


def _choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is None:
        return None
    if value.lower() not in allowed:
        raise ParamError(f"unknown {name} {value!r} (use {', '.join(allowed)})")
    return value.lower()


def _integer(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ParamError(f"{name} must be a whole number, not {value!r}") from None
    if number < low or (high is not None and number > high):
        bound = f"from {low} to {high}" if high is not None else f"{low} or more"
        raise ParamError(f"{name} must be {bound}, not {number}")
    return number


def _facet_values(facet: str, values) -> tuple[str, ...]:
    """Normalise one facet's filter values, dropping blanks and repeats."""
    cleaned = (NORMALISERS[facet](v.strip()) for v in _as_list(values) if v.strip())
    return tuple(dict.fromkeys(cleaned))


def parse_date_bound(value: str | None, which: str) -> date | None:
    """Read YYYY, YYYY-MM or YYYY-MM-DD as the first ('from') or last ('to') day it covers."""
    if value is None:
        return None
    match = _DATE.match(value)
    try:
        if not match:
            raise ValueError
        year, month, day = (int(part) if part else None for part in match.groups())
        if month is None:
            month = 1 if which == "from" else 12
        if day is None:
            day = 1 if which == "from" else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except ValueError:
        raise ParamError(f"invalid {which} date {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None


def normalise_country(value: str) -> str:
    """Return the ISO code of a code (any case) or an English country name."""
    codes = country_codes()
    if value.upper() in codes.values():
        return value.upper()
    code = codes.get(_fold_name(value))
    if code is None:
        raise ParamError(f"unknown country {value!r} (give an ISO code or an English name)")
    return code


@lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """Map folded English names to two-letter codes: Babel's CLDR names plus the aliases
    enrichment knows ('Turkey' for CLDR's 'Türkiye'), so filters accept what it detects."""
    from babel import Locale

    from indexer.enrich.country_gazetteer import load_json

    territories = Locale("en").territories
    codes = {_fold_name(name): code for code, name in territories.items()
             if len(code) == 2 and code.isalpha()}
    for code, aliases in load_json("countries.json")["en"].get("aliases", {}).items():
        for alias in aliases:
            codes.setdefault(_fold_name(alias), code)
    return codes


def _fold_name(name: str) -> str:
    """Fold case, accents and apostrophe styles so 'cote d'ivoire' finds Côte d’Ivoire."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def normalise_kind(value: str) -> str:
    """Accept article or brief in any case."""
    if value.lower() not in KINDS:
        raise ParamError(f"unknown kind {value!r} (use {' or '.join(KINDS)})")
    return value.lower()


NORMALISERS = {
    "country": normalise_country,
    "entity": lambda value: " ".join(value.split()),
    "lang": lambda value: value.lower(),
    "source": lambda value: " ".join(value.split()),
    "kind": normalise_kind,
}


def resolve_entities(params: SearchParams, canonical: Callable[[str], str | None]) -> SearchParams:
    """Replace entity filter values by their canonical names where the table knows them."""
    def resolve(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(canonical(v) or v for v in values))
    include = {f: resolve(v) if f == "entity" else v for f, v in params.include.items()}
    exclude = {f: resolve(v) if f == "entity" else v for f, v in params.exclude.items()}
    return replace(params, include=include, exclude=exclude)
