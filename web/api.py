"""The JSON API: the same parameters as the search page and the same JSON as the CLI."""
from __future__ import annotations

from babel import Locale
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer import pages
from indexer.output.export import FORMATS
from indexer.search.params import ParamError
from web import alerts_api
from web.context import monitor
from web.openapi import openapi_document
from web.streaming import stream

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_blueprint(alerts_api.bp)

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def search_params():
    """The request's search arguments, read and checked as the CLI reads them."""
    return monitor().params(request.args.to_dict(flat=False))


def not_found(message: str):
    """A 404 answer with its reason."""
    return jsonify(error=message), 404


@bp.get("/search")
def search():
    """The Search JSON of `manage.py search --json` for the same arguments."""
    return jsonify(monitor().search(search_params()))


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """A document with its text, its page or briefs, sibling briefs and near-duplicates."""
    page = pages.document_page(monitor(), doc_id)
    return jsonify(page) if page else not_found(f"no document with id {doc_id!r}")


@bp.get("/entities/<path:name>")
def entity(name: str):
    """An entity's page data under its canonical name (a variant answers the same)."""
    canonical = pages.canonical_entity(monitor(), name)
    page = pages.entity_page(monitor(), canonical) if canonical else None
    return jsonify(page) if page else not_found(f"no entity named {name!r}")


@bp.get("/countries/<code>")
def country(code: str):
    """A country's page data by ISO code or English name."""
    canonical = pages.canonical_country(code)
    if canonical is None:
        return not_found(f"no country {code!r}")
    page = pages.country_page(monitor(), canonical)
    return jsonify({**page, "name": Locale("en").territories.get(canonical, canonical)})


@bp.get("/export")
def export():
    """Every match, text included, streamed as JSON Lines or CSV (the rows of `manage.py export`)."""
    fmt = request.args.get("format", "jsonl")
    if fmt not in FORMATS:
        raise ParamError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")
    params, service = search_params(), monitor()
    body = stream(lambda handle: service.export(params, handle, fmt),
                  current_app.config["EXPORT_CHUNK_BYTES"], service.close)
    filename = f"media-monitor-export.{fmt}"
    return Response(body, content_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(openapi_document(url_for("search.index", _external=True).rstrip("/")))
