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
# A name may start after one of these: a clause mark (one character) or a stop word.
_OPENS_CLAUSE = frozenset(_CLAUSE_MARKS) | {"و", "نیز", "همچنین", "وكذلك", "كما"}


def shape_mentions(text: str, folded: str, lang: str, cues: dict,
                   is_country: Callable[[str], bool]) -> list[Mention]:
    """People named at a clause's start and followed by a title or a verb of speech, or quoted."""
    words = _TOKEN.findall(folded)   # the tokens as strings serve every test below
    spans: list[tuple[int, int]] = []   # their offsets, taken only once a name is found
    name_word = _NameWords(cues, is_country)
    mentions: list[Mention] = []
    resume = 0   # tokens before it belong to a name found
    for i in _clause_starts(words):
        if i < resume:
            continue
        quoted = words[i] in _OPEN_QUOTES
        first = i + 1 if quoted else i
        while first < len(words) and words[first] in cues["honorifics"]:
            first += 1   # "سید مسعود میرکاظمی وزیر ...": the title is not the name
        size = _name_size(words, first, name_word)
        if not size:
            continue
        end = first + size
        if quoted:
            if end >= len(words) or words[end] not in _CLOSE_QUOTES:
                continue
            end += 1
        evidence = "quoted" if quoted else _name_evidence(words[first], words[first + size - 1], cues)
        # A surname's ending alone is weak ("بازدید ناگهانی وزیر ..."): a comma must set the
        # title apart, or a verb of speech follow.
        if size >= 2 and evidence and _cue_follows(words, end, cues, evidence != "ending"):
            spans = spans or [token.span() for token in _TOKEN.finditer(folded)]
            start, stop = spans[first][0], spans[first + size - 1][1]
            mentions.append(Mention(start, " ".join(text[start:stop].split()), "person"))
            resume = end
    return mentions


def _clause_starts(words: list[str]) -> list[int]:
    """The token indexes where a name may start: the first, and after a clause mark or a
    stop word. Only these are tried: most tokens sit inside a clause."""
    if not words:
        return []
    return [0] + [i for i, before in enumerate(words[:-1], 1) if before in _OPENS_CLAUSE]


class _NameWords(dict[str, bool]):
    """word -> whether it may be part of a name (letters only, no stop, cue, plural or
    country); each word is asked once per text, where the same words come back often."""

    def __init__(self, cues: dict, is_country: Callable[[str], bool]):
        super().__init__()
        self.cues, self.is_country = cues, is_country

    def __missing__(self, word: str) -> bool:
        answer = self[word] = (bool(_LETTER.match(word)) and _name_like(word, self.cues)
                               and not self.is_country(word))
        return answer


def _name_size(words: list[str], i: int, name_word: _NameWords) -> int:
    """How many name-like words run from token i: up to three, else 0 (too long for a name)."""
    size = 0
    for word in words[i:i + _MAX_WORDS + 1]:
        if not name_word[word]:
            break
        size += 1
    return size if size <= _MAX_WORDS else 0


def _name_like(word: str, cues: dict) -> bool:
    return not (word in cues["stop"] or word in cues.get("roles_after", ()) or word in cues["speech"]
                or word in cues.get("not_surnames", ()) or word in cues.get("skip", ())
                or word in _TIME_WORDS or word.endswith(tuple(cues["stop_suffixes"]))
                or word.endswith(("ات", "ها")) or word.startswith(("می\u200c", "نمی\u200c"))
                or (word[0] in "وف" and word not in cues["given"] and word not in cues["honorifics"]))


def _cue_follows(words: list[str], i: int, cues: dict, any_title: bool) -> bool:
    """A title or a verb of speech next (after a comma or time words): who the name is.

    A title counts right after the name only when any_title; else only after a comma.
    """
    comma = i < len(words) and words[i] in "،,"
    i += comma
    while i < len(words) and words[i] in _TIME_WORDS:
        i += 1
    if i >= len(words):
        return False
    word = words[i]
    return word in cues["speech"] or ((any_title or comma) and word in cues.get("roles_after", ()))


def _name_evidence(first: str, last: str, cues: dict) -> str | None:
    """"given" when a given name opens the run, "ending" when its last word ends as a
    surname does (Persian -ی, -زاده...; Arabic al-), else None."""
    if first in cues["given"] or first.split("\u200c")[0] in cues["given"]:
        return "given"
    if first.startswith("ال"):
        return None   # "الوزارة الخارجية": an Arabic name opens without the article
    suffixes = tuple(cues.get("surname_suffixes", ()))
    return "ending" if (suffixes and last.endswith(suffixes)) or last.startswith("ال") else None
