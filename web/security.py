"""Headers every answer carries, and the one check that lets a snippet's <mark> through."""
from __future__ import annotations

import re

from flask import Flask, Response
from markupsafe import Markup, escape

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# What an escaped snippet may hold: text without < or >, entities, and bare <mark> tags.
_MARK = re.compile(r"</?mark>")
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|#x27|#39);)")


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""
    app.after_request(add_headers)
    app.add_template_filter(snippet_markup, "snippet")


def add_headers(response: Response) -> Response:
    """Set CSP, nosniff, the referrer policy and framing refusal."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def snippet_markup(snippet: str) -> Markup:
    """A result's snippet as markup when it is escaped text with only <mark> added, else as text.

    The search core escapes the document text and adds <mark> around matched words;
    anything else that looks like a tag means the snippet did not come from there, so it
    is shown as text.
    """
    bare = _MARK.sub("", snippet)
    if "<" in bare or ">" in bare or _ENTITY.search(bare) or not balanced_marks(snippet):
        return escape(snippet)
    return Markup(snippet)


def balanced_marks(snippet: str) -> bool:
    """Whether every <mark> closes before the next opens."""
    depth = 0
    for tag in _MARK.findall(snippet):
        depth += 1 if tag == "<mark>" else -1
        if depth not in (0, 1):
            return False
    return depth == 0
