"""The publisher's day on the shared saved pages: the project's HTML reader against trafilatura.

Reads every page of ../shared/html/expected.json that has an expected date through
corpus.html.read_html and compares the document's day (the publisher's local day,
corpus.document.local_day) with the expected day; plain trafilatura (bare_extraction with
its defaults, the day as it writes it) is the baseline, measured in the same run.
Prints right/wrong counts, the ratio, and each miss with the rule our date came from.

Usage: python benchmarks/html_dates.py [--pages DIR]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from corpus.document import Document, local_day  # noqa: E402
from corpus.html import _load_tree, decode_html, page_links, read_html  # noqa: E402
from corpus.page_dates import Page, page_date  # noqa: E402
from corpus.problems import ReadError  # noqa: E402

PAGES = ROOT.parent / "shared" / "html"
_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def expected_days(pages: Path) -> dict[str, str]:
    """Page path -> the expected day (YYYY-MM-DD) for every page that states one."""
    expected = json.loads((pages / "expected.json").read_text(encoding="utf-8"))
    return {path: str(want["date"])[:10] for path, want in expected.items()
            if _DAY.match(str(want.get("date") or ""))}


def our_day(data: bytes, path: str) -> str | None:
    """The day the project's reader gives the page, None without a date or a document."""
    try:
        docs = [doc for doc in read_html(data, path) if isinstance(doc, Document)]
    except ReadError:
        return None
    day = local_day(docs[0]) if docs else None
    return day.isoformat() if day else None


def our_rule(data: bytes, path: str) -> str:
    """Which rule of corpus.page_dates gave the date (trafilatura when none did)."""
    tree = _load_tree(decode_html(data))
    found = page_date(Page(tree, page_links(tree)))
    return found.rule if found else "trafilatura's guess"


def trafilatura_day(data: bytes) -> str | None:
    """Plain trafilatura's day for the page, as it writes it."""
    try:
        result = trafilatura.bare_extraction(decode_html(data), with_metadata=True)
    except Exception:  # the baseline's own failures count as no date
        return None
    date = getattr(result, "date", None) if result is not None else None
    return date[:10] if date else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    args = parser.parse_args()
    if not (args.pages / "expected.json").is_file():
        sys.exit(f"no expected.json in {args.pages}: the shared pages are needed")
    warnings.simplefilter("ignore")     # dateutil warns about time zone names it skips
    days = expected_days(args.pages)
    ours, plain, misses = 0, 0, []
    for path, want in days.items():
        data = (args.pages / path).read_bytes()
        got, base = our_day(data, path), trafilatura_day(data)
        ours, plain = ours + (got == want), plain + (base == want)
        if got != want:
            misses.append((path, want, got, our_rule(data, path), base))
    print(f"pages with an expected day: {len(days)}\n")
    print(f"{'reader':<22}{'right':>7}{'wrong':>7}{'share':>9}")
    for name, right in (("project (read_html)", ours), ("trafilatura (baseline)", plain)):
        print(f"{name:<22}{right:>7}{len(days) - right:>7}{right / len(days):>9.1%}")
    print(f"ratio project/baseline: {ours / plain:.3f}" if plain else "baseline: none right")
    print(f"\nmisses ({len(misses)}): file, expected, ours, our date's rule, trafilatura")
    for path, want, got, rule, base in misses:
        print(f"  {path}  {want}  {got}  [{rule}]  {base}")


if __name__ == "__main__":
    main()
