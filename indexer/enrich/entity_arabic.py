"""Persian and Arabic names, found after titles and honorifics (no capitals to go by)."""
from __future__ import annotations

import re
from typing import Callable, Iterable

from indexer.enrich.entity_lexicon import Lexicon
from indexer.enrich.entity_table import Mention
from indexer.enrich.person_shapes import shape_mentions

_AR_WORD = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+")
_AR_TOKEN = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF\u200c]+|\S")
_AR_WHOLE_WORD = re.compile(r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF\u200c]+")   # ZWNJ kept
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u066E-\u06D3]")
_AR_PREPOSED = ("لل", "بال", "وال", "فال", "کال", "بم")   # attached prepositions: not a name


def arabic_mentions(text: str, folded: str, lang: str | None, lex: Lexicon,
                    is_country: Callable[[str], bool]) -> list[Mention]:
    """Cued names in a text with Arabic script, in its language or else in each of fa and ar."""
    mentions: list[Mention] = []
    if _ARABIC_LETTER.search(text):
        langs = [lang] if lang in lex.arabic else list(lex.arabic)
        for code in langs:
            mentions += _cue_mentions(text, folded, code, lex, is_country)
            mentions += _given_name_mentions(text, folded, code, lex)
            mentions += shape_mentions(text, folded, code, lex.arabic[code], is_country)
    return mentions


def _given_name_mentions(text: str, folded: str, lang: str, lex: Lexicon) -> list[Mention]:
    """Names without a title that open with a known given name and end clearly.

    Agency copy names people bare: "مجید حمیدی امروز در گفت‌وگو ...", "... علی یوسفی،
    مهدی راستگر". A given name, one or two more words, then a stop word (در, امروز, گفت...),
    a title or punctuation makes a name; a run that goes on (or a lone given name) does not.
    """
    cues, cue_re = lex.arabic[lang], lex.arabic_cue_re[lang]
    connectors = cues.get("connectors", ())
    spellings = _AR_WHOLE_WORD.findall(folded)
    # A text repeats its words: each distinct one is asked once, and only openers are walked
    # (found with str.find: the k-th opener in spellings stands at the k-th offset).
    openers = {spelling for spelling in set(spellings) if _may_open_name(spelling, cues)
               and _opens_name(spelling, cues)}
    opening = [k for k, spelling in enumerate(spellings) if spelling in openers]
    mentions: list[Mention] = []
    taken_until = 0
    for k, start in zip(opening, _word_starts(folded, openers, _AR_WHOLE_WORD), strict=True):
        previous = spellings[k - 1] if k else ""
        # after a given name or a connector the word is a middle name ("محمد جواد ظریف",
        # "محمد بن سلمان"), not a start
        if start < taken_until or previous in openers or previous in connectors:
            continue
        tokens = list(_AR_TOKEN.finditer(folded, start, min(len(folded), start + 80)))
        name, units, boundary = _walk_name(folded, tokens, cues, lang, False, cue_re)
        # Given name + surname; a third word only before punctuation (a verb's noun part,
        # "محسن یعقوبی منتشر کرد", often stands before a stop word). "حسن نیت" is good
        # faith and "محمود آباد" a town: such a word is no name's part.
        if boundary is None or units not in (2, 3) or (units == 3 and not _punctuated(
                folded, name[-1].end())):
            mentions += _weak_pair(text, name, cues)
            continue
        if units == 3 and lang == "fa" and _past_verb(name[-1].group(), cues):
            continue                            # "... حامد تاتاری گذشت.": the verb ends the clause
        if any(token.group() in cues.get("not_surnames", ())
               or token.group().startswith(("می\u200c", "نمی\u200c")) for token in name[1:]):
            continue                            # a verb ("قاسم می‌گویم") is no surname
        mention = _arabic_name(text, name, units, cues, lang, False, boundary)
        if mention is not None:
            mentions.append(mention)
            taken_until = name[-1].end()
    return mentions


