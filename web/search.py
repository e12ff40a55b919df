"""The search page (`/`): query box, facets, histogram, results, chips, sort and paging."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from indexer.search.params import ParamError
from indexer.search.query_language import QueryError
from web import search_page
from web.context import monitor
from web.links import search_url, unpaged

bp = Blueprint("search", __name__)


@bp.get("/")
def index():
    """Run the search the URL holds and show it; a bad query or filter answers 400 beside the box."""
    args = request.args.to_dict(flat=False)
    try:
        params = monitor().params(args)
        data = monitor().search(params)
    except (ParamError, QueryError) as exc:
        # A bad query keeps the filters for the corrected one; a bad filter is dropped.
        kept = [] if isinstance(exc, ParamError) else [
            (name, value) for name, value in request.args.items(multi=True) if name not in ("q", "page")]
        return render_template("search/index.html", error=str(exc), raw_query=request.args.get("q", ""),
                               params=None, data=None, hidden_args=kept), 400
    return render_template("search/index.html", error=None, raw_query=params.query,
                           params=params, data=data, **page_parts(params, data))


def page_parts(params, data) -> dict:
    """Everything the template draws besides the results themselves."""
    plain = unpaged(params)
    return {
        "facets": search_page.facets(params, data),
        "chips": search_page.chips(params),
        "bars": search_page.bars(params, data["histogram"]),
        "sorts": search_page.sort_choices(params),
        "pager": search_page.pager(params, data),
        "hidden_args": [(name, value) for name, values in params.to_args().items()
                        if name not in ("q", "page") for value in values],
        "shown_values": current_app.config["FACET_VALUES_SHOWN"],
        "empty_instance": not data["total"] and is_bare(params) and not monitor().stats()["documents"],
        "links": {"csv": search_url(plain, "api.export", format="csv"),
                  "jsonl": search_url(plain, "api.export", format="jsonl"),
                  "atom": search_url(plain, "feeds.search_atom"),
                  "api": search_url(params, "api.search"),
                  "save_alert": search_url(plain, "alerts.new")},
        "histogram": {"width": search_page.HISTOGRAM_WIDTH, "height": search_page.HISTOGRAM_HEIGHT},
    }


def is_bare(params) -> bool:
    """Whether a search asks for everything (no query, no filter, no dates)."""
    return not (params.query or params.include or params.exclude or params.date_from or params.date_to)
