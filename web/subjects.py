"""What the entity and country pages share: the subject's search, bars and link."""
from __future__ import annotations

from flask import current_app

from indexer.search.params import SearchParams
from web import search_page
from web.links import search_url


def subject_parts(page: dict) -> dict:
    """The histogram bars (narrowing the subject's search) and the link to that search."""
    subject = SearchParams.from_args(page["search"])
    return {"bars": search_page.bars(subject, page["histogram"]),
            "histogram": {"width": search_page.HISTOGRAM_WIDTH,
                          "height": search_page.HISTOGRAM_HEIGHT},
            "search_link": search_url(subject),
            "feed_link": search_url(subject, "feeds.search_atom"),
            "shown_values": current_app.config["FACET_VALUES_SHOWN"]}
