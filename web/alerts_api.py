"""The JSON API of alerts (`/api/alerts`), for API tokens only: a browser's session cookie
is not accepted here, so no other site can act through a logged-in browser (and no CSRF
token is needed). Another user's alert is 404, as one that does not exist."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for
from flask_babel import gettext

from indexer.alerts.saved import AlertError, AlertNotFound
from indexer.search.params import ParamError
from indexer.search.query_language import QueryError
from web.auth import csrf
from web.context import monitor

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
csrf.exempt(bp)


def token_required(view):
    """Answer 401 unless the request carries a valid API token of an enabled user."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None or not g.get("by_token"):
            return jsonify(error=gettext("authentication required: send an API token as "
                                         "'Authorization: Bearer TOKEN'")), 401
        try:
            if "alert_id" in kwargs:
                kwargs["alert_id"] = alert_number(kwargs["alert_id"])
            return view(*args, **kwargs)
        except AlertNotFound:
            return jsonify(error=gettext("not found")), 404
        except (AlertError, ParamError, QueryError) as exc:
            return jsonify(error=str(exc)), 400
    return wrapped


def alert_number(text: str) -> int:
    """An alert id from the path (plain digits); AlertNotFound for anything else."""
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        raise AlertNotFound(text)
    return int(text)


def alert_json(alert) -> dict:
    """An alert as the API shows it, with its feed address while it has one."""
    data = alert.to_json()
    data["feed_url"] = (url_for("alerts.feed", token=alert.feed_token, _external=True)
                        if alert.feed_token else None)
    return data


def body() -> dict:
    """The request's JSON object; AlertError when it is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise AlertError("send a JSON object")
    return data


def search_of(data: dict) -> dict:
    """The saved search's arguments: an object of name -> string or list of strings."""
    search = data.get("search", {})
    if not isinstance(search, dict) or not all(
            isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
            for v in search.values()):
        raise AlertError("search must be an object of argument names to strings or lists of strings")
    return search


def flag(data: dict, name: str) -> bool | None:
    """A boolean field, None when absent."""
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise AlertError(f"{name} must be true or false")
    return value


def text(data: dict, name: str) -> str | None:
    """A string field, None when absent."""
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise AlertError(f"{name} must be a string")
    return value


@bp.get("")
@token_required
def index():
    """The user's alerts."""
    return jsonify(alerts=[alert_json(a) for a in monitor().alerts.list(g.user)])


@bp.post("")
@token_required
def create():
    """Save a search as an alert: {name, search: {q, country, ...}, frequency, email, webhook_url}."""
    data = body()
    alert = monitor().alerts.create(g.user, text(data, "name") or "", search_of(data),
                                    text(data, "frequency") or "instant",
                                    bool(flag(data, "email")), text(data, "webhook_url"))
    return jsonify(alert_json(alert)), 201


@bp.get("/<alert_id>")
@token_required
def show(alert_id):
    """One alert."""
    return jsonify(alert_json(monitor().alerts.get(g.user, alert_id)))


@bp.patch("/<alert_id>")
@token_required
def update(alert_id):
    """Change what the JSON object gives: name, search, frequency, email, webhook_url, paused."""
    data = body()
    alerts = monitor().alerts
    alert = alerts.update(g.user, alert_id, name=text(data, "name"),
                          args=search_of(data) if "search" in data else None,
                          frequency=text(data, "frequency"), email=flag(data, "email"),
                          webhook_url=text(data, "webhook_url") if "webhook_url" in data else ...)
    paused = flag(data, "paused")
    if paused is not None:
        alert = alerts.pause(g.user, alert_id) if paused else alerts.resume(g.user, alert_id)
    return jsonify(alert_json(alert))


@bp.delete("/<alert_id>")
@token_required
def delete(alert_id):
    """Delete an alert with its hits."""
    monitor().alerts.delete(g.user, alert_id)
    return "", 204


@bp.get("/<alert_id>/hits")
@token_required
def hits(alert_id):
    """A page of the alert's hits, newest first: the document, the words, the snippet."""
    page = request.args.get("page", 1, type=int)
    if page is None or page < 1:
        raise AlertError("page must be 1 or more")
    found = monitor().alerts.hits(g.user, alert_id, page, request.args.get("unread") == "1")
    return jsonify(hits=[hit.to_json(url_for("documents.show", doc_id=hit.document["id"],
                                             _external=True)) for hit in found], page=page)


@bp.post("/<alert_id>/read")
@token_required
def read(alert_id):
    """Mark every hit of the alert read."""
    return jsonify(marked=monitor().alerts.mark_read(g.user, alert_id))
