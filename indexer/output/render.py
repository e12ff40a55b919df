"""Plain-text views of search results for the command line."""
from __future__ import annotations

import html
import re
import textwrap

_MARK = re.compile(r"<mark>(.*?)</mark>")
TOP_FACET_VALUES = 5
SORT_WORDS = {"relevance": "most relevant first", "newest": "newest first",
              "oldest": "oldest first"}


def plain_snippet(snippet: str) -> str:
    """Turn an HTML snippet into text, matched words in [brackets]."""
    return html.unescape(_MARK.sub(r"[\1]", snippet))


def render_result(number: int, result: dict) -> str:
    """Number, title, a line of source, date, kind and id, then the wrapped snippet."""
    date = (result.get("published") or "")[:10]
    if result.get("date_source") == "ingested":
        date = f"undated (ingested {date})"
    details = " | ".join(part for part in (result.get("source"), date, result.get("kind"),
                                           result.get("id")) if part)
    title = result.get("title") or "(no title)"
    snippet = textwrap.fill(plain_snippet(result.get("snippet", "")), width=88,
                            initial_indent="   ", subsequent_indent="   ")
    return f"{number}. {title}\n   {details}\n{snippet}"


def render_facets(facets: dict) -> list[str]:
    """One line per facet with its top values and counts."""
    lines = []
    for name, facet in facets.items():
        if not facet["values"]:
            continue
        shown = ", ".join(f"{v['value']} ({v['count']})" for v in facet["values"][:TOP_FACET_VALUES])
        more = len(facet["values"]) - TOP_FACET_VALUES + facet["more"]
        lines.append(f"  {name}: {shown}" + (f", {more} more" if more > 0 else ""))
    return lines


def render_histogram(histogram: dict) -> str:
    """Summarise the date histogram in one line."""
    buckets = histogram["buckets"]
    if not buckets:
        return f"  dates: none ({histogram['undated']} undated)"
    busiest = max(buckets, key=lambda b: b["count"])
    return (f"  dates: {buckets[0]['bucket']} to {buckets[-1]['bucket']} by "
            f"{histogram['interval']}, busiest {busiest['bucket']} ({busiest['count']}); "
            f"{histogram['undated']} undated")


def render_search(data: dict, sort: str) -> str:
    """The whole text view: a header line, the results, then facets and dates."""
    pages = max(1, -(-data["groups"] // data["per_page"]))
    query = f" for {data['query']!r}" if data["query"] else ""
    lines = [f"{data['total']} documents{query}; page {data['page']} of {pages}, "
             f"{SORT_WORDS.get(sort, sort)}", ""]
    first = (data["page"] - 1) * data["per_page"] + 1
    for offset, result in enumerate(data["results"]):
        lines += [render_result(first + offset, result), ""]
    if not data["results"] and data["total"]:
        lines += ["(no results on this page)", ""]
    if data["total"]:
        lines += ["Facets:"] + render_facets(data["facets"]) + [render_histogram(data["histogram"])]
    return "\n".join(lines)
