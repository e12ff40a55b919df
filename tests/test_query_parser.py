"""The query language's own parser: query text -> tree, the refusals, and the Whoosh
compiler of the tree (pure: no index, except one tiny in-memory one for the property)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as Q
from whoosh.filedb.filestore import RamStorage

from indexer.engine.whoosh.query import (
    OPEN_END,
    BoundedPrefix,
    BoundedWildcard,
    build_query,
    compile_tree,
    parse_text,
)
from indexer.engine.whoosh.schema import build_schema
from indexer.search.params import SearchParams
from indexer.search.query_language import QueryError, parse, search_tree
from indexer.search.query_tree import (
    And,
    DateRange,
    Facet,
    MatchAll,
    Not,
    Or,
    Phrase,
    Prefix,
    Wildcard,
    Word,
)

PARSED = [
    ("", MatchAll()),
    ("   ", MatchAll()),
    ("oil", Word("oil")),
    ("Oil", Word("Oil")),                                   # analysis is the engine's
    ("oil gas", And((Word("oil"), Word("gas")))),
    ("oil AND gas", And((Word("oil"), Word("gas")))),
    ("oil OR gas", Or((Word("oil"), Word("gas")))),
    ("oil and or not", And((Word("oil"), Word("and"), Word("or"), Word("not")))),
    # Grouping as Whoosh's parser gave it: AND binds tighter than OR, OR tighter than a
    # space, NOT tightest of all.
    ("a b OR c", And((Word("a"), Or((Word("b"), Word("c")))))),
    ("a OR b c", And((Or((Word("a"), Word("b"))), Word("c")))),
    ("a -b OR c", And((Word("a"), Or((Not(Word("b")), Word("c")))))),
    ("NOT a b", And((Not(Word("a")), Word("b")))),
    ("a AND b OR c", Or((And((Word("a"), Word("b"))), Word("c")))),
    ("a OR b AND c", Or((Word("a"), And((Word("b"), Word("c")))))),
    ("a OR b OR c d", And((Or((Word("a"), Word("b"), Word("c"))), Word("d")))),
    ("NOT a OR b", Or((Not(Word("a")), Word("b")))),
    ("a AND NOT b", And((Word("a"), Not(Word("b"))))),
    ("a OR NOT b", Or((Word("a"), Not(Word("b"))))),
    ("a NOT b NOT c", And((Word("a"), Not(Word("b")), Not(Word("c"))))),
    ("(a OR b) c", And((Or((Word("a"), Word("b"))), Word("c")))),
    ("((a))", Word("a")),
    ("(a b) (c d)", And((Word("a"), Word("b"), Word("c"), Word("d")))),
    ("NOT (a OR b) c", And((Not(Or((Word("a"), Word("b")))), Word("c")))),
    ("oil -(gas OR wheat)", And((Word("oil"), Not(Or((Word("gas"), Word("wheat"))))))),
    ("oil(gas)", And((Word("oil"), Word("gas")))),
    # Double negation is the item itself, written twice over.
    ("NOT NOT oil", Not(Not(Word("oil")))),
    ("oil NOT NOT gas", And((Word("oil"), Not(Not(Word("gas")))))),
    ("NOT -oil", Not(Not(Word("oil")))),
    # The leading minus: only where a word starts, and not before another minus.
    ("-gas oil", And((Not(Word("gas")), Word("oil")))),
    ("al-Assad", Word("al-Assad")),
    ("oil - gas", And((Word("oil"), Word("-"), Word("gas")))),
    ("--oil", Word("--oil")),
    ("oil-", Word("oil-")),
    ('-"oil price"', Not(Phrase(("oil", "price")))),
    ("-kind:brief", Not(Facet("kind", "brief"))),
    ("title:-oil", Word("-oil", "title")),
    # Phrases and proximity; a parenthesis or a field inside quotes is text.
    ('"oil price"', Phrase(("oil", "price"))),
    ('"oil  price"~5', Phrase(("oil", "price"), None, 5)),
    ('"oil"', Phrase(("oil",))),
    ('""', Phrase(())),
    ('"(" oil', And((Phrase(("(",)), Word("oil")))),
    ('"title:x AND y"', Phrase(("title:x", "AND", "y"))),
    ('a"b c"d', And((Word("a"), Phrase(("b", "c")), Word("d")))),
    # Wildcards: a single trailing * is a prefix, anything else a pattern.
    ("sanction*", Prefix("sanction")),
    ("s?nction*", Wildcard("s?nction*")),
    ("o*l", Wildcard("o*l")),
    ("oil**", Wildcard("oil**")),
    ("title:sanc*", Prefix("sanc", "title")),
    ("entity:bash*", Prefix("bash", "entity")),
    # Fields: title/text keep words; facets normalise their value as filters do.
    ("title:oil", Word("oil", "title")),
    ("text:oil gas", And((Word("oil", "text"), Word("gas")))),
    ('title:"oil price"~3', Phrase(("oil", "price"), "title", 3)),
    ("title:(oil OR gas)", Or((Word("oil", "title"), Word("gas", "title")))),
    ("title:(oil text:gas)", And((Word("oil", "title"), Word("gas", "text")))),
    ("title:date:2020", Word("date:2020", "title")),
    ("country:iran", Facet("country", "IR")),
    ('country:"United Kingdom"', Facet("country", "GB")),
    ("country:(Iran OR Syria)", Or((Facet("country", "IR"), Facet("country", "SY")))),
    ("country:(Iran -SY)", And((Facet("country", "IR"), Not(Facet("country", "SY"))))),
    ('source:"Alpha  News"', Facet("source", "Alpha News")),
    ("source:https://example.com", Facet("source", "https://example.com")),
    ('entity:"Bashar al-Assad"', Facet("entity", "Bashar al-Assad")),
    ("lang:EN", Facet("lang", "en")),
    ("kind:Brief", Facet("kind", "brief")),
    # Not fields: digits first, or a colon after a dot.
    ("10:30", Word("10:30")),
    ("U.S.: oil", And((Word("U.S.:"), Word("oil")))),
    # Dates, on the document's day; an end that is * or missing is open.
    ("date:2020-07", DateRange(date(2020, 7, 1), date(2020, 7, 31))),
    ("date:2020-07-10", DateRange(date(2020, 7, 10), date(2020, 7, 10))),
    ("date:>=2020-02", DateRange(date(2020, 2, 1), None)),
    ("date:>2020-02", DateRange(date(2020, 3, 1), None)),
    ("date:<=2019", DateRange(None, date(2019, 12, 31))),
    ("date:<2020-03-01", DateRange(None, date(2020, 2, 29))),
    ("date:[2020-01-01 TO 2020-07-31]", DateRange(date(2020, 1, 1), date(2020, 7, 31))),
    ("date:[2020 TO 2020-02]", DateRange(date(2020, 1, 1), date(2020, 2, 29))),
    ("date:[2020-02 TO *]", DateRange(date(2020, 2, 1), None)),
    ("date:[2020-02 TO]", DateRange(date(2020, 2, 1), None)),
    ("date:[TO 2019]", DateRange(None, date(2019, 12, 31))),
    ("date:[* TO *]", DateRange(None, None)),
    ("date:(2019 OR 2021)", Or((DateRange(date(2019, 1, 1), date(2019, 12, 31)),
                                DateRange(date(2021, 1, 1), date(2021, 12, 31))))),
    ("oil -date:2020", And((Word("oil"), Not(DateRange(date(2020, 1, 1),
                                                        date(2020, 12, 31)))))),
    # Persian/Arabic words are words; ZWNJ stays inside them.
    ("تحریم\u200cها ایران", And((Word("تحریم\u200cها"), Word("ایران")))),
    ("ایران؟", Word("ایران؟")),                 # the Arabic question mark is no wildcard
    ("x" * 1000, Word("x" * 1000)),
]


@pytest.mark.parametrize("text, tree", PARSED)
def test_query_text_parses_to_tree(text, tree):
    assert parse(text) == tree


FIELD_LIST = "title:, text:, source:, country:, entity:, lang:, kind:, date:"
DATE_FORMS = "date:YYYY[-MM[-DD]], date:>=YYYY-MM, or date:[YYYY-MM-DD TO YYYY-MM-DD]"

REFUSED = [
    ('"oil prices', 'unbalanced quote in query (a " without its closing ")'),
    ('oil "a" "b', 'unbalanced quote in query (a " without its closing ")'),
    ("(oil OR gas", "unbalanced parenthesis in query (a '(' without its ')')"),
    ("oil) OR (gas", "unbalanced parenthesis in query (a ')' without its '(')"),
    ("*", "leading wildcard '*' is not allowed; put at least one letter before * or ?"),
    ("*ran", "leading wildcard '*ran' is not allowed; put at least one letter before * or ?"),
    ("oil ?il", "leading wildcard '?il' is not allowed; put at least one letter before * or ?"),
    ("title:*ran", "leading wildcard '*ran' is not allowed; put at least one letter before * or ?"),
    ("-*ran", "leading wildcard '*ran' is not allowed; put at least one letter before * or ?"),
    ("*:*", "leading wildcard '*:*' is not allowed; put at least one letter before * or ?"),
    ("foo:bar", f"unknown field 'foo:' in query (use {FIELD_LIST})"),
    ("oil day:[20200101 TO 20200131]", f"unknown field 'day:' in query (use {FIELD_LIST})"),
    ("https://example.com/x", f"unknown field 'https:' in query (use {FIELD_LIST})"),
    ("ایرانfoo:bar", f"unknown field 'ایرانfoo:' in query (use {FIELD_LIST})"),
    ("e-mail:x", f"unknown field 'mail:' in query (use {FIELD_LIST})"),
    ("x-title:oil", "field 'title:' in the middle of 'x-title:oil'; a field starts a word "
                    "(as in title:word)"),
    ("title: oil", "nothing after 'title:' in query (write title:word, with no space after "
                   "the colon)"),
    ("oil country:", "nothing after 'country:' in query (write country:word, with no space "
                     "after the colon)"),
    ("x" * 1001, "query is 1001 characters long; the limit is 1000"),
    ("date:[2020 TO", f"malformed date range 'date:[2020 TO' (no closing ']'; use {DATE_FORMS})"),
    ("date:[2020 2021]", f"malformed date range 'date:[2020 2021]' (use {DATE_FORMS})"),
    ("date:[2020 2021 TO 2022]",
     f"malformed date range 'date:[2020 2021 TO 2022]' (use {DATE_FORMS})"),
    ("date:{2020 TO 2021}", f"malformed date range 'date:{{2020 TO 2021}}' (use {DATE_FORMS})"),
    ("date:2020-13", f"malformed date '2020-13' in 'date:2020-13' (use {DATE_FORMS})"),
    ("date:", f"malformed date 'date:' (use {DATE_FORMS})"),
    ("date:>=", f"malformed date 'date:>=' (use {DATE_FORMS})"),
    ('date:"2020"', f"malformed date 'date:\"2020\"' (use {DATE_FORMS})"),
    ("date:[2021 TO 2020]", "date range 'date:[2021 TO 2020]' ends before it starts"),
    ("[1987 TO]", "range '[1987 TO]' is not allowed: only date: takes a range (as in "
                  "date:[2020-01 TO 2020-06]); to search for the words, drop the brackets"),
    ("[a TO z]", "range '[a TO z]' is not allowed: only date: takes a range (as in "
                 "date:[2020-01 TO 2020-06]); to search for the words, drop the brackets"),
    ("title:[a TO z]", "range 'title:[a TO z]' is not allowed: only date: takes a range (as "
                       "in date:[2020-01 TO 2020-06]); to search for the words, drop the "
                       "brackets"),
    ("oil {a TO z}", "range '{a TO z}' is not allowed: only date: takes a range (as in "
                     "date:[2020-01 TO 2020-06]); to search for the words, drop the brackets"),
    ("oil AND", "dangling operator 'AND' at the end of the query (nothing after it); "
                "to search for the word itself, quote it: \"and\""),
    ("OR oil", "dangling operator 'OR' at the start of the query (nothing before it); "
               "to search for the word itself, quote it: \"or\""),
    ("oil NOT", "dangling operator 'NOT' at the end of the query (nothing after it); "
                "to search for the word itself, quote it: \"not\""),
    ("(oil OR) gas", "dangling operator 'OR' before ')' (nothing after it); "
                     "to search for the word itself, quote it: \"or\""),
    ("(AND oil)", "dangling operator 'AND' after '(' (nothing before it); "
                  "to search for the word itself, quote it: \"and\""),
    ("(oil -)", "dangling '-' before ')' (nothing after it); put the word to leave out "
                "right after it, as in -word"),
    ("oil AND AND gas", "doubled operator 'AND AND' in query (nothing between them)"),
    ("oil OR AND gas", "doubled operator 'OR AND' in query (nothing between them)"),
    ("NOT OR oil", "doubled operator 'NOT OR' in query (nothing between them)"),
    ("()", "empty parentheses '()' in query; put words inside or remove them"),
    ("oil ( )", "empty parentheses '()' in query; put words inside or remove them"),
    ('"oil price"~0', "proximity '~0' after \"oil price\" must be 1 or more "
                      "(~1: next to each other)"),
    ("oil^2", "'oil^2': the query language has no ^ boosts; remove the ^ and the number"),
    ("country:Atlantis", "unknown country 'Atlantis' (give an ISO code or an English name) "
                         "in country: of the query"),
    ("kind:video", "unknown kind 'video' (use article or brief) in kind: of the query"),
    ('source:""', "empty value 'source:\"\"' in query"),
    ("(" * 33 + "oil" + ")" * 33, "query nests more than 32 levels deep (parentheses, NOT or "
                                  "fields inside each other); write it flatter"),
    ("NOT " * 33 + "oil", "query nests more than 32 levels deep (parentheses, NOT or "
                          "fields inside each other); write it flatter"),
]


def test_nesting_up_to_the_limit_parses():
    assert parse("(" * 32 + "oil" + ")" * 32) == Word("oil")
    assert parse("NOT " * 32 + "oil") == Not(Not(parse("NOT " * 30 + "oil")))


@pytest.mark.parametrize("text, message", REFUSED)
def test_bad_query_text_is_refused_with_its_message(text, message):
    with pytest.raises(QueryError) as refused:
        parse(text)
    assert str(refused.value) == message


@pytest.mark.parametrize("args, tree", [
    ({}, MatchAll()),
    ({"country": ["IR", "SY"], "kind": ["article"]},
     And((Or((Facet("country", "IR"), Facet("country", "SY"))), Facet("kind", "article")))),
    ({"exclude_source": ["Alpha News"]}, And((MatchAll(), Not(Facet("source", "Alpha News"))))),
    ({"lang": ["en"], "exclude_entity": ["A", "B"]},
     And((Facet("lang", "en"), Not(Or((Facet("entity", "A"), Facet("entity", "B"))))))),
    ({"from": ["2020-07"], "to": ["2020-07"]}, DateRange(date(2020, 7, 1), date(2020, 7, 31))),
    ({"q": ["oil gas"], "source": ["Reuters"], "from": ["1987-03-01"]},
     And((Word("oil"), Word("gas"), Facet("source", "Reuters"), DateRange(date(1987, 3, 1))))),
])
def test_search_tree_ands_the_filters_with_the_query(args, tree):
    assert search_tree(SearchParams.from_args(args)) == tree


# The Whoosh compiler: words by their stems over title (boosted) and text, phrases by
# their exact words, facets by their folded keys, dates on `day` with explicit ends.

def either(make) -> Q.Or:
    """The same leaf over title (boost 2) and text."""
    return Q.Or([make("title", 2.0), make("text", 1.0)])


COMPILED = [
    ("oil", either(lambda f, b: Q.Term(f, "~oil", boost=b))),
    ("ÉTUDES", either(lambda f, b: Q.Term(f, "~etud", boost=b))),
    ('"ÉTUDES"', Q.Or([Q.Term("title", "etudes"), Q.Term("text", "etudes")])),
    ("oil exports", Q.And([either(lambda f, b: Q.Term(f, "~oil", boost=b)),
                           either(lambda f, b: Q.Term(f, "~export", boost=b))])),
    # A word the analysis splits is the phrase of its exact parts.
    ("al-Assad", either(lambda f, b: Q.Phrase(f, ["al", "assad"], boost=b))),
    ("سرمایه\u200cگذاری", either(lambda f, b: Q.Phrase(f, ["سرمایه", "گذاری"], boost=b))),
    ('"oil exports"~4', either(lambda f, b: Q.Phrase(f, ["oil", "exports"], slop=4, boost=b))),
    ("title:Exports", Q.Term("title", "~export")),
    ("sanction*", either(lambda f, b: BoundedPrefix(f, "sanction", boost=b))),
    ("S?nction", either(lambda f, b: BoundedWildcard(f, "s?nction", boost=b))),
    ('country:"united kingdom"', Q.Term("country", "gb")),
    ('source:"Alpha  News"', Q.Term("source", "alpha news")),
    ("date:2020-07", Q.NumericRange("day", 20200701, 20200731)),
    ("date:>=2020-02", Q.NumericRange("day", 20200201, OPEN_END)),
    ("date:<2020", Q.NumericRange("day", 10101, 20191231)),
    ("-oil", Q.Not(either(lambda f, b: Q.Term(f, "~oil", boost=b)))),
    ("NOT NOT oil", either(lambda f, b: Q.Term(f, "~oil", boost=b))),
    ("oil .", either(lambda f, b: Q.Term(f, "~oil", boost=b))),     # "." holds no word
]


@pytest.mark.parametrize("text, expected", COMPILED)
def test_tree_compiles_to_whoosh(text, expected):
    assert compile_tree(parse(text)) == expected


@pytest.mark.parametrize("text", ["", ".", '""', "- ."])
def test_a_query_without_words_asks_nothing(text):
    assert parse_text(text) is None
    assert build_query(SearchParams(query=text)) == Q.Every()


def test_everything_but_compiles_to_a_not():
    tree = search_tree(SearchParams.from_args({"exclude_kind": ["brief"]}))
    assert compile_tree(tree) == Q.Not(Q.Term("kind", "brief"))


def test_filters_compile_with_explicit_date_ends():
    query = build_query(SearchParams.from_args({"q": "oil", "country": ["IR", "SY"],
                                                "exclude_kind": ["brief"], "to": ["2019"]}))
    assert query == Q.And([either(lambda f, b: Q.Term(f, "~oil", boost=b)),
                           Q.Or([Q.Term("country", "ir"), Q.Term("country", "sy")]),
                           Q.NumericRange("day", 10101, 20191231),
                           Q.Not(Q.Term("kind", "brief"))])


# Property: any query-ish text parses or is refused with a QueryError, and what parses
# compiles and runs.

FRAGMENTS = ["oil", "gas", "Iran", "ایران", "\u200c", "e-mail", "10:30", " ", " ", "  ",
             "AND", "OR", "NOT", "TO", "-", "(", ")", '"', "*", "?", ":", "~", "~3", "^2",
             "[", "]", "{", "}", ".", "title:", "text:", "date:", "country:", "kind:",
             "lang:", "source:", "entity:", "foo:", "2020", "2020-07", ">=", "<", "brief"]


@pytest.fixture(scope="module")
def tiny_searcher():
    ix = RamStorage().create_index(build_schema())
    with ix.writer() as writer:
        writer.add_document(id="1", title="Iran oil", text="Oil and gas in 2020, e-mail",
                            country="ir", kind="article", day=20200715)
        writer.add_document(id="2", title="ایران", text="تحریم\u200cها و گاز", lang="fa",
                            kind="brief")
    with ix.searcher() as searcher:
        yield searcher


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join))
def test_query_text_parses_or_is_refused_and_what_parses_runs(tiny_searcher, text):
    try:
        tree = parse(text)
    except QueryError:
        return
    query = build_query(SearchParams(query=text))
    assert compile_tree(tree) is None or query is not None
    tiny_searcher.search(query, limit=None)
