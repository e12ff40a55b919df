"""Country pages (`/countries/<code>`): attention over time, co-mentions, latest documents."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for

from indexer import pages
from web.context import monitor
from web.subjects import subject_parts

bp = Blueprint("countries", __name__, url_prefix="/countries")


@bp.get("/<code>")
def show(code: str):
    """Show a country by ISO code; a name or lower-case code redirects to the code's page."""
    canonical = pages.canonical_country(code)
    if canonical is None:
        abort(404)
    if canonical != code:
        return redirect(url_for(".show", code=canonical))
    page = pages.country_page(monitor(), canonical)
    return render_template("countries/show.html", page=page, **subject_parts(page))
