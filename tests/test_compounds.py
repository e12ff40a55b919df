"""Persian compounds written with a ZWNJ: a part finds the compound (issue 14, item 3).

The ZWNJ ends a word in the index, as in Lucene's Persian analyzer; the compound typed
with a ZWNJ or a space finds it; the joined spelling is another word.
"""
from __future__ import annotations

import json

import pytest

from indexer.engine.whoosh.engine import WhooshEngine
from indexer.ingest.ingester import Ingester
from indexer.search.params import SearchParams
from indexer.search.snippets import make_snippet
from indexer.store import Store
from indexer.text.tokens import tokenize

Z = "\u200c"
# Made-up sentences (not from the shared corpus).
DOCS = [
    ("c1", "خبر", f"شرکت برای سرمایه{Z}گذاری در بندر آماده است"),
    ("c2", "خبر دوم", f"نشست بین{Z}المللی در تهران برگزار شد"),
    ("c3", "خبر سوم", f"هم{Z}اکنون باران می{Z}بارد"),
    ("c4", "خبر چهارم", "سرمایه شرکت افزایش یافت"),                 # the part alone
    ("c5", "خبر پنجم", "گذاری در بندر و سرمایه در بانک"),             # both parts, apart
    ("c6", "خبر ششم", "این سرمایهگذاری بزرگ بود"),                   # joined, no ZWNJ
    ("c7", "خبر هفتم", "سرمايه گذاري در شهر"),                        # with a space, Arabic yeh
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compounds")
    path = folder / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "url": f"https://x.example/{i}", "source": "T",
                                        "title": t, "text": x}, ensure_ascii=False) + "\n"
                            for i, t, x in DOCS), encoding="utf-8")
    store = Store(folder / "store.db")
    assert not Ingester(store, detect_language=False, enrich=False).ingest_file(str(path)).error
    engine = WhooshEngine(folder / "index")
    engine.catch_up(store)
    yield engine
    engine.close()
    store.close()


def ids(engine, query: str) -> set[str]:
    return {d["url"].rsplit("/", 1)[-1] for d in engine.iter_matches(SearchParams(query=query))}


def test_the_zwnj_ends_a_search_word():
    assert [t.word for t in tokenize(f"سرمایه{Z}گذاری بین{Z}المللی")] == [
        "سرمایه", "گذاری", "بین", "المللی"]


@pytest.mark.parametrize("query, expected", [
    ("سرمایه", {"c1", "c4", "c5", "c7"}), ("سرمايه", {"c1", "c4", "c5", "c7"}),   # ی / ي
    ("المللی", {"c2"}), ("المللي", {"c2"}), ("اکنون", {"c3"}), ("اكنون", {"c3"}),  # ک / ك
    (f'"سرمایه{Z}گذاری"', {"c1", "c7"}), ('"سرمایه گذاری"', {"c1", "c7"}),      # phrases
    ('"بین المللی"', {"c2"}),
    ("سرمایهگذاری", {"c6"}),                     # the joined spelling is another word
    (f"سرمایه{Z}گذاری", {"c1", "c7"}),           # typed with a ZWNJ: the phrase of its
    (f"سرمايه{Z}گذاري", {"c1", "c7"}),           # parts, not c5 where they stand apart
])
def test_parts_and_phrases_find_the_compound(engine, query, expected):
    assert ids(engine, query) == expected


@pytest.mark.parametrize("query", [f"سرمایه{Z}گذاری", "سرمایه گذاری"])
def test_the_compound_typed_unquoted_finds_it(engine, query):
    assert {"c1", "c7"} <= ids(engine, query)
    assert "c4" not in ids(engine, query) and "c6" not in ids(engine, query)


def test_a_part_is_highlighted_inside_its_compound():
    snippet = make_snippet(f"شرکت برای سرمایه{Z}گذاری آماده است", {"سرمایه"})
    assert snippet == f"شرکت برای <mark>سرمایه</mark>{Z}گذاری آماده است"