def _punctuated(folded: str, end: int) -> bool:
    """Tell whether a punctuation mark (not a digit) follows the offset, spaces aside."""
    rest = folded[end:end + 8].lstrip()
    return bool(rest) and rest[0] in "،,.:;!?؛»)\"'«("


def _may_open_name(word: str, cues: dict) -> bool:
    # What every opener has (a given name, a compound or a prefix): a cheap first sieve.
    return word in cues["given"] or "\u200c" in word or word.startswith(("عبد", "غلام"))


def _opens_name(word: str, cues: dict) -> bool:
    """Tell whether a word is a given name (or a compound of one) that can open a name."""
    if word in cues.get("not_openers", ()):       # بهمن is a month as often as a man
        return False
    # A compound opens a name when both parts are given names ("علی‌اشرف"), not
    # "علی‌رغم" (despite) or "جان‌فشانی" (sacrifice).
    head, _, rest = word.partition("\u200c")
    return (word in cues["given"] or (head in cues["given"] and rest in cues["given"])
            or (word.startswith(("عبد", "غلام")) and len(word) > 4))


def _cue_mentions(text: str, folded: str, lang: str, lex: Lexicon,
                  is_country: Callable[[str], bool]) -> list[Mention]:
    """Names after Persian or Arabic titles: "وزیر امور خارجه ... محمد جواد ظریف"."""
    cues, mentions = lex.arabic[lang], []
    firsts, cue_re = lex.arabic_firsts[lang], lex.arabic_cue_re[lang]
    # One alternation of every cue is slow to try at each character: it is tried only where
    # a cue's first word stands.
    starts = _word_starts(folded, firsts.intersection(_AR_WORD.findall(folded)), _AR_WORD)
    for cue in filter(None, (cue_re.match(folded, start) for start in starts)):
        tokens = list(_AR_TOKEN.finditer(folded, cue.end(), min(len(folded), cue.end() + 120)))
        i = 0
        while i < min(len(tokens), 2) and (tokens[i].group() in cues["skip"] or is_country(tokens[i].group())
                                           or (lang == "ar" and _nisba(tokens[i].group()))):
            i += 1
        royal = cue.group().endswith(tuple(r.removeprefix("ال") for r in cues.get("royal", ())))
        name, units, boundary = _walk_name(folded, tokens[i:], cues, lang, royal, cue_re)
        if boundary and name:
            mention = _arabic_name(text, name, units, cues, lang, cue.group("h") is not None, boundary)
            mentions += [mention] if mention else []
    return mentions


def _word_starts(folded: str, words: Iterable[str], word_re: re.Pattern[str]) -> list[int]:
    """Where the words stand as whole words (word_re's runs) in the text, in text order.

    The few words a rule wants are looked up with str.find: cheaper than testing every word
    of the text.
    """
    starts = []
    for word in filter(None, words):   # an empty word would be found everywhere
        at = folded.find(word)
        while at >= 0:
            whole = word_re.match(folded, at)   # the run starting here ends where `word` does
            if whole and whole.end() == at + len(word) and not (at and word_re.match(folded, at - 1, at)):
                starts.append(at)
            at = folded.find(word, at + 1)
    return sorted(starts)


