"""SearchParams: one search, read once from command-line options or web arguments.

SearchParams are frozen: the web's links are new params made by small pure helpers
(with_filter, without_filter, with_page, with_dates), and to_args() writes any params
back as the arguments from_args reads, for URLs and saved searches.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import MISSING, dataclass, fields, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping, Sequence, overload

from corpus.document import KINDS
from indexer.search.facets import FACETS, facet_key

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1000
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# A bound relative to the day a search runs: -7d, -2w, -3m, -1y (0d is that day itself).
_RELATIVE = re.compile(r"^-?(\d{1,4})([dwmy])$")


class ParamError(ValueError):
    """A search parameter a user gave is not valid; the message says which and why."""


class Filters(Mapping[str, tuple[str, ...]]):
    """Filter values per facet, read-only and hashable: facet -> tuple of values.

    Facets keep the order of FACETS and values the order they were given in (repeats
    dropped); a facet without values is left out, so Filters({"kind": ()}) == {}.
    Compares equal to a dict with the same items.
    """

    __slots__ = ("_pairs",)
    _pairs: tuple[tuple[str, tuple[str, ...]], ...]

    def __init__(self, filters: Mapping[str, Iterable[str]]
                 | Iterable[tuple[str, Iterable[str]]] = ()):
        given = dict(filters.items() if isinstance(filters, Mapping) else filters)
        unknown = [facet for facet in given if facet not in FACETS]
        if unknown:
            raise ValueError(f"unknown facet {unknown[0]!r} (use {', '.join(FACETS)})")
        pairs = ((facet, _value_tuple(given[facet])) for facet in FACETS if facet in given)
        object.__setattr__(self, "_pairs", tuple((f, values) for f, values in pairs if values))

    def __setattr__(self, name, value):
        raise AttributeError("Filters are read-only; make new ones")

    def __getitem__(self, facet: str) -> tuple[str, ...]:
        for name, values in self._pairs:
            if name == facet:
                return values
        raise KeyError(facet)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __hash__(self) -> int:
        return hash(self._pairs)

    def __repr__(self) -> str:
        return f"Filters({dict(self._pairs)!r})"

    def adding(self, facet: str, value: str) -> "Filters":
        """These filters with value added to facet, unless a value folding alike is there."""
        values = self.get(facet, ())
        if any(facet_key(v) == facet_key(value) for v in values):
            return self
        return Filters({**self, facet: values + (value,)})

    def removing(self, facet: str, value: str) -> "Filters":
        """These filters without the facet's values that fold like value."""
        values = self.get(facet, ())
        kept = tuple(v for v in values if facet_key(v) != facet_key(value))
        return Filters({**self, facet: kept})


def _value_tuple(values: Iterable[str] | str) -> tuple[str, ...]:
    """A facet's values as a tuple without repeats; a lone string is one value, not letters."""
    return tuple(dict.fromkeys((values,) if isinstance(values, str) else values))


@dataclass(frozen=True)
class RelativeDay:
    """A date bound counted back from the day a search runs, kept as its text ("-7d").

    Saved searches and URLs keep the text; resolve() turns it into a day when the search
    or an alert's match runs, against whatever clock the caller holds.
    """

    text: str

    def resolve(self, today: date) -> date:
        """The day this bound stands for when the search runs on `today`."""
        count, unit = _relative_parts(self.text)
        if unit == "d":
            return today - timedelta(days=count)
        if unit == "w":
            return today - timedelta(weeks=count)
        months = count * (12 if unit == "y" else 1)
        year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
        month += 1
        return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _relative_parts(text: str) -> tuple[int, str]:
    match = _RELATIVE.match(text)
    # Callers hold text parse_bound already matched (a RelativeDay is made from no other).
    assert match is not None, f"not a relative day: {text!r}"
    count, unit = match.groups()
    return int(count), unit


DateBound = date | RelativeDay


