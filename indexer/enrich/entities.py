"""Named entities (people, organisations) from capitalised runs, cue words and kept lists."""
from __future__ import annotations

import bisect
import re
from typing import Callable, Mapping

from indexer.enrich.entity_arabic import arabic_mentions
from indexer.enrich.entity_lexicon import Lexicon, alias_key, default_is_country, lexicon
from indexer.enrich.entity_table import Entity, Mention, resolve, variant_key
from indexer.text.folding import fold_letters

UP, LET = "A-ZÀ-ÖØ-Þ", "a-zà-öø-ÿA-ZÀ-ÖØ-Þ"
_WORD = rf"(?:(?:al|el)-)?[{UP}][{LET}]*(?:(?:-|['’](?![sS]\b))[{LET}]+)*"
_ABBR = (rf"(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Gov|Sen|Rep|Prof|St|Jr|Sr|Corp|Inc|Co|"
         rf"Ltd|Bros|Mme)\.|(?:[{UP}]\.)+")
_TOKEN = rf"(?:{_ABBR}|{_WORD})"
_GAP = r"(?:[ \t]+|[ \t]*\n(?=\S))"   # a wrapped line goes on; a blank or indented line does not
_JOINS = ("of", "for", "and", "&", "on", "the", "de", "des", "du", "la", "le", "pour", "et")
_PARTICLES = ("von", "van", "der", "den", "da", "di", "bin", "ibn", "bint", "abu", "ben", "dos",
              "das", "del", "ter", "al", "el", "de", "du", "la", "le")
_CONNECTOR = "|".join(re.escape(w) for w in sorted(set(_JOINS + _PARTICLES), key=len, reverse=True))
# The lookahead lets the scan skip lower-case text before trying every token form.
_SPAN = re.compile(rf"(?=[{UP}]|[ae]l-)(?<![\w.'’-]){_TOKEN}(?:{_GAP}(?:(?:{_CONNECTOR}){_GAP})*{_TOKEN})*")
_ITEM = re.compile(rf"{_TOKEN}|(?:{_CONNECTOR})(?=\s)")
_CAPS_LINE = re.compile(r"(?m)^[^a-z\u0600-\u06FF\n]*[A-Z]{2}[^a-z\u0600-\u06FF\n]*$")
_WORDS_BEFORE = re.compile(r"[\w.'’-]+|,")
_APPOSITION = re.compile(r"[ \t]*,[ \t\n]+((?:[\w.'’-]+[ \t\n]+){0,4}[\w.'’-]+)")
_OF = re.compile(r"[ \t\n]+of[ \t\n]+(?:the[ \t\n]+)?")
# A short form defined in parentheses: "(OPEC)", "(AmEx)"; not a word such as "(Canada)".
_ACRONYM_DEF = re.compile(r"[ \t]*\([ \t]*([A-Z][a-z&]*[A-Z][A-Za-z&]{0,8})[ \t]*\)")
_ORG_LINKS = {"of", "for", "on", "de", "des", "du", "pour"}
_LOWER_WORD = re.compile(r"(?<![\w.'’-])[a-z]+(?![\w'’-])")     # a word written all in lower case
_PLACE_WORDS = {"in", "at", "from", "to", "of", "near", "into", "across", "outside", "inside",
                "throughout", "around"}


def extract_entities(title: str | None, text: str, lang: str | None,
                     known: Mapping[str, tuple[str, str]] | None = None,
                     is_country: Callable[[str], bool] | None = None) -> list[dict]:
    """Return [{"name", "type"}] of the people and organisations a document names."""
    return [e.as_dict() for e in find_entities(title, text, lang, known, is_country)]