def _walk_name(folded: str, tokens: list[re.Match[str]], cues: dict, lang: str, royal: bool,
               cue_re: re.Pattern[str]) -> tuple[list[re.Match[str]], int, str | None]:
    """Take name words up to a boundary: (words, name units, "punct" | "stop" | None)."""
    name: list[re.Match[str]] = []
    units = 0
    for token in tokens:
        word = token.group()
        if len(word) == 1 and not _ARABIC_LETTER.match(word):
            return name, units, "punct"
        if (word.startswith(_AR_PREPOSED) or word in cues["stop"]
                or word.endswith(tuple(cues["stop_suffixes"])) or cue_re.match(folded, token.start())):
            return name, units, "stop"
        connector = word in cues.get("connectors", ())
        # An Arabic family name (al-...) ends the name; after a royal title it is an
        # institution ("King Fahd Cultural Centre"); it never opens a name.
        family = (lang == "ar" and word.startswith("ال") and not connector
                  and not (name and name[-1].group() == "عبد"))
        if family and (royal or not units):
            return name, units, "stop" if royal else None
        if lang == "ar" and units >= 2 and not connector and _imperfect_verb(word, cues):
            return name, units, "stop"          # "ماجد عسيري يعد من ...": a verb follows the name
        if lang == "ar" and name and word[0] in "وف" and not connector and word not in cues["given"]:
            return name, units, "stop"          # "يزيد ومعه": a conjunction, not a name's word
        chained = len(name) > 1 and name[-2].group() in cues.get("connectors", ())
        if lang == "ar" and chained and not connector and not family:
            return name, units, "stop"          # "خالد بن عبدالقادر وسط ...": the chain ended
        units += not connector
        name.append(token)
        joined = sum(t.group() in cues.get("connectors", ()) for t in name)
        # Arabic names run long: "سيف يوسف أحمد الفلاسي", "سعود بن عبدالله بن منصور بن جلوي".
        limit = 3 if lang != "ar" else min(5, 3 + joined) if not family else max(4, min(5, 3 + joined))
        if units > limit:
            return name, units, None
        if family and units > 1:
            return name, units, "stop"
    return name, units, "punct" if tokens and tokens[-1].end() == len(folded) else None


def _arabic_name(text: str, name: list, units: int, cues: dict, lang: str, honorific: bool,
                 boundary: str) -> Mention | None:
    """Keep a name whose ends are clear: a given name first, or one word after an honorific."""
    # Without capitals a name's end is a guess; a known given name or punctuation makes it one.
    while name and name[-1].group() in cues.get("connectors", ()):
        name = name[:-1]
    if not name:
        return None
    first = name[0].group()
    # Compounds of a given name count: "علی‌محمد", "عبدالحسین", "غلام‌عسکر".
    if not (first in cues["given"] or first.split("\u200c")[0] in cues["given"]
            or first.startswith(("عبد", "غلام"))):
        if not (honorific and lang == "fa"):
            return None
        name = name[:1]   # "آیت‌الله خامنه‌ای برگزاری ...": the surname, not the noun after it
    elif units == 1 and boundary != "punct":
        return None
    start, end = name[0].start(), name[-1].end()
    return Mention(start, " ".join(text[start:end].split()), "person")


def _nisba(word: str) -> bool:
    # Arabic adjectives of origin or office ("السوري", "التنفيذي") stand between title and name.
    return word.startswith("ال") and word.endswith(("ی", "یه", "یین"))


def _past_verb(word: str, cues: dict) -> bool:
    # Persian past verbs of the third person end in -ت or -د (گذشت، باخت، کرد); given names
    # that do (محمد، احمد) stay names.
    return word.endswith(("ت", "د")) and word not in cues["given"] and not word.startswith("ال")


def _imperfect_verb(word: str, cues: dict) -> bool:
    # Arabic present verbs open with ي or ت (يعد، يقول، تؤكد); given names that do (يوسف،
    # ياسر، تركي) stay names.
    return word[0] in "يیت" and word not in cues["given"] and not word.startswith("ال")


def _weak_pair(text: str, name: list[re.Match[str]], cues: dict) -> list[Mention]:
    """A given name and the word after it, when the name's end is unclear: weak, so it is
    kept only when the document or the entity table already knows that name (found once
    with a cue, it is found without one later)."""
    if len(name) < 2 or name[1].group() in cues.get("connectors", ()) or any(
            name[1].group() in cues.get(kind, ()) for kind in ("not_surnames", "given")):
        return []
    start, end = name[0].start(), name[1].end()
    return [Mention(start, " ".join(text[start:end].split()), "person", strong=False)]
