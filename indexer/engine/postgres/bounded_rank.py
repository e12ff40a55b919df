"""Relevance's first page without ranking every match's text: the same ids, in the same
order, as `ORDER BY score DESC, newest` over all matches, where score is
`2 * ts_rank(title_words, q, 1) + 1 * ts_rank(text_words, q, 1)` (search.score).

Ranking a match's text unpacks its words (compressed out of line: the cost of relevance
for a frequent word), its title does not. So every match gets its title score `t` and an
upper bound `ub` of its text score that needs no words: with the weights left at their
default (our positions carry none, so each weighs 0.1), ts_rank's OR ranking gives each
query word found at most 0.1 and divides the sum by the number of query words, and
normalisation 1 divides that by log2(1 + positions in the text) (the stored
text_positions). So score <= t + ub with ub = 0.1 / log2(1 + text_positions).

A probe ranks exactly the PROBE matches of highest t + ub that can never be hidden as a
near-duplicate (not copy candidates); the count-th best exact score among them, `floor`,
is met by count matches that will be shown, and a match with t + ub < floor scores below
all of them, so only matches with t + ub >= floor (the pool) are ranked exactly. The pool
is ranked by the same expression as the full ranking, so ties break alike; the caller
drops the hidden ones (at most the pool's copy candidates, so count plus those come back).

This runs inside the summary statement (search.py), over the matches it has already read
(`m`): the bound columns are two more of its columns, the ranking a few more of its CTEs,
and its '=rank' rows give the pool's ids with their place. Reading the matches a second
time for the page cost the mid-frequency searches of a 500k build a fifth of their p95
(264 -> 215 ms), the same pages and counts.

The bound holds only for ts_rank's OR ranking without prefixes: a query whose text
ranking is one phrase or an AND (ts_rank's AND ranking) or holds a prefix (`:*`, one
query word finding several) is ranked in full (text_bound_holds says which).
"""
from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

PROBE = 50          # matches ranked exactly to find the floor (at least the page's count)
# Above 0.1 by a margin: ts_rank computes in single precision, the bound in double.
TEXT_WORD_MAX = 0.1 * (1 + 1e-5)

# The matches' columns (of `m`, read from search_entries e): title score, text bound.
_BOUND_COLUMNS = """{title} AS t,
           CASE WHEN e.text_positions > 0
                THEN {word_max} * ln(2.0::float8) / ln(e.text_positions + 1.0::float8)
                ELSE 0 END AS ub"""
# Each step is its own CTE so that only the rows it names are joined back to their words.
_RANKING_STEPS = """,
probed AS MATERIALIZED (
    SELECT top.t + {text} AS score
    FROM (SELECT doc_id, t FROM m WHERE NOT m.copy_candidate
          ORDER BY t + ub DESC LIMIT {probe}) AS top
    JOIN search_entries e USING (doc_id)),
floor AS MATERIALIZED (
    SELECT CASE WHEN count(*) >= {count} THEN min(best.score) ELSE 0 END AS low
    FROM (SELECT score FROM probed ORDER BY score DESC LIMIT {count}) AS best),
pool AS MATERIALIZED (
    SELECT doc_id, day, ts, t, copy_candidate FROM m WHERE t + ub >= (SELECT low FROM floor)),
ranked AS (
    SELECT pool.doc_id, row_number() OVER (
               ORDER BY pool.t + {text} DESC, (pool.day = 0), pool.ts DESC, pool.doc_id) AS place
    FROM pool JOIN search_entries e USING (doc_id))"""
# The pool's first count + (its copy candidates) ids, with their place (kind '=rank').
_RANKED_ROWS = """
UNION ALL
SELECT '=rank', r.doc_id, NULL, r.place, NULL, NULL, NULL FROM ranked r
WHERE r.place <= {count} + (SELECT count(*) FROM pool WHERE pool.copy_candidate)"""


@dataclass(frozen=True)
class Ranking:
    """A first page's ranking to run inside the summary: the score's title and text parts
    (`2 * ts_rank(...)` or 0, and `ts_rank(...)`) and how many matches the page needs."""

    title: sql.Composable
    text: sql.Composable
    count: int

    def columns(self) -> sql.Composable:
        return sql.SQL(_BOUND_COLUMNS).format(title=self.title,
                                              word_max=sql.SQL(repr(TEXT_WORD_MAX)))

    def steps(self) -> sql.Composable:
        return sql.SQL(_RANKING_STEPS).format(text=self.text, count=sql.Literal(self.count),
                                              probe=sql.Literal(max(PROBE, self.count)))

    def rows(self) -> sql.Composable:
        return sql.SQL(_RANKED_ROWS).format(count=sql.Literal(self.count))


def text_bound_holds(parts: list[str]) -> bool:
    """Whether ts_rank ranks the OR of these tsquery parts with its OR ranking, each query
    word finding at most one word of a document (no prefix)."""
    if not parts or any(":*" in part for part in parts):
        return False
    if len(parts) > 1:
        return True                    # joined by | : OR at the top
    operators, lexemes = top_level(parts[0])
    if "|" in operators:
        return True
    return not operators and lexemes == 1 and "(" not in parts[0]


def top_level(query: str) -> tuple[set[str], int]:
    """The operators outside parentheses and quotes of a tsquery's text, and its number of
    quoted lexemes."""
    operators: set[str] = set()
    depth = lexemes = 0
    position, quoted = 0, False
    while position < len(query):
        char = query[position]
        if quoted:
            if char == "\\":
                position += 1
            elif char == "'" and query[position + 1:position + 2] == "'":
                position += 1
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted, lexemes = True, lexemes + 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char in "|&<!":
            operators.add(char)
        position += 1
    return operators, lexemes
