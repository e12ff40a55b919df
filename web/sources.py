"""The admin page of polled sources: every source with its health (last run and its counts,
the last failure and the next try), and the forms that add, pause, resume, remove and poll
one now.

Views stay thin: indexer.sources.service.Sources does the work, as for `manage.py sources`.
Fetch settings come from the app's SOURCE_FETCH_SETTINGS (tests allow loopback there),
else from MEDIA_MONITOR_SOURCES_* as on the command line.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Iterator

from babel.units import format_unit
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext

from indexer.sources.poller import RunReport
from indexer.sources.schedule import UNITS, parse_every
from indexer.sources.service import SourceError, Sources
from indexer.sources.settings import FetchSettings
from web.auth import login_required
from web.context import monitor
from web.i18n import native_digits, number

bp = Blueprint("sources", __name__, url_prefix="/admin/sources")
# A declared language: an ISO 639 code, as the ingester reads them.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
UNIT_NAMES = {"d": "duration-day", "h": "duration-hour", "m": "duration-minute",
              "s": "duration-second"}


def admin_only(view: Callable) -> Callable:
    """A view for admins: visitors are sent to log in, other users get 403."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not g.user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@contextmanager
def service() -> Iterator[Sources]:
    """The instance's sources for one request; its HTTP client closed after."""
    settings = current_app.config.get("SOURCE_FETCH_SETTINGS") or FetchSettings.from_env()
    sources = Sources(monitor(), settings)
    try:
        yield sources
    finally:
        sources.close()


def interval_words(every: str) -> str:
    """A source's interval (15m, 2h) said in the UI locale: 15 minutes, ۱۵ دقیقه."""
    seconds = parse_every(every)
    unit = next((unit for unit in ("d", "h", "m") if seconds % UNITS[unit] == 0), "s")
    words = format_unit(seconds // UNITS[unit], UNIT_NAMES[unit], length="long",
                        locale=get_locale())
    return native_digits(words)


bp.add_app_template_filter(interval_words, "interval")


def language_code(text: str | None) -> str | None:
    """The declared language of the form (None when blank); ValueError when not a code."""
    code = (text or "").strip().lower()
    if not code:
        return None
    if not LANGUAGE_CODE.match(code):
        raise ValueError(f"not a language code: {text!r} "
                         "(write a two- or three-letter code, like en or fa)")
    return code


def poll_message(run: RunReport) -> str:
    """What a poll did, for the flash line after "Poll now"."""
    if run.status == "failed":
        return gettext("%(name)s: the poll failed: %(reason)s", name=run.source,
                       reason=run.error or "")
    if run.status == "not_modified":
        return gettext("%(name)s: the feed has not changed since the last poll.", name=run.source)
    return gettext("%(name)s polled: %(fetched)s fetched, %(new)s new, %(updated)s updated, "
                   "%(unchanged)s unchanged, %(errors)s errors.", name=run.source,
                   fetched=number(run.fetched), new=number(run.new), updated=number(run.updated),
                   unchanged=number(run.unchanged), errors=number(run.errors))


@bp.route("/", methods=["GET", "POST"])
@admin_only
def index():
    """Every source with its health, and the form that adds one."""
    error = None
    form = request.form
    if request.method == "POST":
        try:
            with service() as sources:
                added = sources.add(form.get("url", ""), name=form.get("name") or None,
                                    every=form.get("every") or "15m",
                                    lang=language_code(form.get("lang")),
                                    fetch_articles=form.get("fetch_articles") == "on")
            flash(gettext("Added %(name)s.", name=added.name))
            return redirect(url_for("sources.index"))
        except (SourceError, ValueError) as exc:
            error = str(exc)
    with service() as sources:
        found = sources.list()
    return render_template("sources/index.html", sources=found, error=error,
                           form=form if error else {}), 400 if error else 200


def act_on_form_source(action: str) -> str:
    """Run one of the service's actions on the form's source; its name, or 404."""
    name = request.form.get("source", "")
    try:
        with service() as sources:
            getattr(sources, action)(name)
    except SourceError:
        abort(404)
    return name


@bp.post("/pause")
@admin_only
def pause():
    """Stop polling the form's source."""
    flash(gettext("Paused %(name)s.", name=act_on_form_source("pause")))
    return redirect(url_for("sources.index"))


@bp.post("/resume")
@admin_only
def resume():
    """Poll the form's source again, at once."""
    flash(gettext("Resumed %(name)s: it is polled at once.", name=act_on_form_source("resume")))
    return redirect(url_for("sources.index"))


@bp.post("/remove")
@admin_only
def remove():
    """Forget the form's source and its runs (its documents stay)."""
    flash(gettext("Removed %(name)s; the documents it brought stay.",
                  name=act_on_form_source("remove")))
    return redirect(url_for("sources.index"))


@bp.post("/poll")
@admin_only
def poll():
    """Poll the form's source now (due or not), then say what it did."""
    name = request.form.get("source", "")
    try:
        with service() as sources:
            runs = sources.poll(name)
    except SourceError:
        abort(404)
    for run in runs:
        flash(poll_message(run))
    return redirect(url_for("sources.index"))
