"""The entity finder's cue words and lists, loaded from data/entity_*.json and Babel."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from babel import Locale
from babel.dates import get_day_names, get_month_names

from indexer.enrich.entity_table import variant_key
from indexer.text.folding import fold_letters

DATA = Path(__file__).with_name("data")
NOT_COUNTRIES = {"UN", "EU", "EZ", "QO", "ZZ"}   # Babel's two-letter territories that are not countries
_AL_PREFIXES = ("ال", "وال", "فال", "بال", "کال", "وبال", "لل", "ولل", "فلل")


@dataclass(frozen=True)
class Lexicon:
    """Cue words and lists, lower case; loaded once from the data folder and Babel."""
    roles: frozenset[str]
    leader_re: re.Pattern[str]
    continuations: frozenset[str]
    qualifiers: frozenset[str]
    org_words: frozenset[str]
    other_words: frozenset[str]
    geo_words: frozenset[str]
    suffixes: frozenset[str]
    generic: frozenset[str]
    stops: frozenset[str]
    aliases: dict[str, tuple[str, str]]
    alias_re: re.Pattern[str]
    arabic: dict[str, dict[str, frozenset[str]]]
    arabic_cue_re: dict[str, re.Pattern[str]]
    arabic_firsts: dict[str, frozenset[str]]


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


def alias_key(phrase: str) -> str:
    return re.sub(r"[\s\u200c]+", " ", phrase)


def _script_pattern(phrase: str) -> str:
    # Persian writes compound words with a space, a ZWNJ or nothing between the parts.
    return r"[\s\u200c]+".join(re.escape(w).replace("\u200c", "[\\s\u200c]?")
                               for w in phrase.split())


def _first_letter_sieve(phrases: Iterable[str]) -> str:
    """A lookahead for the letters the phrases start with (else nothing): at a word that starts
    otherwise, the scan moves on without trying every phrase."""
    letters = {phrase.split()[0][0] for phrase in phrases}
    if not letters or "\u200c" in letters:   # _script_pattern makes a leading ZWNJ optional
        return ""
    return f"(?=[{''.join(re.escape(letter) for letter in sorted(letters))}])"


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Build the lexicon from the entity_* data files and Babel's calendar names."""
    cues, orgs, aliases = _load("entity_cues.json"), _load("entity_orgs.json"), _load("entity_aliases.json")
    calendar = {name.lower().strip(".") for loc in ("en", "fr") for width in ("wide", "abbreviated")
                for name in [*get_month_names(width, locale=loc).values(),
                             *get_day_names(width, locale=loc).values()]}
    table = {alias_key(fold_letters(k)): tuple(v) for k, v in aliases["aliases"].items()}
    alias_alt = "|".join(_script_pattern(k) for k in sorted(table, key=len, reverse=True))
    arabic = _arabic_cues(_load("entity_cues_fa_ar.json"), _load("person_cues_fa_ar.json"))
    return Lexicon(
        roles=frozenset(cues["role_words"]),
        leader_re=re.compile(rf"(['’]s)?[ \t\n]+({'|'.join(cues['leader_nouns'])})\b"),
        continuations=frozenset(cues["role_continuations"]),
        qualifiers=frozenset(q.removeprefix("the ").removeprefix("la ").removeprefix("l'")
                             for q in cues["role_qualifiers"]),
        org_words=frozenset(orgs["org_words"]), other_words=frozenset(orgs["other_words"]),
        geo_words=frozenset(orgs["geo_words"]),
        suffixes=frozenset(orgs["corporate_suffixes"]), generic=frozenset(orgs["generic_words"]),
        stops=frozenset(_load("entity_stopwords.json")["words"]) | calendar,
        aliases=table,
        alias_re=re.compile(rf"(?<![\w.])(?:[وبلف](?=ال))?{_first_letter_sieve(table)}({alias_alt})(?![\w])"),
        arabic=arabic, arabic_cue_re={lang: _arabic_cue_re(spec) for lang, spec in arabic.items()},
        arabic_firsts={lang: _arabic_firsts(spec) for lang, spec in arabic.items()})


def _arabic_cues(spec: dict, more: dict) -> dict[str, dict[str, frozenset[str]]]:
    """Persian and Arabic cue lists by language: the first file's lists with the second's added."""
    given = frozenset(map(fold_letters, spec["given_names"] + more["given_names"]))
    given -= frozenset(map(fold_letters, more["not_given"]))
    cues: dict[str, dict[str, frozenset[str]]] = {}
    for lang in ("fa", "ar"):
        kinds = set(spec[lang]) | set(more[lang])
        cues[lang] = {"given": given, **{
            kind: frozenset(map(fold_letters, spec[lang].get(kind, []) + more[lang].get(kind, [])))
            for kind in kinds}}
    return cues


def _cue_forms(words: frozenset[str]) -> list[str]:
    # "الرئيس" also comes as "والرئيس", "للرئيس", "بالرئيس"; spelling the prefixes out
    # (rather than an optional group first) lets the regex engine skip ahead fast.
    forms = [p + w[2:] for w in words if w.startswith("ال") for p in _AL_PREFIXES]
    return forms + [p + w for w in words if not w.startswith("ال") for p in ("", "و", "ف")]


def _arabic_firsts(spec: dict[str, frozenset[str]]) -> frozenset[str]:
    """First words of every cue form: a cheap set test finds where a cue may start."""
    return frozenset(re.split(r"[\s\u200c]", f)[0] for f in _cue_forms(spec["honorifics"] | spec["roles"]))


def _arabic_cue_re(spec: dict[str, frozenset[str]]) -> re.Pattern[str]:
    def alt(words: frozenset[str]) -> str:
        return "|".join(_script_pattern(f) for f in sorted(_cue_forms(words), key=len, reverse=True))
    # The names' walk asks at each word whether a cue starts there: most words start otherwise.
    sieve = _first_letter_sieve(_cue_forms(spec["honorifics"] | spec["roles"]))
    return re.compile(rf"{sieve}(?:(?P<h>{alt(spec['honorifics'])})|(?P<r>{alt(spec['roles'])}))"
                      rf"(?=[\s\u200c،,:])")


@lru_cache(maxsize=1)
def _country_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Country names (en/fr/fa/ar) and the adjectives of countries and their languages."""
    names: set[str] = set()
    adjectives: set[str] = set()
    for loc in ("en", "fr", "fa", "ar"):
        locale = Locale.parse(loc)
        names.update(variant_key(name) for code, name in locale.territories.items()
                     if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)
        adjectives.update(variant_key(name) for name in locale.languages.values())
    # Demonyms grow from country names: Syria -> Syrian, Canada -> Canadian, Japan -> Japanese.
    cues = _load("entity_cues.json")
    names.update(variant_key(name) for name in cues["country_names"])
    for name in [n for n in names if " " not in n and len(n) > 3]:
        stem = name.rstrip("s").rstrip("aeiouy")
        adjectives.update(stem + suffix for suffix in ("", "n", "an", "ian", "i", "ese", "ish", "ean"))
    adjectives.update(cues["demonyms"], cues["directions"])
    return frozenset(names), frozenset(adjectives)


@lru_cache(maxsize=1 << 16)   # asked of most Persian and Arabic words: the same ones, text after text
def default_is_country(name: str) -> bool:
    """Tell whether a name is a country, or only country adjectives ("West German")."""
    names, adjectives = _country_keys()
    key = variant_key(name)
    return key in names or all(w in adjectives or w in names for w in key.split())