def find_entities(title: str | None, text: str, lang: str | None,
                  known: Mapping[str, tuple[str, str]] | None = None,
                  is_country: Callable[[str], bool] | None = None,
                  mentions: list[Mention] | None = None) -> list[Entity]:
    """Return the document's entities with their variant keys (for the entity table).

    mentions: find_mentions' answer for this document when a worker process found them.
    """
    is_country = is_country or default_is_country
    if mentions is None:
        mentions = find_mentions(title, text, lang, is_country)
    # A country is never a name's variant: "china" as the surname of a misread "George
    # Shultz China" would tag every later text on China with him, in the entity table. Nor
    # is a word the text also writes in lower case ("sales" of a "Mitsubishi Motor Sales"
    # taken for a person, in a text that says "sales rose"): a common word, not a surname.
    mentions = [mention for mention in mentions if not is_country(mention.name)]
    entities = [entity for entity in resolve(mentions, known) if not is_country(entity.name)]
    lower = set(_LOWER_WORD.findall(f"{title or ''} {text or ''}"))
    for entity in entities:
        own = variant_key(entity.name)
        entity.variants = {key for key in entity.variants if not is_country(key)
                           and (" " in key or key not in lower or key == own)}
    return entities


def find_mentions(title: str | None, text: str, lang: str | None,
                  is_country: Callable[[str], bool] | None = None) -> list[Mention]:
    """The names a document holds, before the entity table resolves them (needs only the
    document: ingest's worker processes run it)."""
    is_country = is_country or default_is_country
    body = _CAPS_LINE.sub(lambda m: " " * len(m.group()), _with_title(title, text))
    lex = lexicon()
    folded = fold_letters(body)   # one letter for one: names are cut from body
    mentions, taken = _alias_mentions(folded, lex)
    mentions += _latin_mentions(body, lex, taken)
    mentions += arabic_mentions(body, folded, lang, lex, is_country)
    return mentions


def _with_title(title: str | None, text: str) -> str:
    # Headline-cased and upper-case titles capitalise every word: no cue to names there.
    words = [w for w in (title or "").split() if w[:1].isalpha()]
    capitalised = sum(w[0].isupper() for w in words)
    if not words or (len(words) > 3 and capitalised / len(words) > 0.6):
        return text or ""
    return f"{title}\n\n{text or ''}"


def _alias_mentions(folded: str, lex: Lexicon) -> tuple[list[Mention], list[tuple[int, int]]]:
    mentions, taken = [], []
    for match in lex.alias_re.finditer(folded):
        name, type_ = lex.aliases[alias_key(match.group(1))]
        mentions.append(Mention(match.start(1), name, type_, extra_keys=(variant_key(match.group(1)),)))
        taken.append(match.span(1))
    return mentions, taken


def _latin_mentions(text: str, lex: Lexicon, taken: list[tuple[int, int]]) -> list[Mention]:
    starts = [start for start, _ in taken]
    mentions: list[Mention] = []
    for span in _SPAN.finditer(text):
        if " " not in span.group() and "\n" not in span.group():
            # Most runs are one word: skip the organisation machinery for them.
            if not _inside(span.start(), taken, starts) and _kind(span, lex) == "name":
                mentions += filter(None, [_person(text, [(span, "name")], lex, set())])
            continue
        items = list(_ITEM.finditer(text, span.start(), span.end()))
        used = {i for i, item in enumerate(items) if _inside(item.start(), taken, starts)}
        found = len(mentions)
        _org_mentions(text, items, lex, mentions, used)
        org_starts = {m.start for m in mentions[found:]}.union(starts)
        for chunk in _person_chunks(items, used, lex):
            mention = _person(text, chunk, lex, org_starts)
            if mention:
                mentions.append(mention)
    return mentions


def _inside(offset: int, taken: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, offset) - 1
    return i >= 0 and taken[i][0] <= offset < taken[i][1]


def _is_token(item: re.Match[str]) -> bool:
    return item.group()[0].isupper() or item.group().startswith(("al-", "el-"))


def _kind(item: re.Match[str], lex: Lexicon) -> str:
    word = item.group().lower()
    if not _is_token(item):
        return "link"
    if word in lex.stops:
        return "stop"
    if word in lex.roles:
        return "role"
    return "org" if word in lex.org_words else "other" if word in lex.other_words else "name"


