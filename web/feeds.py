"""Atom feeds of any search (`/search.atom?...`): its newest matches."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext

from web.atom import build_feed
from web.context import monitor
from web.links import search_url, unpaged

bp = Blueprint("feeds", __name__)


@bp.get("/search.atom")
def search_atom():
    """The newest matches of the search in the URL, as Atom; 400 for a bad search."""
    params = unpaged(monitor().params(request.args.to_dict(flat=False)))
    newest = replace(params, sort="newest", limit=current_app.config["FEED_ENTRIES"], facet_limit=0)
    data = monitor().search(newest)
    xml = build_feed(data["results"], feed_title(params.query),
                     search_url(params, "feeds.search_atom", _external=True),
                     search_url(params, _external=True),
                     lambda doc_id: url_for("documents.show", doc_id=doc_id, _external=True),
                     datetime.now(timezone.utc))
    return Response(xml, mimetype="application/atom+xml")


def feed_title(query: str) -> str:
    """The feed's title: the query, or every document."""
    if query:
        return gettext("Media Monitor: %(query)s", query=query)
    return gettext("Media Monitor: all documents")
