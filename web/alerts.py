"""Alerts in the web app: the list with unread counts and health, "Save as alert" from any
search, edit, pause, resume, delete, the inbox of one alert (mark read, one or all), and
its Atom feed at a secret, revocable address.

A saved search of another user answers 404, exactly as one that does not exist.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext

from indexer.alerts.saved import FREQUENCIES, AlertError, AlertNotFound
from indexer.search.params import ParamError, SearchParams
from indexer.search.query_language import QueryError
from web.atom import build_feed
from web.auth import login_required
from web.context import monitor
from web.links import search_url

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
bp.app_context_processor(lambda: {"channel_names": channel_names()} if g.get("user") else {})
SEARCH_FIELDS = ("q", "country", "entity", "lang", "source", "kind", "exclude_country",
                 "exclude_entity", "exclude_lang", "exclude_source", "exclude_kind", "from", "to",
                 "sort")


def owned(alert_id: int):
    """The user's alert, else 404."""
    try:
        return monitor().alerts.get(g.user, alert_id)
    except AlertNotFound:
        abort(404)


def search_args(source) -> dict[str, list[str]]:
    """The search arguments a form or URL carries (the names from_args reads)."""
    return {name: source.getlist(name) for name in SEARCH_FIELDS if source.getlist(name)}


def form_choices() -> dict:
    """What the alert form offers."""
    return {"frequencies": FREQUENCIES}


def channel_names() -> dict:
    """The sending channels, in the UI language."""
    return {"email": gettext("Email"), "webhook": gettext("Webhook")}


@bp.get("/")
@login_required
def index():
    """The user's alerts: unread counts, last run, broken searches, failing channels."""
    return render_template("alerts/index.html", alerts=monitor().alerts.list(g.user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The form that saves the search in its arguments as an alert."""
    source = request.form if request.method == "POST" else request.args
    args = search_args(source)
    try:
        params = monitor().params(args)
    except (ParamError, QueryError) as exc:
        return render_template("errors/error.html", status=400,
                               title=gettext("This search cannot be run"), core_message=str(exc)), 400
    error = None
    if request.method == "POST":
        try:
            alert = monitor().alerts.create(
                g.user, request.form.get("name", ""), args, request.form.get("frequency", "instant"),
                request.form.get("email") == "on", request.form.get("webhook_url"))
            return redirect(url_for("alerts.show", alert_id=alert.id))
        except AlertError as exc:
            error = str(exc)
    return render_template("alerts/form.html", alert=None, params=params, error=error,
                           default_name=params.query or "",
                           **form_choices()), 400 if error else 200


@bp.route("/<int:alert_id>/edit", methods=["GET", "POST"])
@login_required
def edit(alert_id: int):
    """Change an alert's name, frequency, channels or search."""
    alert = owned(alert_id)
    error = None
    if request.method == "POST":
        args = search_args(request.form)
        try:
            monitor().alerts.update(g.user, alert_id, name=request.form.get("name", ""),
                                    args=args, frequency=request.form.get("frequency", ""),
                                    email=request.form.get("email") == "on",
                                    webhook_url=request.form.get("webhook_url"))
            return redirect(url_for("alerts.show", alert_id=alert_id))
        except (AlertError, ParamError, QueryError) as exc:
            error = str(exc)
    return render_template("alerts/form.html", alert=alert, params=alert.params, error=error,
                           default_name=alert.name, **form_choices()), 400 if error else 200


@bp.get("/<int:alert_id>")
@login_required
def show(alert_id: int):
    """The alert's inbox: its hits with the words that fired them, newest first."""
    alert = owned(alert_id)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = current_app.config["ALERT_HITS_PER_PAGE"]
    hits = monitor().alerts.hits(g.user, alert_id, page)
    feed = (url_for("alerts.feed", token=alert.feed_token, _external=True)
            if alert.feed_token else None)
    return render_template("alerts/show.html", alert=alert, hits=hits, page=page, feed_url=feed,
                           more=len(hits) >= per_page, search_link=saved_search_url(alert))


def saved_search_url(alert) -> str | None:
    """The search page of the alert's search (None when it no longer reads)."""
    try:
        return search_url(SearchParams.from_args(alert.args))
    except ParamError:
        return None


def action(name: str, method: str):
    """A POST route applying one Alerts method, then back to the alert (or the list)."""
    def view(alert_id: int):
        owned(alert_id)
        getattr(monitor().alerts, method)(g.user, alert_id)
        if method == "delete":
            return redirect(url_for("alerts.index"))
        return redirect(request.form.get("back") or url_for("alerts.show", alert_id=alert_id))
    view.__name__ = name
    view.__doc__ = f"{name.replace('_', ' ').capitalize()} an alert."
    bp.post(f"/<int:alert_id>/{name.replace('_', '-')}")(login_required(view))


for _name, _method in (("pause", "pause"), ("resume", "resume"), ("delete", "delete"),
                       ("new_feed", "new_feed_url"), ("revoke_feed", "revoke_feed"),
                       ("new_secret", "new_webhook_secret"), ("read_all", "mark_read")):
    action(_name, _method)


@bp.post("/<int:alert_id>/hits/<int:hit_id>/read")
@login_required
def read_hit(alert_id: int, hit_id: int):
    """Mark one hit read."""
    owned(alert_id)
    monitor().alerts.mark_read(g.user, alert_id, hit_id)
    return redirect(url_for("alerts.show", alert_id=alert_id))


@bp.get("/feeds/<token>.atom")
def feed(token: str):
    """The alert's hits as Atom, for whoever holds the secret address; 404 once revoked."""
    found = monitor().alerts.feed(token, current_app.config["FEED_ENTRIES"])
    if found is None:
        abort(404)
    alert, hits = found
    entries = [{**hit.document, "snippet": hit.snippet} for hit in hits]
    xml = build_feed(entries, gettext("Media Monitor alert: %(name)s", name=alert.name),
                     url_for("alerts.feed", token=token, _external=True),
                     url_for("alerts.show", alert_id=alert.id, _external=True),
                     lambda doc_id: url_for("documents.show", doc_id=doc_id, _external=True),
                     datetime.now(timezone.utc))
    return Response(xml, mimetype="application/atom+xml")
