"""Entity pages (`/entities/<name>`): attention over time, co-mentions, variants, latest."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from indexer import pages
from web.context import monitor
from web.subjects import subject_parts

bp = Blueprint("entities", __name__, url_prefix="/entities")


@bp.get("/<path:name>")
def show(name: str):
    """Show a canonical entity; a variant name redirects to it, an unknown one is a 404."""
    canonical = pages.canonical_entity(monitor(), name)
    if canonical is None:
        abort(404)
    if canonical != name:
        return redirect(url_for(".show", name=canonical))
    page = pages.entity_page(monitor(), canonical)
    if page is None:
        abort(404)
    return render_template("entities/show.html", page=page, **subject_parts(page))
