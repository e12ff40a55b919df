"""Context rules that keep country words from matching people, birds, US states and other homonyms."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from indexer.enrich.country_gazetteer import ASCII_TOKEN, TOKEN, load_json, tokens


@dataclass(frozen=True)
class Hit:
    """One matched phrase: token span, country (None for a blocker) and kind."""
    start: int
    end: int
    code: str | None
    kind: str


@dataclass
class Scan:
    """One tokenised field ('title' or 'text') with the gazetteer hits found in it."""
    field: str
    text: str
    low: list[str]
    hits: list[Hit]

    @cached_property
    def words(self) -> list[str]:
        """Tokens in their original case, found only when a Latin-script rule needs them."""
        return tokens(self.text)

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """Character spans of the tokens, found only when a rule needs them."""
        return [m.span() for m in (ASCII_TOKEN if self.text.isascii() else TOKEN).finditer(self.text)]


@dataclass(frozen=True)
class Mention:
    """A country mention that survived the context rules: its field and token position, for salience."""
    code: str
    field: str
    position: int


@lru_cache(maxsize=1)
def _rules() -> dict:
    """The context rules of the data file, as sets."""
    rules = load_json("country_rules.json")
    people = rules["person_names"]
    return {
        "surnames": set(people["surnames"]), "given_names": set(people["given_names"]),
        "people": set(people["surnames"]) | set(people["given_names"]),
        "geo_followers": set(people["geo_followers"]),
        "locatives": set(people["locatives"]), "context_words": set(rules["name_context_words"]),
        "nouns": {w: (set(r["followers"]), set(r["preceders"]))
                  for w, r in rules["common_nouns"].items() if not w.startswith("_")},
        "state": rules["us_state_homonyms"], "state_cues": set(rules["us_state_homonyms"]["state_cues"]),
        "neighbours": rules["neighbours"],
        "currency": set(rules["currency_words"]),
    }


def resolve(scans: list[Scan], codes: set[str], lang: str | None) -> list[Mention]:
    """Mentions whose hits survive the context rules, given codes already known (dateline)."""
    rules = _rules()
    found: list[Mention] = []
    people: set[str] = set()
    pending: list[tuple[Scan, Hit]] = []
    for scan in scans:
        for hit in scan.hits:
            if hit.code is None or not _case_ok(scan, hit, lang) or _is_noun(scan, hit, rules, lang):
                continue
            word = scan.low[hit.start] if hit.end - hit.start == 1 else None
            if word == "georgia" and _state_cue(scan, hit, rules):
                found.append(_mention("US", scan, hit))
            elif word is not None and word in rules["people"]:
                if _is_person(scan, hit, rules):
                    people.add(word)
                else:
                    pending.append((scan, hit))
            else:
                found.append(_mention(hit.code, scan, hit))
    georgia = None
    for scan, hit in pending:
        word = scan.low[hit.start]
        if word in people and not (hit.start and scan.low[hit.start - 1] in rules["locatives"]):
            continue
        if word == "georgia":
            georgia = georgia or _georgia(scans, codes | {m.code for m in found}, rules)
            found.append(_mention(georgia, scan, hit))
        else:
            assert hit.code is not None   # hits without a code were skipped before pending
            found.append(_mention(hit.code, scan, hit))
    return found


def _mention(code: str, scan: Scan, hit) -> Mention:
    """A mention of the code at the hit."""
    return Mention(code, scan.field, hit.start)


def _case_ok(scan: Scan, hit, lang: str | None) -> bool:
    """Latin words must be capitalised ('turkey' is a bird); short aliases fully upper ('us' is a pronoun)."""
    if not scan.low[hit.start][:1].islower():   # Arabic script has no case
        return True
    word = scan.words[hit.start]
    if hit.kind == "abbr":
        return word.replace(".", "").isupper()
    if hit.kind == "demonym" and lang == "fr":
        return True
    return word[:1].isupper()


def _neighbour(scan: Scan, index: int) -> str:
    """The lower-case token at index, or '' past either end."""
    return scan.low[index] if 0 <= index < len(scan.low) else ""


def _is_noun(scan: Scan, hit, rules: dict, lang: str | None) -> bool:
    """Whether the word is the common noun here: 'turkey sandwich', Persian 'مصر است' (insists)."""
    word = scan.low[hit.start]
    before = _neighbour(scan, hit.start - 1)
    after = _neighbour(scan, hit.end)
    if after in rules["currency"]:    # 'U.S. dlrs', 'Swiss francs': the money, not the place
        return True
    if word in rules["nouns"]:
        followers, preceders = rules["nouns"][word]
        two_after = f"{after} {_neighbour(scan, hit.end + 1)}"
        two_before = f"{_neighbour(scan, hit.start - 2)} {before}"
        if {after, two_after} & followers or {before, two_before} & preceders:
            return True
    for code in ([lang] if lang else ["fa", "ar"]):
        near = rules["neighbours"].get(code)
        if near and (after in near["followers"].get(word, ()) or before in near["preceders"].get(word, ())):
            return True
    return False


def _titled(word: str) -> bool:
    """Whether a word is capitalised but not all upper case ('Jordan', not 'JORDAN')."""
    return word[:1].isupper() and not word.isupper()


def _adjacent(scan: Scan, left: int, right: int) -> bool:
    """Whether one space or a wrapped line separates two tokens (no punctuation, no new paragraph)."""
    return scan.text[scan.spans[left][1]:scan.spans[right][0]] in (" ", "\n")


def _is_person(scan: Scan, hit, rules: dict) -> bool:
    """'Michael Jordan', 'Chad Smith': a capitalised name or an initial right before, a name right after."""
    i, words, low = hit.start, scan.words, scan.low
    if not _titled(words[i]):
        return False
    if low[i] in rules["surnames"] and i > 0 and (_initial(scan, i - 1) or _titled(words[i - 1])
                                                  and _adjacent(scan, i - 1, i)
                                                  and low[i - 1] not in rules["context_words"]):
        return True
    j = hit.end
    return (low[i] in rules["given_names"] and j < len(words) and _titled(words[j]) and _adjacent(scan, i, j)
            and low[j] not in rules["geo_followers"] and low[j] not in rules["context_words"])


def _initial(scan: Scan, index: int) -> bool:
    """'Michael B. Jordan', 'E.C. Jordan': a name initial right before the word."""
    word = scan.words[index]
    gap = scan.text[scan.spans[index][1]:scan.spans[index + 1][0]]
    return word.isupper() and (len(word) == 1 and gap == ". " or "." in word and gap == " ")


def _state_cue(scan: Scan, hit, rules: dict) -> bool:
    """'Atlanta, Georgia', 'Georgia governor', 'state of Georgia': the US state."""
    cues = rules["state_cues"]
    before, after = _neighbour(scan, hit.start - 1), _neighbour(scan, hit.end)
    state_of = _neighbour(scan, hit.start - 2) == "state" and before == "of"
    return before in cues or after in cues or state_of


def _georgia(scans: list[Scan], codes: set[str], rules: dict) -> str:
    """A bare 'Georgia' is the US state in a US story without a cue of the Caucasus country."""
    country_cues = set(rules["state"]["country_cues"])
    if "US" in codes and not any(country_cues.intersection(scan.low) for scan in scans):
        return "US"
    return rules["state"]["georgia"]