def _org_mentions(text: str, items: list, lex: Lexicon, out: list[Mention], used: set[int]) -> None:
    """Add the organisations of a capitalised run; mark their items used."""
    kinds = [_kind(item, lex) for item in items]
    for k, kind in enumerate(kinds):
        if kind not in ("org", "other") or k in used:
            continue
        left, right = _extend(items, kinds, k, -1, used), _extend(items, kinds, k, 1, used)
        words = [items[i].group() for i in range(left, right + 1) if kinds[i] != "link"]
        if len(words) < 2 or all(w.lower() in lex.generic for w in words) or _shouted(words):
            continue
        used.update(range(left, right + 1))
        start, end = items[left].start(), items[right].end()
        short = variant_key(" ".join(words)).split()
        while short and short[-1] in lex.suffixes:
            short.pop()
        extra = [" ".join(short)] if short and not all(w in lex.generic for w in short) else []
        acronym = _ACRONYM_DEF.match(text, end)
        extra += [variant_key(acronym.group(1))] if acronym else []
        type_ = "org" if "org" in (kinds[left:right + 1]) else "other"
        out.append(Mention(start, " ".join(text[start:end].split()), type_, extra_keys=tuple(extra)))


def _shouted(words: list[str]) -> bool:
    # Upper-case runs are headlines inside wire copy, not names: "LIBRA BANK EXPECTS BRAZIL".
    return sum(w.isupper() and len(w) > 1 for w in words) * 2 > len(words)


def _extend(items: list, kinds: list[str], k: int, step: int, used: set[int]) -> int:
    """Grow an organisation's name from its org word over names and joining words."""
    edge, i = k, k + step
    while 0 <= i < len(items) and i not in used:
        if kinds[i] in ("name", "org", "other"):
            edge, i = i, i + step
            continue
        if kinds[i] != "link":
            break
        links = []
        while 0 <= i < len(items) and kinds[i] == "link":
            links.append(items[i].group().lower())
            i += step
        links = links if step > 0 else links[::-1]
        # "Bank of Japan" grows right over "of"; "Charles Comer of Moseley Securities" not left.
        # "Procter and Gamble Co" joins leftwards only when its org words end the run.
        joined = (step > 0 and links[0] in _ORG_LINKS) or (
            links in (["and"], ["&"], ["et"]) and (step > 0 or _org_tail(kinds, k)))
        if not (joined and 0 <= i < len(items) and kinds[i] in ("name", "org", "other")):
            break
        if links[0] in ("and", "&", "et") and not _and_joins(kinds, i, step, used):
            break
    return edge


def _org_tail(kinds: list[str], k: int) -> bool:
    i = k + 1
    while i < len(kinds) and kinds[i] != "link":
        if kinds[i] != "org":
            return False
        i += 1
    return True


def _and_joins(kinds: list[str], i: int, step: int, used: set[int]) -> bool:
    # "Bank and Trust Co", "Procter and Gamble Co" are one; "Moseley Securities Corp and
    # Crandall Hays", "Bank of England and Federal Reserve Bank" are not.
    run = []
    while 0 <= i < len(kinds) and kinds[i] != "link" and i not in used:
        run.append(kinds[i])
        i += step
    return all(k == "org" for k in run) if step > 0 else "org" not in run


def _person_chunks(items: list, used: set[int], lex: Lexicon) -> list[list]:
    """Split the rest of a capitalised run into name candidates at stops and joining words."""
    chunks: list[list[tuple[re.Match[str], str]]] = []
    current: list[tuple[re.Match[str], str]] = []
    for i, item in enumerate(items):
        word = item.group().lower()
        kind = "used" if i in used else _kind(item, lex)
        inner_particle = kind in ("link", "stop") and word in _PARTICLES and current
        if kind in ("name", "role") or inner_particle:
            current.append((item, kind))
            continue
        chunks.append(current)
        current = []
    chunks.append(current)
    return [c for c in (_trim(c) for c in chunks) if c]


def _trim(chunk: list) -> list:
    while chunk and chunk[-1][1] == "link":
        chunk = chunk[:-1]
    return chunk


