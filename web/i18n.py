"""The UI language: chosen by a switch kept in a cookie, else Accept-Language; Babel's
names for countries and languages, and dates and numbers in the locale's own digits."""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from urllib.parse import urlsplit

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_decimal
from flask import Blueprint, Flask, current_app, redirect, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext

bp = Blueprint("language", __name__)

# Each language named in itself, for the switch.
NATIVE_NAMES = {"en": "English", "fa": "فارسی", "ar": "العربية", "fr": "Français"}

FACET_TITLES = {"country": lazy_gettext("Country"), "entity": lazy_gettext("Entity"),
                "lang": lazy_gettext("Language"), "source": lazy_gettext("Source"),
                "kind": lazy_gettext("Kind")}
KIND_LABELS = {"article": lazy_gettext("Article"), "brief": lazy_gettext("Brief")}
DATE_SOURCE_LABELS = {"metadata": lazy_gettext("date from the source's metadata"),
                      "text": lazy_gettext("date found in the text"),
                      "ingested": lazy_gettext("no date given: the time it was ingested")}
SORT_LABELS = {"relevance": lazy_gettext("Relevance"), "newest": lazy_gettext("Newest first"),
               "oldest": lazy_gettext("Oldest first")}
ENTITY_TYPES = {"person": lazy_gettext("Person"), "org": lazy_gettext("Organisation"),
                "other": lazy_gettext("Other")}


def init_app(app: Flask) -> None:
    """Install Babel, the template helpers and the language switch."""
    Babel(app, locale_selector=select_locale)
    app.register_blueprint(bp)
    app.context_processor(template_context)
    app.add_template_filter(number)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(country_name)
    app.add_template_filter(language_name)


def select_locale() -> str:
    """The language cookie when it names a UI language, else the best of Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/language/<code>")
def switch(code: str):
    """Keep the chosen language in a cookie and go back to the page it was chosen on."""
    target = safe_next(request.args.get("next"))
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(current_app.config["LANGUAGE_COOKIE"], code, samesite="Lax",
                            max_age=current_app.config["LANGUAGE_COOKIE_DAYS"] * 86400)
    return response


def safe_next(target: str | None) -> str:
    """A path on this site to go back to; anything else (another host) goes home."""
    target = (target or "").replace("\\", "/")     # browsers read /\host as //host
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def is_rtl() -> bool:
    """Whether the UI language is written right to left."""
    return get_locale().character_order == "right-to-left"


def template_context() -> dict:
    """What every template may use: the locale, its direction, the language switch."""
    rtl = is_rtl()
    return {"locale": str(get_locale()), "rtl": rtl, "native_names": NATIVE_NAMES,
            "languages": current_app.config["LANGUAGES"],
            "facet_titles": FACET_TITLES, "kind_labels": KIND_LABELS,
            "entity_types": ENTITY_TYPES, "sort_labels": SORT_LABELS,
            "date_source_labels": DATE_SOURCE_LABELS,
            "arrow_back": "→" if rtl else "←", "arrow_forward": "←" if rtl else "→"}


# The digits of the numbering systems CLDR makes a UI language's default (Babel formats
# symbols by numbering system but leaves the digits ASCII).
DIGITS = {"arabext": "۰۱۲۳۴۵۶۷۸۹", "arab": "٠١٢٣٤٥٦٧٨٩"}


@lru_cache(maxsize=16)
def _digits(locale: str) -> dict:
    """A table from ASCII digits to the locale's own (۰–۹ in Persian), empty for Latin."""
    native = DIGITS.get(Locale.parse(locale).default_numbering_system)
    return str.maketrans("0123456789", native) if native else {}


def native_digits(text: str) -> str:
    """Write the digits of text in the UI locale's own digits."""
    return text.translate(_digits(str(get_locale())))


def number(value: int) -> str:
    """A count in the UI locale: its grouping and its digits."""
    return native_digits(format_decimal(value, locale=get_locale(), numbering_system="default"))


def parse_moment(value: str | None) -> datetime | None:
    """Read a document's YYYY-MM-DDTHH:MM:SSZ time."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def day(value: str | date | None, form: str = "medium") -> str:
    """A document's day (its UTC day) or a date in the UI locale."""
    if isinstance(value, str):
        value = parse_moment(value)
    if value is None:
        return ""
    return native_digits(format_date(value, form, locale=get_locale()))


def moment(value: str | None) -> str:
    """A document's time in full, in UTC, in the UI locale."""
    when = parse_moment(value)
    if when is None:
        return ""
    text = format_datetime(when, "medium", tzinfo=timezone.utc, locale=get_locale())
    return native_digits(f"{text} UTC")


def bucket_label(label: str, interval: str | None) -> str:
    """A histogram bucket (YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY) said in the UI locale."""
    if interval == "day":
        return day(date.fromisoformat(label))
    if interval == "week":
        year, week = label.split("-W")
        return gettext("week %(week)s, %(year)s", week=native_digits(str(int(week))),
                       year=native_digits(year))
    if interval == "month":
        year, month = label.split("-")
        return native_digits(format_skeleton("yMMM", date(int(year), int(month), 1),
                                             locale=get_locale()))
    return native_digits(label)


def country_name(code: str) -> str:
    """A country's name in the UI language (its code when Babel has none)."""
    return get_locale().territories.get(code, code)


def language_name(code: str | None) -> str:
    """A language's name in the UI language (its code when Babel has none)."""
    if not code:
        return ""
    return get_locale().languages.get(code, code)
