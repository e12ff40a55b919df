"""Persian and Arabic people told by what stands around a name: a title after it, a verb of
speech after it, quotation marks around it.

Agency copy names people at the start of a clause and says who they are right after:
"منصور ابراهیم‌زاده، سرمربی راه‌آهن ...", "خالد المظف مسئول پرونده ...", "رسول نورمحمدی،
مخترع این دستگاه ... گفت", "«چیاز هونوسف» افزود". Without capitals, a name's start is the
clause's start (text start, punctuation or a stop word) and its end the cue word; a run that
does not look like a name (a known noun, a plural, a place) is left alone.
"""
from __future__ import annotations

import re
from typing import Callable

from indexer.enrich.entity_table import Mention

_TOKEN = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF\u200c]+|\S")
_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3]")
_OPEN_QUOTES, _CLOSE_QUOTES = "«\"“", "»\"”"
_CLAUSE_MARKS = ".،,:;؛!?؟\n()«»\"“”-–"
_TIME_WORDS = frozenset({"امروز", "دیروز", "ظهر", "صبح", "عصر", "شب", "روز", "شامگاه", "بامداد",
                         "امشب", "اليوم", "أمس", "امس"})
_MAX_WORDS = 3


def shape_mentions(text: str, folded: str, lang: str, cues: dict,
                   is_country: Callable[[str], bool]) -> list[Mention]:
    """People named at a clause's start and followed by a title or a verb of speech, or quoted."""
    tokens = list(_TOKEN.finditer(folded))
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        if not _clause_start(tokens, i, cues):
            i += 1
            continue
        quoted = tokens[i].group() in _OPEN_QUOTES
        first = i + 1 if quoted else i
        while first < len(tokens) and tokens[first].group() in cues["honorifics"]:
            first += 1   # "سید مسعود میرکاظمی وزیر ...": the title is not the name
        words = _name_words(tokens, first, cues, is_country)
        if not words:
            i += 1
            continue
        end = first + len(words)
        if quoted:
            if end >= len(tokens) or tokens[end].group() not in _CLOSE_QUOTES:
                i += 1
                continue
            end += 1
        evidence = "quoted" if quoted else _name_evidence(words, cues)
        # A surname's ending alone is weak ("بازدید ناگهانی وزیر ..."): a comma must set the
        # title apart, or a verb of speech follow.
        if len(words) >= 2 and evidence and _cue_follows(tokens, end, cues, evidence != "ending"):
            start, stop = words[0].start(), words[-1].end()
            mentions.append(Mention(start, " ".join(text[start:stop].split()), "person"))
            i = end
            continue
        i += 1
    return mentions


def _clause_start(tokens: list[re.Match[str]], i: int, cues: dict) -> bool:
    """Tell whether a name may start at token i: after a clause mark or a stop word."""
    if i == 0:
        return True
    before = tokens[i - 1].group()
    return before in _CLAUSE_MARKS or before in ("و", "نیز", "همچنین", "وكذلك", "كما")


def _name_words(tokens: list[re.Match[str]], i: int, cues: dict,
                is_country: Callable[[str], bool]) -> list[re.Match[str]]:
    """Up to three name-like words from token i (letters only, no stop, cue or plural)."""
    words: list[re.Match[str]] = []
    for token in tokens[i:i + _MAX_WORDS + 1]:
        word = token.group()
        if not _LETTER.match(word) or not _name_like(word, cues) or is_country(word):
            break
        words.append(token)
    return words if len(words) <= _MAX_WORDS else []


def _name_like(word: str, cues: dict) -> bool:
    return not (word in cues["stop"] or word in cues.get("roles_after", ()) or word in cues["speech"]
                or word in cues.get("not_surnames", ()) or word in cues.get("skip", ())
                or word in _TIME_WORDS or word.endswith(tuple(cues["stop_suffixes"]))
                or word.endswith(("ات", "ها")) or word.startswith(("می\u200c", "نمی\u200c"))
                or (word[0] in "وف" and word not in cues["given"] and word not in cues["honorifics"]))


def _cue_follows(tokens: list[re.Match[str]], i: int, cues: dict, any_title: bool) -> bool:
    """A title or a verb of speech next (after a comma or time words): who the name is.

    A title counts right after the name only when any_title; else only after a comma.
    """
    comma = i < len(tokens) and tokens[i].group() in "،,"
    i += comma
    while i < len(tokens) and tokens[i].group() in _TIME_WORDS:
        i += 1
    if i >= len(tokens):
        return False
    word = tokens[i].group()
    return word in cues["speech"] or ((any_title or comma) and word in cues.get("roles_after", ()))


def _name_evidence(words: list[re.Match[str]], cues: dict) -> str | None:
    """"given" when a given name opens the run, "ending" when its last word ends as a
    surname does (Persian -ی, -زاده...; Arabic al-), else None."""
    first, last = words[0].group(), words[-1].group()
    if first in cues["given"] or first.split("\u200c")[0] in cues["given"]:
        return "given"
    if first.startswith("ال"):
        return None   # "الوزارة الخارجية": an Arabic name opens without the article
    suffixes = tuple(cues.get("surname_suffixes", ()))
    return "ending" if (suffixes and last.endswith(suffixes)) or last.startswith("ال") else None
