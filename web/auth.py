"""Accounts in the web app: login and logout (a Flask session), the account page (profile,
API tokens), an admin's user list, and who is asking on every request: the session's user,
or for the JSON API the user of an `Authorization: Bearer` token.

Every form is checked by Flask-WTF's CSRF protection; the JSON API takes no cookie for its
alert routes, only a token, so a page on another site cannot act through a browser.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError, CSRFProtect

from indexer import accounts
from web.context import monitor
from web.i18n import safe_next

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
# The areas MEDIA_MONITOR_PUBLIC_SEARCH opens to anyone (default) or closes to visitors.
SEARCH_AREAS = {"search", "documents", "entities", "countries", "feeds", "api"}


def init_app(app: Flask) -> None:
    """CSRF on every form, the current user on every request, the login routes."""
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.before_request(load_user)
    app.before_request(guard_search)
    app.register_error_handler(CSRFError, csrf_refused)
    app.context_processor(lambda: {"current_user": g.get("user")})


def load_user() -> None:
    """Put the asking user (None for a visitor) on g; a disabled account is logged out."""
    g.user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        with monitor().store() as store:
            g.user = accounts.user_for_token(store, header[7:].strip())
        g.by_token = g.user is not None
        return
    if "user_id" in session:
        with monitor().store() as store:
            user = accounts.get_user(store, session["user_id"])
        if user is None or user.disabled:
            session.clear()
        else:
            g.user = user


def guard_search():
    """Ask visitors to log in first when searching is not public."""
    if current_app.config["PUBLIC_SEARCH"] or g.user is not None:
        return None
    if request.blueprints and request.blueprints[-1] in SEARCH_AREAS:
        return login_needed()
    return None


def login_needed():
    """401 for the API, else the login page that comes back here."""
    if request.path.startswith("/api/"):
        return jsonify(error=gettext("authentication required: send an API token as "
                                     "'Authorization: Bearer TOKEN'")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def login_required(view: Callable) -> Callable:
    """A view for logged-in users only."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return login_needed()
        return view(*args, **kwargs)
    return wrapped


def admin_required(view: Callable) -> Callable:
    """A view for admins only (404 for others: no page to find)."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not g.user.is_admin:
            abort(404)
        return view(*args, **kwargs)
    return wrapped


def csrf_refused(exc: CSRFError):
    """A form without a valid CSRF token changes nothing."""
    if request.path.startswith("/api/"):
        return jsonify(error=exc.description), 400
    return render_template("errors/error.html", status=400,
                           title=gettext("This form has expired"),
                           message=gettext("Reload the page and send the form again.")), 400


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, back to the page that asked for it."""
    target = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        with monitor().store() as store:
            user = accounts.authenticate(store, request.form.get("username", ""),
                                         request.form.get("password", ""))
        if user is not None:
            session.clear()          # a new session: nothing carried over from before login
            session["user_id"] = user.id
            return redirect(target)
        error = gettext("Wrong user name or password.")
    return render_template("auth/login.html", next=target, error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    """Forget the session."""
    session.clear()
    return redirect(url_for("search.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The user's email, time zone and digest hour, and their API tokens."""
    error = None
    if request.method == "POST":
        try:
            with monitor().store() as store:
                accounts.update_profile(store, g.user.id, request.form.get("email"),
                                        request.form.get("timezone", "UTC"),
                                        int(request.form.get("digest_hour", "8")),
                                        int(request.form.get("digest_weekday", "0")))
            flash(gettext("Saved."))
            return redirect(url_for("auth.account"))
        except (accounts.AccountError, ValueError) as exc:
            error = str(exc)
    with monitor().store() as store:
        tokens = accounts.list_tokens(store, g.user.id)
    weekdays = [get_locale().days["format"]["wide"][day] for day in range(7)]
    return render_template("auth/account.html", tokens=tokens, error=error, weekdays=weekdays,
                           new_token=session.pop("new_token", None)), 400 if error else 200


@bp.post("/account/tokens")
@login_required
def new_token():
    """Make an API token; it is shown once, on the next page."""
    with monitor().store() as store:
        session["new_token"] = accounts.new_token(store, g.user.id, request.form.get("label", ""))
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens (another user's is not found)."""
    with monitor().store() as store:
        if not accounts.revoke_token(store, g.user.id, token_id):
            abort(404)
    return redirect(url_for("auth.account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_required
def users():
    """An admin's list of users, and the form that adds one."""
    error = None
    if request.method == "POST":
        try:
            with monitor().store() as store:
                accounts.add_user(store, request.form.get("username", ""),
                                  request.form.get("password", ""), request.form.get("email"),
                                  request.form.get("is_admin") == "on")
            return redirect(url_for("auth.users"))
        except accounts.AccountError as exc:
            error = str(exc)
    with monitor().store() as store:
        people = accounts.list_users(store)
    return render_template("auth/users.html", users=people, error=error), 400 if error else 200


@bp.post("/admin/users/<username>/disable")
@admin_required
def disable(username: str):
    """Disable a user, or enable them again (enable=1)."""
    try:
        with monitor().store() as store:
            accounts.set_disabled(store, username, request.form.get("enable") != "1")
    except accounts.AccountError:
        abort(404)
    return redirect(url_for("auth.users"))