@dataclass(frozen=True)
class SearchParams:
    """Query text, include/exclude filters per facet, date range, sort and paging."""

    query: str = ""
    include: Filters = Filters()
    exclude: Filters = Filters()
    date_from: DateBound | None = None
    date_to: DateBound | None = None
    sort: str | None = None
    page: int = 1
    limit: int = 10
    facet_limit: int = 20

    def __post_init__(self):
        # Callers may pass plain dicts; keep only read-only Filters.
        for name in ("include", "exclude"):
            if not isinstance(getattr(self, name), Filters):
                object.__setattr__(self, name, Filters(getattr(self, name)))

    @property
    def sort_order(self) -> str:
        """The sort asked for, else relevance with a query and newest without one."""
        return self.sort or ("relevance" if self.query.strip() else "newest")

    @classmethod
    def from_args(cls, args: Mapping[str, Sequence[str] | str | None]) -> "SearchParams":
        """Read web-style arguments (name -> list of strings); raise ParamError when bad."""
        first = lambda name: _first(args.get(name))  # noqa: E731
        return cls(
            query=" ".join(_as_list(args.get("q"))).strip(),
            include=Filters({f: _facet_values(f, args.get(f)) for f in FACETS}),
            exclude=Filters({f: _facet_values(f, args.get(f"exclude_{f}")) for f in FACETS}),
            date_from=parse_bound(first("from"), "from"),
            date_to=parse_bound(first("to"), "to"),
            sort=_choice(first("sort"), SORTS, "sort"),
            page=_integer(first("page"), "page", DEFAULTS["page"], 1, None),
            limit=_integer(first("limit"), "limit", DEFAULTS["limit"], 1, MAX_LIMIT),
            facet_limit=_integer(first("facet_limit"), "facet limit", DEFAULTS["facet_limit"],
                                 0, MAX_LIMIT),
        )

    def to_args(self) -> dict[str, list[str]]:
        """The arguments from_args reads back as these params: only what differs from the
        defaults, in a fixed order (q, facets, exclusions, from, to, sort, paging)."""
        args: dict[str, list[str]] = {}
        if self.query:
            args["q"] = [self.query]
        args.update((facet, list(values)) for facet, values in self.include.items())
        args.update((f"exclude_{facet}", list(values)) for facet, values in self.exclude.items())
        for name, day in (("from", self.date_from), ("to", self.date_to)):
            if day is not None:
                args[name] = [day.text if isinstance(day, RelativeDay) else day.isoformat()]
        if self.sort is not None:
            args["sort"] = [self.sort]
        for name in ("page", "limit", "facet_limit"):
            if getattr(self, name) != DEFAULTS[name]:
                args[name] = [str(getattr(self, name))]
        return args

    @property
    def relative_dates(self) -> bool:
        """Whether a date bound counts back from the day the search runs."""
        return isinstance(self.date_from, RelativeDay) or isinstance(self.date_to, RelativeDay)

    def resolved(self, today: date) -> "SearchParams":
        """These params with relative date bounds turned into the days they mean today."""
        if not self.relative_dates:
            return self
        day = lambda bound: bound.resolve(today) if isinstance(bound, RelativeDay) else bound  # noqa: E731
        return replace(self, date_from=day(self.date_from), date_to=day(self.date_to))

    def with_filter(self, facet: str, value: str, exclude: bool = False) -> "SearchParams":
        """These params with one more value kept (or excluded) for facet, from page 1.

        The value is normalised as from_args would; a value is never both kept and
        excluded, so adding it to one side takes it off the other.
        """
        value = _facet_value(facet, value)
        add, drop = ("exclude", "include") if exclude else ("include", "exclude")
        return replace(self, page=1, **{add: getattr(self, add).adding(facet, value),
                                        drop: getattr(self, drop).removing(facet, value)})

    def without_filter(self, facet: str, value: str, exclude: bool = False) -> "SearchParams":
        """These params without one kept (or excluded) value of facet, from page 1."""
        value = _facet_value(facet, value)
        side = "exclude" if exclude else "include"
        return replace(self, page=1, **{side: getattr(self, side).removing(facet, value)})

    def with_page(self, page: int) -> "SearchParams":
        """These params on another page (1 or more)."""
        if page < 1:
            raise ParamError(f"page must be 1 or more, not {page}")
        return replace(self, page=page)

    def with_dates(self, date_from: date | str | None,
                   date_to: date | str | None) -> "SearchParams":
        """These params over another date range, from page 1; a string bound is read as
        from_args reads it ('2020-07' to '2020-07' is the whole of July 2020)."""
        return replace(self, page=1, date_from=_date_bound(date_from, "from"),
                       date_to=_date_bound(date_to, "to"))

    def within_dates(self, first: date, last: date) -> "SearchParams":
        """These params over the days from first to last that their own dates keep, from
        page 1: a histogram bar of a search from 15 March narrows to 15-31 March, not to
        all of March. A bound counted back from today is the bar's (it moves each day)."""
        start, end = self.date_from, self.date_to
        return self.with_dates(max(first, start) if isinstance(start, date) else first,
                               min(last, end) if isinstance(end, date) else last)


# Every field has a plain default (none is MISSING or a factory).
DEFAULTS = {f.name: f.default for f in fields(SearchParams) if f.default is not MISSING}


def _date_bound(value: date | str | None, which: str) -> date | None:
    return parse_date_bound(value.strip(), which) if isinstance(value, str) else value


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
    return tuple(dict.fromkeys(_facet_value(facet, v) for v in _as_list(values) if v.strip()))


def _facet_value(facet: str, value: str) -> str:
    """One filter value normalised as from_args does; ParamError when blank or unknown."""
    if facet not in FACETS:
        raise ParamError(f"unknown facet {facet!r} (use {', '.join(FACETS)})")
    if not value.strip():
        raise ParamError(f"empty {facet} filter value")
    return NORMALISERS[facet](value.strip())


def parse_bound(value: str | None, which: str) -> DateBound | None:
    """A date bound as from_args reads it: a day (see parse_date_bound) or -Nd/-Nw/-Nm/-Ny."""
    if value is not None and _RELATIVE.match(value.lower()):
        count, unit = _relative_parts(value.lower())
        return RelativeDay(f"-{count}{unit}")
    return parse_date_bound(value, which)


@overload
def parse_date_bound(value: str, which: str) -> date: ...
@overload
def parse_date_bound(value: None, which: str) -> None: ...
@overload
def parse_date_bound(value: str | None, which: str) -> date | None: ...
def parse_date_bound(value: str | None, which: str) -> date | None:
    """Read YYYY, YYYY-MM or YYYY-MM-DD as the first ('from') or last ('to') day it covers."""
    if value is None:
        return None
    match = _DATE.match(value)
    try:
        if not match:
            raise ValueError
        year_text, month_text, day_text = match.groups()    # the year is never optional
        year = int(year_text)
        month = int(month_text) if month_text else (1 if which == "from" else 12)
        day = (int(day_text) if day_text
               else 1 if which == "from" else calendar.monthrange(year, month)[1])
        return date(year, month, day)
    except ValueError:
        raise ParamError(f"invalid {which} date {value!r} (use YYYY, YYYY-MM, YYYY-MM-DD "
                         "or a number of days, weeks, months or years back: -7d, -2w, -3m, -1y)"
                         ) from None


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
    return replace(params, include=Filters(include), exclude=Filters(exclude))
