"""The document page (`/documents/<id>`): full text, metadata, its page or briefs, copies."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from indexer import pages
from web.context import monitor

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/<doc_id>")
def show(doc_id: str):
    """Show one stored document with its family and near-duplicates; 404 when unknown."""
    page = pages.document_page(monitor(), doc_id)
    if page is None:
        abort(404)
    return render_template("documents/show.html", **page,
                           paragraphs=paragraphs(page["document"]["text"]))


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by a blank line in every stored document)."""
    return [part for part in text.split("\n\n") if part.strip()]
