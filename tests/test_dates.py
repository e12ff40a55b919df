"""Dates from text: absolute dates in en/fr/fa/ar, Solar Hijri conversion, datelines only."""
import gzip
import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from indexer.enrich.dates import date_from_text, find_dates, solar_hijri_to_gregorian

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("jalali, gregorian", [
    ((1399, 1, 1), date(2020, 3, 20)), ((1403, 1, 1), date(2024, 3, 20)),
    ((1399, 12, 30), date(2021, 3, 20)), ((1400, 1, 1), date(2021, 3, 21)),
    ((1403, 12, 30), date(2025, 3, 20)), ((1404, 1, 1), date(2025, 3, 21)),
    ((1399, 6, 25), date(2020, 9, 15)), ((1399, 7, 4), date(2020, 9, 25)),
    ((1358, 1, 12), date(1979, 4, 1)), ((1391, 12, 22), date(2013, 3, 12)),
    ((1354, 1, 1), date(1975, 3, 21)), ((1300, 12, 29), date(1922, 3, 20)),
])
def test_solar_hijri_to_gregorian(jalali, gregorian):
    assert solar_hijri_to_gregorian(*jalali) == gregorian


@pytest.mark.parametrize("jalali", [(1400, 12, 30), (1402, 7, 31), (1399, 13, 1), (1399, 1, 0)])
def test_solar_hijri_rejects_dates_that_do_not_exist(jalali):
    with pytest.raises(ValueError):
        solar_hijri_to_gregorian(*jalali)


def test_solar_hijri_years_are_365_or_366_days_and_start_near_the_equinox():
    for year in range(1300, 1500):
        start, after = solar_hijri_to_gregorian(year, 1, 1), solar_hijri_to_gregorian(year + 1, 1, 1)
        assert (after - start).days in (365, 366) and start.month == 3 and 19 <= start.day <= 22


@pytest.mark.parametrize("text, lang, expected", [
    ("September 25, 2020 - Tehran", "en", date(2020, 9, 25)),
    ("By Evan Symon, August 14, 2020 2:30 pm", "en", date(2020, 8, 14)),
    ("25 September 2020", "en", date(2020, 9, 25)),
    ("Thursday, 25 Sept 2020", "en", date(2020, 9, 25)),
    ("Publié le 25 sept. 2020 à 10h", "fr", date(2020, 9, 25)),
    ("Mis à jour le 1er janvier 2021", "fr", date(2021, 1, 1)),
    ("الرياض - الجمعة ٢٥ سبتمبر ٢٠٢٠", "ar", date(2020, 9, 25)),
    ("26 فبراير (شباط) 2016", "ar", date(2016, 2, 26)),
    ("سه‌شنبه ۲۵ شهریور ۱۳۹۹ - خبرگزاری", "fa", date(2020, 9, 15)),
    ("۲۲ اسفند‌ماه ۱۳۹۱", "fa", date(2013, 3, 12)),
    ("تاریخ انتشار: ۱۳۹۹/۰۷/۰۴", "fa", date(2020, 9, 25)),
    ("Posted 2020-09-25 by the desk", "en", date(2020, 9, 25)),
    ("1 Farvardin 1399", "en", date(2020, 3, 20)),
    ("25 September 2020", None, date(2020, 9, 25)),
])
def test_absolute_dates(text, lang, expected):
    found = date_from_text(text, lang, now=NOW)
    assert found == datetime(expected.year, expected.month, expected.day, tzinfo=timezone.utc)


@pytest.mark.parametrize("text", [
    "Mohammad Javad Zarif said on Thursday September 25 the United States must pay.",
    "WASHINGTON, Feb 26 - The report was published.",
    "Thursday",
    "The company will offer notes due March 1, 1997 and debentures.",
    "for the fiscal year ended December 31, 1986, the company said",
    "Hitler's November 8, 1923, Beer Hall Putsch",
    "On Dec 31, 1986 company distributed its shares.",
    "25 September 1850",
    "25 September 2031",
    "2020-13-45",
    "30 Esfand 1400",
])
def test_no_date_without_a_year_outside_a_dateline_or_implausible(text):
    assert date_from_text(text, "en", now=NOW) is None


def test_only_the_opening_is_read_and_the_first_date_wins():
    text = "Tehran, 3 March 2021 - talks. " + "x " * 300 + "\n\n4 April 2022"
    assert date_from_text(text, "en", now=NOW).date() == date(2021, 3, 3)
    assert date_from_text("x " * 300 + "\n\n4 April 2022", "en", now=NOW) is None
    assert [d.date() for _, d in find_dates("\n\n4 April 2022\n\n5 May 2022", "en", NOW)] == [
        date(2022, 4, 4), date(2022, 5, 5)]


@pytest.mark.slow
@pytest.mark.parametrize("corpus, lang, ceiling", [("reuters-21578", "en", 20),
                                                    ("saudinewsnet", "ar", 40)])
def test_wire_copy_event_dates_are_not_taken_for_publication_dates(corpus, lang, ceiling):
    # Reuters datelines carry no year, so any date found is an event date: keep them rare.
    path = SHARED / "corpus" / f"{corpus}.jsonl.gz"
    if not path.exists():
        pytest.skip("../shared is absent: no real corpora")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        found = sum(date_from_text(json.loads(line)["text"] or "", lang) is not None
                    for line in handle)
    assert found <= ceiling
