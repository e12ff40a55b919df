"""The entity finder's fast scans answer as the plain scans they replace (word starts by
str.find, first-letter lookaheads, clause starts)."""
from __future__ import annotations

import gzip
import itertools
import json
import re

import pytest

from indexer.enrich.entities import _with_title
from indexer.enrich.entity_arabic import _AR_WHOLE_WORD, _AR_WORD, _word_starts
from indexer.enrich.entity_lexicon import _first_letter_sieve, lexicon
from indexer.enrich.person_shapes import _clause_starts
from indexer.text.folding import fold_letters
from tests.helpers import FARSNEWS, REUTERS

ZWNJ = "\u200c"


def folded_texts(path, count: int) -> list[str]:
    if not path.exists():
        pytest.skip(f"shared corpus absent: {path}")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [fold_letters(_with_title(r.get("title"), r.get("text") or ""))
                for r in map(json.loads, itertools.islice(handle, count))]


def test_word_starts_are_whole_words_in_text_order():
    text = "وزیر گفت، وزیرها و الوزیر؛ وزیر"
    assert _word_starts(text, ["وزیر"], _AR_WORD) == [0, 27]
    assert _word_starts(text, ["الوزیر", "وزیر"], _AR_WORD) == [0, 19, 27]
    assert _word_starts(text, ["رئیس"], _AR_WORD) == []
    # _AR_WORD stops at a ZWNJ, _AR_WHOLE_WORD does not
    assert _word_starts(f"وزیر{ZWNJ}ها", ["وزیر", "ها"], _AR_WORD) == [0, 5]
    assert _word_starts(f"وزیر{ZWNJ}ها", ["وزیر", "ها"], _AR_WHOLE_WORD) == []
    assert _word_starts(f"وزیر{ZWNJ}ها", [f"وزیر{ZWNJ}ها"], _AR_WHOLE_WORD) == [0]


def test_word_starts_match_testing_every_word_on_farsnews():
    wanted = lexicon().arabic_firsts["fa"] | lexicon().arabic_firsts["ar"] | lexicon().arabic["fa"]["given"]
    for text in folded_texts(FARSNEWS, 300):
        for word_re in (_AR_WORD, _AR_WHOLE_WORD):
            present = wanted.intersection(word_re.findall(text))
            assert _word_starts(text, present, word_re) == [
                m.start() for m in word_re.finditer(text) if m.group() in wanted]


def test_first_letter_sieve():
    assert _first_letter_sieve(["Bank of Japan", "اوپک", "Banque mondiale"]) == "(?=[Bا])"
    assert _first_letter_sieve(["U.N.", "[x]"]) == r"(?=[U\[])"
    assert _first_letter_sieve([f"{ZWNJ}ها"]) == ""     # a leading ZWNJ is optional: no sieve
    assert _first_letter_sieve([]) == ""


def without_sieve(pattern: re.Pattern[str]) -> re.Pattern[str]:
    plain = re.sub(r"\(\?=\[[^\]]*\]\)", "", pattern.pattern, count=1)
    assert plain != pattern.pattern
    return re.compile(plain)


def test_alias_sieve_changes_no_match():
    sieved = lexicon().alias_re
    plain = without_sieve(sieved)
    texts = folded_texts(REUTERS, 400) + folded_texts(FARSNEWS, 300)
    found = [[m.span(1) for m in sieved.finditer(t)] for t in texts]
    assert found == [[m.span(1) for m in plain.finditer(t)] for t in texts]
    assert sum(map(len, found)) > 50     # the sample holds aliases to find


def test_cue_sieve_changes_no_match_at_any_word():
    texts = folded_texts(FARSNEWS, 200)
    for lang in ("fa", "ar"):
        sieved = lexicon().arabic_cue_re[lang]
        plain = without_sieve(sieved)
        for text in texts:
            starts = [m.start() for m in re.finditer(r"\S+", text)]
            assert ([m and m.groupdict() for m in map(lambda s: sieved.match(text, s), starts)]
                    == [m and m.groupdict() for m in map(lambda s: plain.match(text, s), starts)])


def test_clause_starts_follow_marks_and_stop_words():
    assert _clause_starts(["علی", "رضایی", "،", "رضا", "و", "حسن", "گفت", "."]) == [0, 3, 5]
    assert _clause_starts(["نیز", "همچنین"]) == [0, 1]
    assert _clause_starts([]) == []
