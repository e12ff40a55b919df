"""Text analysis shared by indexing and query parsing, so both see the same words."""
from __future__ import annotations

from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.support.charset import accent_map


def text_analyzer() -> Analyzer:
    """Split on word characters, fold case and accents; keep stop words for exact phrases."""
    # One analyzer for every language for now; per-language fields can replace it later
    # without touching the callers, which only ask for "the text analyzer".
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
