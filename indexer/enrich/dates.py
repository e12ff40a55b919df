"""Publication date from text: the first absolute date in the opening (en, fa, ar, fr)."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from babel.dates import get_day_names, get_month_names

from indexer.text.folding import fold_letters

DATA = Path(__file__).with_name("data")
OPENING_CHARS = 500   # the dateline sits at the top; dates further down are about other events
MIN_YEAR = 1900
DATELINE_WINDOW = 60  # characters looked at before a date to tell a dateline from prose
# A dateline segment starts a paragraph (blank line or indented line: wire copy wraps
# its lines), or follows a sentence end or a separator.
_BOUNDARY = re.compile(r"\n\s*\n|\n[ \t]+|[.:;؛](?=\s)|[!?|–—•·]|\s-\s")
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|\u200c)*")   # Persian words keep their ZWNJ

# Babel locales whose Gregorian month names each language's news uses (Levantine and
# Maghrebi Arabic names, Afghan Persian forms, Commonwealth English "Sept").
MONTH_LOCALES = {
    "en": ("en", "en_GB", "en_AU"),
    "fr": ("fr", "fr_CA"),
    "fa": ("fa", "fa_AF"),
    "ar": ("ar", "ar_SY", "ar_MA", "ar_TN"),
}
SOLAR_HIJRI_LANGS = ("fa", "en")   # Solar Hijri months are written in Persian, sometimes transliterated

# The ezafe hamza over a last letter ("اسفند ماهٔ ۱۳۹۱") would glue the word to what
# follows; it becomes a space, one character for one like fold_letters.
HAMZA_ABOVE = "\u0654"

# Jalaali calendar breaks (Borkowski); valid for Solar Hijri years -61 .. 3177.
_BREAKS = (-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192,
           2262, 2324, 2394, 2456, 3178)


def fold(text: str) -> str:
    """Fold Arabic-script letter forms and digits (indexer.text), keeping every offset."""
    return fold_letters(text).replace(HAMZA_ABOVE, " ")


def _farvardin_first(jy: int) -> date:
    """Gregorian date of 1 Farvardin of Solar Hijri year jy."""
    if not _BREAKS[0] <= jy < _BREAKS[-1]:
        raise ValueError(f"Solar Hijri year out of range: {jy}")
    gy, leap_j, jp, jump = jy + 621, -14, _BREAKS[0], 0
    for jm in _BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += jump // 33 * 8 + jump % 33 // 4
        jp = jm
    n = jy - jp
    leap_j += n // 33 * 8 + (n % 33 + 3) // 4
    if jump % 33 == 4 and jump - n == 4:
        leap_j += 1
    leap_g = gy // 4 - (gy // 100 + 1) * 3 // 4 - 150
    return date(gy, 3, 20 + leap_j - leap_g)


def solar_hijri_to_gregorian(jy: int, jm: int, jd: int) -> date:
    """Convert a Solar Hijri (Jalali) date to a Gregorian date; ValueError if invalid."""
    start = _farvardin_first(jy)
    year_days = (_farvardin_first(jy + 1) - start).days
    month_days = 31 if jm <= 6 else 30 if jm <= 11 else year_days - 336
    if not (1 <= jm <= 12 and 1 <= jd <= month_days):
        raise ValueError(f"no such Solar Hijri date: {jy}-{jm}-{jd}")
    return start + timedelta(days=(jm - 1) * 31 - max(jm - 7, 0) + jd - 1)


@lru_cache(maxsize=None)
def month_table(lang: str | None) -> dict[str, tuple[str, int]]:
    """Map folded month names to (calendar, month number) for a language (None: all)."""
    langs = (lang,) if lang in MONTH_LOCALES else tuple(MONTH_LOCALES)
    table: dict[str, tuple[str, int]] = {}
    for code in langs:
        for locale in MONTH_LOCALES[code]:
            for width in ("wide", "abbreviated"):
                for context in ("format", "stand-alone"):
                    for number, name in get_month_names(width, context, locale).items():
                        table.setdefault(fold(name).lower().strip(" ."), ("gregorian", number))
        if code in SOLAR_HIJRI_LANGS:
            for number, names in enumerate(_solar_hijri_names(), start=1):
                for name in names:
                    table.setdefault(fold(name).lower(), ("solar_hijri", number))
    return table


@lru_cache(maxsize=1)
def _solar_hijri_names() -> list[list[str]]:
    return json.loads((DATA / "dates_solar_hijri_months.json").read_text("utf-8"))["months"]


@lru_cache(maxsize=None)
def date_pattern(lang: str | None) -> re.Pattern[str]:
    """Compile the day-month-year, month-day-year and ISO patterns for a language."""
    names = sorted(month_table(lang), key=len, reverse=True)
    month = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(
        # 25 September 2020, 1er janv. 2020, ٢٥ سبتمبر (أيلول) ٢٠٢٠, ۲۲ اسفند ماه سال ۱۳۹۱
        rf"(?<!\d)(?P<d1>\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+(?:of\s+)?"
        rf"(?P<m1>{month})\b\.?(?:\s*\([^()\d]{{1,25}}\))?\s*,?[\s\u200c]+"
        rf"(?:ماه[\s\u200c]+)?(?:سال[\s\u200c]+)?(?P<y1>\d{{4}})(?!\d)"
        # September 25, 2020
        rf"|\b(?P<m2>{month})\b\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)\s*,?\s+"
        rf"(?P<y2>\d{{4}})(?!\d)"
        # 2020-09-25, ۱۳۹۹/۰۷/۰۴
        rf"|(?<![\d/.-])(?P<y3>\d{{4}})(?P<sep>[-/])(?P<m3>\d{{1,2}})(?P=sep)(?P<d3>\d{{1,2}})"
        rf"(?![\d/-])",
        re.IGNORECASE)


def find_dates(text: str, lang: str | None = None, now: datetime | None = None
               ) -> Iterator[tuple[int, datetime]]:
    """Yield (offset, aware UTC datetime) for each plausible absolute date in the text."""
    lang = lang if lang in MONTH_LOCALES else None
    max_year = (now or datetime.now(timezone.utc)).year + 1
    folded = fold(text or "")
    for match in date_pattern(lang).finditer(folded):
        found = _to_date(match, lang)
        if (found is not None and MIN_YEAR <= found.year <= max_year
                and in_dateline(folded, match.start(), lang)):
            yield match.start(), datetime(found.year, found.month, found.day,
                                          tzinfo=timezone.utc)


def in_dateline(text: str, start: int, lang: str | None) -> bool:
    """Tell whether only a dateline, byline or label stands before the date on its line."""
    window = text[max(0, start - DATELINE_WINDOW):start]
    cut = max((m.end() for m in _BOUNDARY.finditer(window)), default=None)
    if cut is None and start > DATELINE_WINDOW:
        return False
    words = _WORD.findall(window[cut or 0:])
    if words and words[0].lower() in _labels()["prose_openers"]:
        return False
    labels = dateline_words(lang)
    return all(word[0].isupper() or fold(word).lower() in labels for word in words)


@lru_cache(maxsize=None)
def dateline_words(lang: str | None) -> frozenset[str]:
    """Label and weekday words (folded, lower case) allowed before a dateline date."""
    langs = (lang,) if lang in MONTH_LOCALES else tuple(MONTH_LOCALES)
    words = {fold(word).lower() for code in langs for word in _labels()[code]}
    for code in langs:
        for locale in MONTH_LOCALES[code]:
            for width in ("wide", "abbreviated"):
                words.update(fold(day).lower().strip(".")
                             for day in get_day_names(width, "format", locale).values())
    return frozenset(words)


@lru_cache(maxsize=1)
def _labels() -> dict[str, list[str]]:
    return json.loads((DATA / "dates_labels.json").read_text("utf-8"))


def _to_date(match: re.Match[str], lang: str | None) -> date | None:
    groups = match.groupdict()
    year = int(groups["y1"] or groups["y2"] or groups["y3"])
    day = int(groups["d1"] or groups["d2"] or groups["d3"])
    if groups["m3"]:
        # A numeric date with a 13xx/14xx year in Persian text is Solar Hijri.
        calendar = "solar_hijri" if lang == "fa" and 1200 <= year < 1600 else "gregorian"
        number = int(groups["m3"])
    else:
        name = re.sub(r"\s+", " ", groups["m1"] or groups["m2"]).lower()
        calendar, number = month_table(lang)[name]
    try:
        if calendar == "solar_hijri":
            return solar_hijri_to_gregorian(year, number, day)
        return date(year, number, day)
    except ValueError:
        return None


def date_from_text(text: str, lang: str | None = None, now: datetime | None = None,
                   opening: int | None = OPENING_CHARS) -> datetime | None:
    """Return the first absolute date in the text's opening, or None (aware UTC)."""
    head = text if opening is None else (text or "")[:opening]
    return next((found for _, found in find_dates(head, lang, now)), None)
