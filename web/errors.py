"""Error answers: 400 for bad parameters or queries, 404, 500, and 503 for faults of the
machine (a full disk, a damaged index) said in one line with the way out. The API answers
JSON {"error": ...}; the pages answer in the UI language."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from indexer.engine import IndexDamaged
from indexer.faults import database_fault_types, describe
from indexer.search.params import ParamError
from indexer.search.query_language import QueryError


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(ParamError, bad_request)
    app.register_error_handler(QueryError, bad_request)
    app.register_error_handler(HTTPException, http_error)
    for fault in (OSError, sqlite3.DatabaseError, IndexDamaged):
        app.register_error_handler(fault, machine_fault)
    # A PostgreSQL server out of reach (or a dropped connection): 503, not a traceback.
    for fault in database_fault_types():
        app.register_error_handler(fault, machine_fault)



def wants_json() -> bool:
    """Whether the request was made to the JSON API."""
    return request.path.startswith("/api/")


def bad_request(exc: Exception):
    """400 with the core's own message, as the CLI prints it."""
    if wants_json():
        return jsonify(error=str(exc)), 400
    return render_template("errors/error.html", status=400, title=gettext("This search cannot be run"),
                           core_message=str(exc)), 400


def http_error(exc: HTTPException):
    """404, 405 and other HTTP errors as a page in the UI language, or as JSON."""
    if exc.code == 500:
        return machine_fault(getattr(exc, "original_exception", None) or exc)
    if wants_json():
        return jsonify(error=exc.description if exc.code != 404 else gettext("not found")), exc.code
    titles = {404: gettext("Page not found"), 405: gettext("Method not allowed")}
    message = gettext("There is nothing at this address. Try a search instead.") if exc.code == 404 else ""
    return render_template("errors/error.html", status=exc.code,
                           title=titles.get(exc.code, gettext("Something went wrong")),
                           message=message), exc.code


def machine_fault(exc: Exception):
    """503 naming the fault and its way out, else 500 (and the traceback in the log)."""
    message = describe(exc, Path(current_app.instance_path))
    current_app.logger.exception("request failed: %s", message or exc)
    status = 503 if message else 500
    if wants_json():
        return jsonify(error=message or gettext("internal error")), status
    title = gettext("The service cannot answer") if message else gettext("Something went wrong")
    detail = None if message else gettext("An unexpected error occurred; it was logged.")
    return render_template("errors/error.html", status=status, title=title, core_message=message,
                           message=detail), status
