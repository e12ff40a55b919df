"""The one folding table: which spellings of a word the project takes for the same word.

Persian and Arabic texts (and the keyboards that typed them) mix letter forms; every part
of the project that compares words folds them with the tables below, at one of three
strengths:

- fold_letters: letter forms and digits only, one character for one, so offsets into the
  folded text are offsets into the original (dates and entity finding match on it).
- fold_script: also accents, Arabic marks, tatweel and the zero-width joiner dropped; case
  and the zero-width non-joiner kept (the country gazetteer reads case and word gaps).
- fold_text / fold: search strength, also case folded, ZWNJ dropped and Latin letters
  with a stroke or hook made plain (ø -> o). Search analysis, snippets, near-duplicates
  and entity variant keys use it.

For search words the ZWNJ is a word boundary (WORD_BREAKS), as Lucene's Persian analyzer
reads it: "سرمایه‌گذاری" is the words "سرمایه" and "گذاری", so a part finds the compound
and the compound (typed with a ZWNJ or a space) is the phrase of its parts. The joined
spelling "سرمایهگذاری" is another word. indexer.text.tokens builds its words from this.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZWNJ = "\u200c"      # zero-width non-joiner: Persian joins "می" and "شود" with it
ZWJ = "\u200d"
# Characters that end a search word although they sit between letters (see above).
WORD_BREAKS = ZWNJ
TATWEEL = "\u0640"   # the stretching stroke: "كـــتاب" is "كتاب"

# Arabic-script letter forms, each to the form Persian writes: one letter for one letter.
LETTER_FORMS = {
    "\u064a": "\u06cc",  # ي Arabic yeh -> ی
    "\u0649": "\u06cc",  # ى alef maksura -> ی
    "\u0626": "\u06cc",  # ئ yeh with hamza -> ی: Persian writes رئیس and رییس for one word
    "\u06d2": "\u06cc",  # ے Urdu yeh barree -> ی
    "\u06d3": "\u06cc",  # ۓ yeh barree with hamza -> ی
    "\u0643": "\u06a9",  # ك Arabic kaf -> ک
    "\u0629": "\u0647",  # ة teh marbuta -> ه
    "\u06c3": "\u0647",  # ۃ teh marbuta goal -> ه
    "\u06c1": "\u0647",  # ہ heh goal (Urdu keyboards) -> ه
    "\u06c2": "\u0647",  # ۂ heh goal with hamza -> ه
    "\u06be": "\u0647",  # ھ heh doachashmee -> ه
    "\u06c0": "\u0647",  # ۀ heh with yeh above (the Persian ezafe) -> ه
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0624": "\u0648",  # ؤ -> و
}
DIGITS = {**{chr(0x06F0 + d): str(d) for d in range(10)},     # Persian ۰-۹
          **{chr(0x0660 + d): str(d) for d in range(10)}}     # Arabic-Indic ٠-٩
# Marks written over or under letters, dropped: harakat and hamza marks (U+064B-U+065F),
# superscript alef, Quranic annotation signs.
MARKS = "".join(chr(c) for span in ((0x064B, 0x065F), (0x0670, 0x0670), (0x0610, 0x061A),
                                    (0x06D6, 0x06ED)) for c in range(span[0], span[1] + 1))
# Latin letters whose stroke, hook or bar Unicode does not decompose: as Whoosh's
# accent_map folded them (the index was built that way), ß as casefold spells it.
LATIN_LETTERS = {pair[0]: pair[1:] for pair in (
    "ßss ðd øo þt đd ħh ıi łl ŧt ƀb ƃb ƈc ƌd ǝe ƒf ƙk ƚl ƞn ƥp ƫt ƭt ƴy ƶz ƺz ǥg ȡd ȥz ȴl "
    "ȵn ȶt ȷj ȼc ɇe ɉj ɋq ɍr ɏy ɓb ɕc ɖd ɗd ɚe ɝe ɟj ɠg ɨi ɫl ɬl ɭl ɱm ɲn ɳn ɵo ɼr ɽr ɾr "
    "ʂs ʄj ʈt ʉu ʋv ʏy ʐz ʑz ʝj ʠq ᵬb ᵭd ᵮf ᵲr ᵳr ᵵt ⱡl ⱥa ⱦt ⱨh ⱪk ⱬz").split()}


class CharMap(dict):
    """A table of characters to replace, with one regex that finds those a text holds.

    One str.replace per character present is several times faster than str.translate on
    a long Arabic text, where most characters miss the table; no value holds a key.
    """

    def __init__(self, table: dict[str, str]):
        super().__init__(table)
        self.finder = re.compile("[" + "".join(map(re.escape, self)) + "]")

    def apply(self, text: str) -> str:
        """Return the text with every character of the table replaced."""
        for char in set(self.finder.findall(text)):
            text = text.replace(char, self[char])
        return text


LETTER_TABLE = CharMap({**LETTER_FORMS, **DIGITS})
SCRIPT_TABLE = CharMap({**LETTER_TABLE, **dict.fromkeys(TATWEEL + MARKS + ZWJ, "")})
WORD_TABLE = CharMap({**SCRIPT_TABLE, **LATIN_LETTERS, ZWNJ: ""})


@lru_cache(maxsize=1)
def _maybe_combining() -> re.Pattern[str]:
    """The combining characters of the Basic Multilingual Plane, and any character past it.

    (Built once, 40 ms.) A class that also held the astral combining characters would
    scan twenty times slower; the rare astral characters are checked one by one instead.
    """
    marks = (chr(c) for c in range(0x10000) if unicodedata.combining(chr(c)))
    return re.compile("[" + "".join(map(re.escape, marks)) + "]|[\U00010000-\U0010ffff]")


def fold_letters(text: str) -> str:
    """Unify Arabic-script letter forms and digits, one character for one: offsets stay."""
    return LETTER_TABLE.apply(text)


def strip_accents(text: str) -> str:
    """Decompose (NFKD: presentation forms, ligatures, accents) and drop combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    for char in set(_maybe_combining().findall(decomposed)):
        if unicodedata.combining(char):
            decomposed = decomposed.replace(char, "")
    return decomposed


def fold_script(text: str) -> str:
    """Fold letter forms, digits, accents and marks; keep case and the ZWNJ between words."""
    if text.isascii():
        return text
    # The table before decomposing too: NFKD would turn ۀ into ە, a letter of its own.
    return SCRIPT_TABLE.apply(strip_accents(SCRIPT_TABLE.apply(text)))


def fold_text(text: str) -> str:
    """Fold for search: case, accents, letter forms, digits; marks, tatweel, ZWNJ dropped."""
    text = WORD_TABLE.apply(text).casefold()
    if text.isascii():
        return text
    # Recompose after stripping so scripts that decompose without accents (Hangul) stay
    # whole; fold again what decomposing revealed (ﻙ -> ك -> ک, ۂ -> ہ -> ه, ℍ -> H -> h).
    bare = unicodedata.normalize("NFC", strip_accents(text))
    return WORD_TABLE.apply(bare.casefold())


@lru_cache(maxsize=262144)
def fold(word: str) -> str:
    """Fold one word for search (fold_text, cached: the same words come back all the time)."""
    return fold_text(word)
