"""Analysis: folding and Persian/Arabic normalisation by token tables, then a tiny index."""
from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path

import pytest

from indexer.engine.whoosh.analysis import exact_analyzer, field_analyzer, text_analyzer
from indexer.engine.whoosh.engine import WhooshEngine
from indexer.engine.whoosh.query import parse_text
from indexer.ingest.ingester import Ingester
from indexer.search.params import SearchParams
from indexer.search.results import search_json
from indexer.store import Store
from indexer.text.folding import fold
from indexer.text.stems import STEM_MARK, stem

FARSNEWS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "farsnews.jsonl.gz"


def words(text: str, **kwargs) -> list[str]:
    return [t.text for t in exact_analyzer()(text, **kwargs)]


@pytest.mark.parametrize("text, expected", [
    # case and accents
    ("Sécurité SECURITE", ["securite", "securite"]),
    ("se\u0301curite\u0301", ["securite"]),                  # decomposed accents
    ("Ölpreis ça naïve", ["olpreis", "ca", "naive"]),
    # Arabic letter forms -> Persian
    ("علي", ["علی"]), ("مصطفى", ["مصطفی"]), ("كتاب", ["کتاب"]), ("مدرسة", ["مدرسه"]),
    ("أحمد إيران آب ٱلله", ["احمد", "ایران", "اب", "الله"]), ("مؤمن", ["مومن"]),
    ("رئيس رئیس رییس", ["رییس"] * 3), ("مسائل", ["مسایل"]),
    # tatweel and diacritics (harakat, superscript alef) vanish without splitting the word
    ("كـــتاب", ["کتاب"]), ("كِتَابٌ", ["کتاب"]), ("هٰذا", ["هذا"]),
    # ZWNJ: dropped inside a word, so the compound is one token; a real space is two
    # A ZWNJ ends a word, as in Lucene's Persian analyzer; the joined spelling is one word.
    ("می\u200cشود", ["می", "شود"]), ("میشود", ["میشود"]), ("می شود", ["می", "شود"]),
    ("\u200c", []),
    # Persian and Arabic-Indic digits
    ("۱۳۹۹ ٢٠٢٠ 2020", ["1399", "2020", "2020"]),
    # unchanged behaviour
    ("U.S. oil, gas.", ["u.s", "oil", "gas"]),
])
def test_folding_table(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("persian, arabic", [
    ("یک", "يك"), ("کشور", "كشور"), ("سیاسی", "سياسى"), ("مدرسه", "مدرسة"), ("ایران", "إيران"),
])
def test_persian_and_arabic_forms_fold_alike(persian, arabic):
    assert fold(persian) == fold(arabic) == persian


def index_tokens(text: str) -> list[tuple[str, int]]:
    return [(t.text, t.pos) for t in field_analyzer()(text, positions=True, mode="index")]


def test_index_holds_exact_word_and_marked_stem_at_one_position():
    assert index_tokens("Oil exports") == [
        ("oil", 0), (STEM_MARK + "oil", 0), ("exports", 1), (STEM_MARK + "export", 1)]
    # Arabic script: exact word and light stem; digits: exact only
    assert index_tokens("الكتاب 2020") == [("الکتاب", 0), (STEM_MARK + "کتاب", 0), ("2020", 1)]


@pytest.mark.parametrize("kwargs, expected", [
    ({"mode": "query", "stems": True}, ["~sanction", "~export", "~کتاب"]),  # single words
    ({"mode": "query", "chars": True}, ["sanctions", "exports", "کتاب"]),   # phrases
])
def test_query_words_by_caller(kwargs, expected):
    assert [t.text for t in field_analyzer()("Sanctions exports كتاب", **kwargs)] == expected


@pytest.mark.parametrize("forms", [
    # Persian plurals after a ZWNJ or joined, Arabic yeh: one stem
    ["تحریم", "تحریم‌ها", "تحریمها", "تحريم", "تحریم‌های"],
    ["کتاب", "کتاب‌ها", "كتاب"],
    # the article, with a clitic; the feminine nisba ending
    ["ملك", "الملك", "والملك", "ملک"], ["سعودي", "السعودي", "السعودية"],
    ["وزیر", "وزير", "الوزیر"], ["عقوبات", "العقوبات"],
])
def test_arabic_script_forms_share_a_stem(forms):
    assert len({stem(fold(w), w) for w in forms}) == 1


@pytest.mark.parametrize("word, root", [
    # kept apart on purpose: a stem that would be another word
    ("وزیر", "وزیر"), ("دولت", "دولت"), ("تحریم", "تحریم"), ("ایرانی", "ایرانی"),
    ("صادرات", "صادرات"), ("خانه‌ای", "خانهای"), ("الى", "الی"), ("بال", "بال"),
])
def test_arabic_script_stem_leaves_words_whole(word, root):
    assert stem(fold(word), word) == root


def test_snippet_analyzer_yields_both_forms_on_queries():
    tokens = [t.text for t in text_analyzer()("exports", mode="query", chars=True)]
    assert tokens == ["exports", "~export"]


@pytest.mark.parametrize("text, expected", [
    ("sanction", "(title:~sanction^2.0 OR text:~sanction)"),
    ("sanction*", "(title:sanction* OR text:sanction*)"),        # wildcards stay exact
    ("title:كتاب", "title:~کتاب"),
    ('title:"كتاب"', "title:کتاب"),                                # quoted: the exact word
])
def test_parsed_queries(text, expected):
    assert str(parse_text(text)) == expected


def test_phrase_is_parsed_on_exact_words():
    leaves = {str(q) for q in parse_text('"oil exports"').children()}
    assert all("~" not in leaf and "oil exports" in leaf for leaf in leaves)


# A tiny index built the project's way.

DOCS = [
    ("en1", "Sanctions tighten", "New sanctions on oil exports were announced."),
    ("en2", "Exports fall", "The oil exported last month fell; a sanction was lifted."),
    ("en3", "Weather", "Rain is expected tomorrow."),
    ("fr1", "La sécurité", "La sécurité des réseaux est renforcée."),
    ("fa1", "خبر", "وزير امور خارجه گفت که اين کار انجام مي‌شود"),   # Arabic yeh, ZWNJ
    ("fa2", "خبر دوم", "وزیر کشور گفت این کار میشود"),                 # Persian yeh, joined
    ("fa3", "خبر سوم", "مدرسة الكتاب في المدينة"),                      # ة, Arabic kaf
    ("fa4", "خبر چهارم", "او می شود"),                                  # real space
    ("fa5", "تحریم‌ها", "تحریمها و رئيس"),                         # plurals, ئ
    ("fa6", "خبر ششم", "شہر تھران و خانۀ نے"),                      # Urdu keyboard: ہ ھ ے, ۀ
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    path = folder / "docs.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for doc_id, title, text in DOCS:
            handle.write(json.dumps({"id": doc_id, "url": f"https://x.example/{doc_id}",
                                     "source": "Test", "title": title, "text": text,
                                     "published": "2020-01-02T00:00:00Z"},
                                    ensure_ascii=False) + "\n")
    store = Store(folder / "store.db")
    report = Ingester(store, detect_language=False, enrich=False).ingest_file(str(path))
    assert not report.error
    engine = WhooshEngine(folder / "index")
    engine.catch_up(store)
    yield engine
    engine.close()
    store.close()


def urls(engine, query: str) -> set[str]:
    return {doc["url"] for doc in engine.iter_matches(SearchParams(query=query))}


def ids(engine, query: str) -> set[str]:
    """The fixture names of the matches (the store derives its own ids from the URLs)."""
    return {url.rsplit("/", 1)[-1] for url in urls(engine, query)}


@pytest.mark.parametrize("query, expected", [
    ("sanction", {"en1", "en2"}), ("sanctions", {"en1", "en2"}),
    ("export", {"en1", "en2"}),
    ('"oil exports"', {"en1"}),          # the phrase is not loosened to "oil exported"
    ('"oil export"', set()),
    ('"oil exported"', {"en2"}),
    ("securite", {"fr1"}), ("sécurité", {"fr1"}), ("SECURITE", {"fr1"}),
    ("وزیر", {"fa1", "fa2"}), ("وزير", {"fa1", "fa2"}),          # Persian / Arabic yeh
    ("این", {"fa1", "fa2"}), ("اين", {"fa1", "fa2"}),
    ("مدرسه", {"fa3"}), ("مدرسة", {"fa3"}),                     # ة/ه
    ("کتاب", {"fa3"}), ("كتاب", {"fa3"}),   # the article ال is stripped for the stem
    ('"کتاب"', set()),                     # ... but not from the exact word of a phrase
    ("الکتاب", {"fa3"}), ("الكتاب", {"fa3"}),
    ("تحریم", {"fa5"}), ("تحريم", {"fa5"}), ("تحریم‌ها", {"fa5"}),
    ("رییس", {"fa5"}), ("رئیس", {"fa5"}), ("رئيس", {"fa5"}),
    ("میشود", {"fa2"}), ("می\u200cشود", {"fa1", "fa4"}), ("مي‌شود", {"fa1", "fa4"}),
    ('"می شود"', {"fa1", "fa4"}),
    ("شهر", {"fa6"}), ("تهران", {"fa6"}), ('"شهر تهران"', {"fa6"}), ("خانه", {"fa6"}),
    ("نی", {"fa6"}), ("شہر", {"fa6"}),
])
def test_search_probes(engine, query, expected):
    assert ids(engine, query) == expected


def test_snippet_marks_the_stemmed_match(engine):
    params = SearchParams(query="sanction")
    result = search_json(params, engine.search(params))
    snippets = {r["url"].rsplit("/", 1)[-1]: r["snippet"] for r in result["results"]}
    assert "<mark>sanctions</mark>" in snippets["en1"]
    assert "<mark>sanction</mark>" in snippets["en2"]


def test_farsnews_arabic_yeh_words_found_by_persian_query(tmp_path):
    if not FARSNEWS.exists():
        pytest.skip(f"{FARSNEWS} is absent (../shared is not beside the project)")
    with gzip.open(FARSNEWS, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in itertools.islice(handle, 200)]
    path = tmp_path / "fars.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    store = Store(tmp_path / "store.db")
    Ingester(store, detect_language=False, enrich=False).ingest_file(str(path))
    engine = WhooshEngine(tmp_path / "index")
    engine.catch_up(store)
    # A word written with the Arabic yeh in some records.
    arabic = "رئيس"
    persian = arabic.replace("\u064a", "\u06cc")
    # As a whole word: not inside a longer one, nor joined to one by a ZWNJ.
    def written(form: str) -> set[str]:
        word = re.compile(rf"(?<![\w\u200c]){form}(?![\w\u200c])")
        return {r["url"] for r in records
                if word.search((r.get("title") or "") + " " + (r.get("text") or ""))}
    raw = written(arabic)
    assert raw and written(persian), "the first 200 farsnews records no longer mix both forms"
    raw |= written(persian)
    found_persian, found_arabic = urls(engine, persian), urls(engine, arabic)
    engine.close()
    store.close()
    assert raw <= found_persian
    assert found_persian == found_arabic