def _person(text: str, chunk: list, lex: Lexicon, org_starts: set[int]) -> Mention | None:
    roles = [i for i, (_, kind) in enumerate(chunk) if kind == "role"]
    cued = bool(roles)
    if roles:
        chunk = chunk[roles[-1] + 1:]
        while chunk and chunk[0][0].group().lower() in lex.continuations:
            chunk = chunk[1:]
    elif _role_before(text, chunk[0][0].start(), lex):
        cued = True
    else:
        chunk, cued = _after_qualifier(text, chunk, lex)
    names = [item for item, kind in chunk if kind == "name"]
    if not names or len(names) > 4 or any(n.group().isupper() and len(n.group()) > 2 for n in names):
        return None
    start, end = chunk[0][0].start(), chunk[-1][0].end()
    if not cued and len(names) > 1:
        of_org = _OF.match(text, end)   # "Charles Comer of Moseley Securities Corp"
        cued = _apposition(text, start, end, lex) or bool(of_org and of_org.end() in org_starts)
    cued = cued or _leader(text, end, len(names), lex)
    name = " ".join(text[start:end].split())
    if not cued and len(names) > 1 and _word_before(text, start) == "the" and not _after_of(text, start):
        # "the White House", "the Paris Club"; "the North Sea" is a place: the country facet's.
        geo = names[-1].group().lower() in lex.geo_words
        return None if geo else Mention(start, name, "other")
    return Mention(start, name, "person", strong=cued)


def _leader(text: str, end: int, size: int, lex: Lexicon) -> bool:
    """Tell whether a government follows: "the Assad regime", "Bashar Assad's government"."""
    match = lex.leader_re.match(text, end)
    # "the Tokyo government", "the Labour government" name no one: one word needs more.
    if match is None:
        return False
    return size > 1 or bool(match.group(1)) or match.group(2) in ("regime", "administration", "régime")


def _word_before(text: str, start: int) -> str:
    words = _WORDS_BEFORE.findall(text, max(0, start - 40), start)
    return words[-1].lower() if words else ""


def _after_of(text: str, start: int) -> bool:
    words = _WORDS_BEFORE.findall(text, max(0, start - 40), start)
    return len(words) > 1 and words[-2].lower() == "of"


def _role_before(text: str, start: int, lex: Lexicon) -> bool:
    """Tell whether a role ends just before: "analyst X", "Chief of Staff of the Army, X"."""
    words = _WORDS_BEFORE.findall(text, max(0, start - 80), start)
    comma = bool(words) and words[-1] == ","
    words = words[:-1] if comma else words
    if not words:
        return False
    if words[-1].lower() in lex.roles:
        return True
    for size in (1, 2, 3):   # "chief of staff Howard Baker", "minister of foreign affairs X"
        head = words[-size - 2:-size] if len(words) > size + 1 else []
        if (len(head) == 2 and head[0].lower() in lex.roles and head[1].lower() in _ORG_LINKS
                and " ".join(words[-size:]).lower() in lex.qualifiers):
            return True
    for i in range(len(words) - 1, max(len(words) - 7, 0), -1):
        if words[i] == ",":
            return False
        if comma and words[i].lower() in _ORG_LINKS and words[i - 1].lower() in lex.roles:
            return True
    return False


def _after_qualifier(text: str, chunk: list, lex: Lexicon) -> tuple[list, bool]:
    # "Secretary of State George Shultz": the run after "of" opens with the rest of the title.
    words = _WORDS_BEFORE.findall(text, max(0, chunk[0][0].start() - 30), chunk[0][0].start())
    words = [w.lower() for w in words if w.lower() not in ("the", "la")]
    if len(words) < 2 or words[-1] not in _ORG_LINKS or words[-2] not in lex.roles:
        return chunk, False
    for size in range(min(4, len(chunk) - 1), 0, -1):
        head = " ".join(item.group().lower() for item, _ in chunk[:size])
        if head in lex.qualifiers:
            return chunk[size:], True
    return chunk, False


def _apposition(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """Tell whether a role follows after a comma: "Ali Abdullah Ayyub, the Deputy Commander"."""
    if _word_before(text, start) in _PLACE_WORDS:
        return False   # "In New York, the chairman said"
    match = _APPOSITION.match(text, end)
    if not match:
        return False
    words = match.group(1).split()
    if words[0].lower() in ("the", "a", "an", "his", "her", "its") or words[0].endswith(("'s", "’s")):
        words = words[1:]
    return any(w.lower().strip(",.") in lex.roles for w in words[:3])
