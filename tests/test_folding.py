"""The one folding table (indexer.text.folding), and every consumer folding by it alike."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from indexer.engine.whoosh.analysis import exact_analyzer
from indexer.enrich.countries import detect_countries
from indexer.enrich.country_gazetteer import phrase_key
from indexer.enrich.dates import date_from_text
from indexer.enrich.dates import fold as date_fold
from indexer.enrich.entity_table import variant_key
from indexer.search.near_duplicates import normalised_words
from indexer.text.folding import fold, fold_letters, fold_script, fold_text
from indexer.text.tokens import tokenize


@pytest.mark.parametrize("text, folded", [
    # Arabic-script letter forms, each to the form Persian writes
    ("علي", "علی"),                      # ي Arabic yeh
    ("مصطفى", "مصطفی"),                  # ى alef maksura
    ("رئيس", "رییس"),                    # ئ yeh with hamza
    ("نے", "نی"),                        # ے yeh barree (Urdu)
    ("ۓ", "ی"),                          # ۓ yeh barree with hamza
    ("كتاب", "کتاب"),                    # ك Arabic kaf
    ("مدرسة", "مدرسه"),                  # ة teh marbuta
    ("ۃ", "ه"),                          # ۃ teh marbuta goal
    ("شہر", "شهر"),                      # ہ heh goal (Urdu)
    ("ۂ", "ه"),                          # ۂ heh goal with hamza
    ("ھند", "هند"),                      # ھ heh doachashmee
    ("خانۀ", "خانه"),                    # ۀ heh with yeh above (ezafe)
    ("أحمد", "احمد"), ("إيران", "ایران"), ("آب", "اب"),
    ("ٱلله", "الله"),                    # ٱ alef wasla
    ("مؤمن", "مومن"),                    # ؤ waw with hamza
    # tatweel dropped
    ("كـــتاب", "کتاب"),
    # harakat, hamza marks and the superscript alef dropped
    ("كتابً", "کتاب"),                   # U+064B fathatan
    ("كتابٌ", "کتاب"),                   # U+064C dammatan
    ("كتابٍ", "کتاب"),                   # U+064D kasratan
    ("كَتاب", "کتاب"),                   # U+064E fatha
    ("كُتاب", "کتاب"),                   # U+064F damma
    ("كِتاب", "کتاب"),                   # U+0650 kasra
    ("كتّاب", "کتاب"),                   # U+0651 shadda
    ("كتْاب", "کتاب"),                   # U+0652 sukun
    ("ا\u0653", "ا"),                    # U+0653 maddah above
    ("ماه\u0654", "ماه"),                # U+0654 hamza above
    ("ا\u0655", "ا"),                    # U+0655 hamza below
    ("هٰذا", "هذا"),                     # U+0670 superscript alef
    # ZWNJ and ZWJ inside a word: dropped, the word is one
    ("می\u200cشود", "میشود"), ("می\u200dشود", "میشود"),
    # Persian and Arabic-Indic digits
    ("۰۱۲۳۴۵۶۷۸۹", "0123456789"), ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
    # Latin accents (composed and decomposed), strokes, case
    ("Sécurité", "securite"), ("se\u0301curite\u0301", "securite"), ("Ölpreis", "olpreis"),
    ("Øresund", "oresund"), ("Łódź", "lodz"), ("Straße", "strasse"), ("SECURITE", "securite"),
])
def test_the_table_folds_each_form(text, folded):
    assert fold_text(text) == folded
    assert fold(text) == folded


def test_fold_letters_keeps_every_offset():
    text = "Aلي كِتاب مدرسة ٱلشہر ۱۳۹۹"
    folded = fold_letters(text)
    assert folded == "Aلی کِتاب مدرسه الشهر 1399"      # case and marks stay
    assert len(folded) == len(text)


def test_fold_script_keeps_case_and_the_gap_between_words():
    assert fold_script("Türkiye ایالات\u200cمتحده كـتاب") == "Turkiye ایالات\u200cمتحده کتاب"
    assert fold_script("U.S.") == "U.S."


# The same words typed on a Persian keyboard and on an Arabic one (or an Urdu one).
PAIRS = [
    ("رییس جمهور ایران", "رئيس جمهور إيران"),
    ("کتاب مدرسه", "كتاب مدرسة"),
    ("مصطفی علی", "مصطفى علي"),
    ("شهر تهران", "شہر تھران"),
    ("الله مومن", "ٱلله مؤمن"),
    ("خانه دیگر", "خانۀ دےگر"),
    ("سال ۱۳۹۹", "سال ١٣٩٩"),
]


@pytest.mark.parametrize("persian, arabic", PAIRS)
def test_search_analysis_folds_both_keyboards_alike(persian, arabic):
    def analysed(text):
        return [token.text for token in exact_analyzer()(text)]
    assert analysed(persian) == analysed(arabic) == persian.replace("۱۳۹۹", "1399").split()
    assert [t.word for t in tokenize(persian)] == [t.word for t in tokenize(arabic)]


@pytest.mark.parametrize("persian, arabic", PAIRS)
def test_near_duplicate_words_fold_both_keyboards_alike(persian, arabic):
    assert normalised_words(None, persian) == normalised_words(None, arabic)


@pytest.mark.parametrize("persian, arabic", PAIRS)
def test_date_text_folds_both_keyboards_alike(persian, arabic):
    assert date_fold(persian) == date_fold(arabic)


@pytest.mark.parametrize("persian, arabic", PAIRS)
def test_entity_variant_keys_fold_both_keyboards_alike(persian, arabic):
    assert variant_key(persian) == variant_key(arabic)


@pytest.mark.parametrize("persian, arabic", PAIRS)
def test_gazetteer_keys_fold_both_keyboards_alike(persian, arabic):
    assert phrase_key(persian) == phrase_key(arabic)


@pytest.mark.parametrize("text", [
    "تهران - ۱۰ شهریور ۱۳۹۹ خبر",      # Persian keyboard
    "تهران - ١٠ شهريور ١٣٩٩ خبر",      # Arabic keyboard: ي, Arabic-Indic digits
    "تهران - ۱۰ شہریور ۱۳۹۹ خبر",      # Urdu heh goal
])
def test_a_date_is_found_whichever_keyboard_wrote_it(text):
    assert date_from_text(text, "fa") == datetime(2020, 8, 31, tzinfo=timezone.utc)


@pytest.mark.parametrize("name", ["علی خامنه‌ای", "علي خامنه‌اي", "علی خامنہ‌ای"])
def test_an_entity_key_is_the_same_whichever_keyboard_wrote_it(name):
    assert variant_key(name) == "علی خامنه ای"


@pytest.mark.parametrize("text", ["زار الوزير العراق أمس", "زار الوزير ٱلعراق أمس"])
def test_a_country_is_found_whichever_keyboard_wrote_it(text):
    assert detect_countries(None, text, "ar") == ["IQ"]
