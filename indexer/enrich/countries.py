"""Countries a document is datelined in or is about, as ISO 3166-1 alpha-2 codes."""
from __future__ import annotations

import re
from functools import lru_cache

from indexer.enrich import country_context as context
from indexer.enrich.country_gazetteer import (
    LANGS,
    Entry,
    build_tables,
    dateline_cities,
    fold,
    is_arabic,
    load_json,
    phrase_key,
    tokens,
)

_MONTH = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-zA-Z]*\.?"
# Wire datelines: 'CLEVELAND, Feb 26 -', 'AKRON, Ohio, March 3 -', 'AMSTERDAM, 2 March -',
# 'PARIS (Reuters) -'.
_DATELINE = re.compile(
    r"\s*(?P<city>[A-Z][A-Za-z.'& -]{1,40}?)(?:\s*,\s*(?P<qual>[A-Z][A-Za-z.' ]{0,30}?))?\s*"
    rf"(?:,\s*(?:\d{{1,2}}\s+)?{_MONTH}(?:\s+\d{{1,2}})?|\((?:Reuters?|AP|AFP|UPI|dpa)\))\s*(?:[-\u2013\u2014]|\s\s)")
_PREFIX_1 = "وف"    # Arabic conjunctions glued to the next word
_PREFIX_2 = "بلک"   # Arabic prepositions glued to the next word (ك is folded to ک)
_PREFIXES = set(_PREFIX_1 + _PREFIX_2)
# Salience: a country counts when it is in the title, in the first LEAD_TOKENS words of the
# text, or named MIN_MENTIONS times; measured on Reuters, whose editors label what a story
# is about, not every country it names in passing (see benchmarks/countries.py).
LEAD_TOKENS = 120
MIN_MENTIONS = 2


class CountryMatcher:
    """Gazetteer lookup over token n-grams, then context rules; build once, call often."""

    def __init__(self) -> None:
        """Build the phrase tables of every language, their merge for unknown languages, and datelines."""
        tables = build_tables()
        self.tables: dict[str | None, dict[str, Entry]] = {lang: tables[lang] for lang in LANGS}
        merged: dict[str, Entry] = {}
        for lang in reversed(LANGS):          # English and French win over each other in that order
            merged.update(tables[lang])
        self.tables[None] = merged
        # first token -> most tokens of a phrase starting with it
        self.heads: dict[str | None, dict[str, int]] = {}
        for language, table in self.tables.items():
            heads = self.heads[language] = {}
            for key in table:
                head, size = key.split(" ", 1)[0], key.count(" ") + 1
                heads[head] = max(size, heads.get(head, 0))
        self.datelines = dateline_cities()
        qualifiers = load_json("country_rules.json")["dateline_qualifiers"]
        self.qualifiers = {q: code for code, qs in qualifiers.items() if not code.startswith("_") for q in qs}

    def detect(self, title: str | None, text: str, lang: str | None = None,
               every_mention: bool = False) -> list[str]:
        """Sorted unique country codes for a document's title and text (all mentions if asked)."""
        lang = lang if lang in LANGS else None
        codes: set[str] = set()
        dateline = self.dateline_country(text or "")
        if dateline:
            codes.add(dateline)
        scans = [self._scan(field, part, lang) for field, part in (("title", title), ("text", text)) if part]
        mentions = context.resolve(scans, codes, lang)
        codes.update({m.code for m in mentions} if every_mention else salient(mentions))
        return sorted(codes)

    def dateline_country(self, text: str) -> str | None:
        """Country of a wire dateline that opens the text ('CLEVELAND, Feb 26 -' -> 'US')."""
        match = _DATELINE.match(text[:120])
        if not match:
            return None
        qual = match.group("qual")
        if qual:
            folded = re.sub(r"[^a-z]", "", qual.lower())
            code = self.qualifiers.get(folded) or self._country_of(phrase_key(qual))
            if code:
                return code
        city = phrase_key(match.group("city"))
        return self._country_of(city) or self.datelines.get(city)

    def _country_of(self, key: str) -> str | None:
        """Country of an English phrase key when it names one outright (not a blocker or a bare 'US')."""
        entry = self.tables["en"].get(key)
        return entry[0] if entry and entry[1] not in ("blocker", "abbr") else None

    def _scan(self, field: str, part: str, lang: str | None) -> context.Scan:
        """Tokenise one field and find the longest gazetteer phrase at each position."""
        folded = fold(part)
        low = tokens(folded.lower())
        table, heads = self.tables[lang], self.heads[lang]
        starts = [i for i, w in enumerate(low) if w in heads]
        if lang in (None, "ar") and is_arabic(folded):
            starts = sorted(starts + [i for i, w in enumerate(low) if w[:1] in _PREFIXES and w not in heads])
        hits: list[context.Hit] = []
        free = 0
        for i in starts:
            if i < free:
                continue
            word = low[i]
            for head in [word] if word in heads else _arabic_variants(word):
                hit = _longest(low, i, head, heads.get(head, 0), table)
                if hit:
                    hits.append(hit)
                    free = hit.end
                    break
        return context.Scan(field, folded, low, hits)


def _longest(low: list[str], i: int, head: str, size: int, table: dict) -> context.Hit | None:
    """The longest phrase of at most `size` tokens at position i, its first token read as `head`."""
    for end in range(min(len(low), i + size), i, -1):
        entry = table.get(" ".join([head, *low[i + 1:end]]))
        if entry:
            return context.Hit(i, end, entry[0], entry[1])
    return None


def salient(mentions: list[context.Mention]) -> set[str]:
    """Codes named in the title, in the lead or more than once: a passing mention is not the subject."""
    counts: dict[str, int] = {}
    keep = set()
    for m in mentions:
        counts[m.code] = counts.get(m.code, 0) + 1
        if m.field == "title" or m.position < LEAD_TOKENS or counts[m.code] >= MIN_MENTIONS:
            keep.add(m.code)
    return keep


def _arabic_variants(word: str) -> list[str]:
    """The word without a glued conjunction or preposition: 'وبالعراق' -> 'بالعراق', 'العراق'."""
    out = []
    if len(word) > 3 and word[0] in _PREFIX_1:
        word = word[1:]
        out.append(word)
    if len(word) > 3 and word[0] in _PREFIX_2:
        out.append(word[1:])
    if word.startswith("لل"):
        out.append("ال" + word[2:])
    return out


@lru_cache(maxsize=1)
def default_matcher() -> CountryMatcher:
    """The shared matcher, built on first use (a few seconds: GeoNames is large)."""
    return CountryMatcher()


def detect_countries(title: str | None, text: str, lang: str | None = None,
                     every_mention: bool = False) -> list[str]:
    """ISO 3166-1 alpha-2 codes (sorted, unique) a document is datelined in or is about.

    'About' means named in the title, in the lead or more than once; every_mention=True
    returns every country named anywhere instead.
    """
    return default_matcher().detect(title, text, lang, every_mention)

