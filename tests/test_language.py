"""Language: langdetect when confident, a valid declared tag otherwise, None when unsure."""
import gzip
import json
from itertools import islice

import pytest

from corpus.languages import language_code
from indexer.enrich.language import detect_language
from tests.helpers import CORPUS


@pytest.mark.parametrize("tag, expected", [
    ("en-US", "en"), ("pt_BR", "pt"), ("IT-it", "it"), ("FA", "fa"), ("  ar ", "ar"),
    ("", None), (None, None), ("english", None), ("e", None), ("zh-cn", "zh"), ("iw", "he"),
    ("xx", None),
])
def test_language_code(tag, expected):
    assert language_code(tag) == expected


def test_short_text_falls_back_to_declared_language_or_none():
    assert detect_language("Hi", "", None) is None
    assert detect_language("Hi", "", "de-DE") == "de"


def test_upper_case_wire_title_with_text():
    title = "STANDARD OIL TO FORM FINANCIAL UNIT WITH BP NORTH AMERICA"
    assert detect_language(title, "", None) == "en"


def test_detection_is_repeatable():
    text = "La croissance économique a ralenti au troisième trimestre selon l'institut."
    assert len({detect_language(None, text) for _ in range(5)}) == 1


@pytest.mark.parametrize("name, lang", [("reuters-21578", "en"), ("saudinewsnet", "ar"),
                                        ("farsnews", "fa")])
def test_language_of_real_texts(name, lang):
    path = CORPUS / f"{name}.jsonl.gz"
    if not path.exists():
        pytest.skip("../shared is absent: no real corpora")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [r for r in map(json.loads, islice(handle, 300)) if len(r["text"] or "") > 200]
    right = sum(detect_language(r["title"], r["text"]) == lang for r in records)
    assert right / len(records) >= 0.97
