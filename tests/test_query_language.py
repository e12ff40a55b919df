"""The query language: query text -> parsed query (pure), -> document ids (a small index),
and the bad queries the command line refuses with exit 2 and one line."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.engine.whoosh.query import BoundedPrefix, BoundedWildcard, build_query, explain
from indexer.ingest.ingester import Ingester
from indexer.instance import Instance
from indexer.search.params import SearchParams
from indexer.search.query_language import QueryError
from indexer.service import Monitor
from manage import cli

# key -> (JSONL record without its id, countries, entities): ids are looked up by key.
RECORDS = {
    "iran": ({"title": "Iran oil exports rise",
              "text": "Iran oil exports rose in July after sanctions eased, officials said.",
              "source": "Alpha News", "published": "2020-07-10T08:00:00Z", "lang": "en"},
             ["IR"], ["Bijan Zanganeh"]),
    "syria": ({"title": "Talks in Damascus",
               "text": "Bashar al-Assad met officials; gas and wheat were discussed.",
               "source": "Beta Times", "published": "2020-02-15T12:00:00Z", "lang": "en"},
              ["SY"], ["Bashar al-Assad"]),
    "wheat": ({"title": "Wheat harvest",
               "text": "The wheat harvest in France is good. No sanction applies.",
               "source": "Gamma Daily", "published": "2020-01-05T09:00:00Z", "lang": "fr"},
              ["FR"], []),
    "crude": ({"title": "Crude falls",
               "text": "Crude oil fell and the price dropped with it on Monday.",
               "source": "Alpha News", "published": "2019-12-31T23:00:00Z", "lang": "en",
               "kind": "brief"},
              ["US"], []),
    "price": ({"title": "Market note",
               "text": "The oil price rose in Tehran.",
               "source": "Delta Wire", "published": "2020-07-31T23:59:59Z", "lang": "en"},
              ["IR", "GB"], []),
    "undated": ({"title": "Undated oil note", "text": "An oil note without a date of its own.",
                 "source": "Beta Times", "lang": "en"},
                ["IR"], []),
    "words": ({"title": "Glossary",
               # More than 256 words starting with "a": a* must be refused.
               "text": " ".join(f"a{n:03d}z" for n in range(300)),
               "source": "Epsilon", "published": "2021-03-01T00:00:00Z", "lang": "en"},
              [], []),
}


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Instance:
    """Ingest the records (no enrichment), set their countries/entities, index them."""
    folder = tmp_path_factory.mktemp("query-language")
    lines = [json.dumps({"id": key, **record}) for key, (record, _, _) in RECORDS.items()]
    (folder / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    instance = Instance(folder / "home")
    store = instance.open_store()
    try:
        report = Ingester(store, detect_language=False, enrich=False).ingest(
            [str(folder / "docs.jsonl")])
        assert report.total("new") == len(RECORDS)
        with store.transaction():
            for doc in store.iter_all():
                _, countries, entities = RECORDS[doc.external_id]
                doc.countries = countries
                doc.entities = [{"name": name, "type": "person"} for name in entities]
                store.update_enrichment(doc)
    finally:
        store.close()
    Monitor(instance).catch_up()
    return instance


@pytest.fixture(scope="module")
def key_of(instance) -> dict[str, str]:
    store = instance.open_store()
    try:
        return {doc.id: doc.external_id for doc in store.iter_all()}
    finally:
        store.close()


def found(instance, key_of, query: str, **args) -> set[str]:
    monitor = Monitor(instance)
    try:
        data = monitor.search(monitor.params({"q": query, "limit": "1000", **args}))
    finally:
        monitor.close()
    assert data["total"] == len(data["results"])
    return {key_of[result["id"]] for result in data["results"]}


# Query text -> explain; single words show as the stems they are looked up by.
EXPLAINED = [
    ("", "ALL"),
    ("oil", "~oil"),
    ("oil gas", "(~oil AND ~gas)"),
    ("oil AND gas", "(~oil AND ~gas)"),
    ("oil OR gas", "(~oil OR ~gas)"),
    ("oil NOT gas", "(~oil AND NOT ~gas)"),
    ("oil -gas", "(~oil AND NOT ~gas)"),
    ("-gas oil", "(NOT ~gas AND ~oil)"),
    ("oil (-gas)", "(~oil AND NOT ~gas)"),
    ("(oil OR gas) wheat", "((~oil OR ~gas) AND ~wheat)"),
    ("oil -(gas OR wheat)", "(~oil AND NOT (~gas OR ~wheat))"),
    ('"oil price"', '"oil price"'),
    ('"oil price"~5', '"oil price"~5'),
    ("sanction*", "sanction*"),
    ("title:oil", "title:~oil"),
    ('title:"oil price"', 'title:"oil price"'),
    ("text:oil", "text:~oil"),
    ('source:"Alpha  News"', 'source:"alpha news"'),
    ("source:Epsilon", "source:epsilon"),
    ("country:IR", "country:ir"),
    ("country:iran", "country:ir"),
    ('country:"United Kingdom"', "country:gb"),
    ('entity:"Bashar al-Assad"', 'entity:"bashar al-assad"'),
    ("lang:EN", "lang:en"),
    ("kind:Brief", "kind:brief"),
    ("-kind:brief", "NOT kind:brief"),
    ("date:[2020-01-01 TO 2020-07-31]", "date:[2020-01-01 TO 2020-07-31]"),
    ("date:[2020 TO 2020-02]", "date:[2020-01-01 TO 2020-02-29]"),
    ("date:[2020-02 TO *]", "date:[2020-02-01 TO *]"),
    ("date:>=2020-02", "date:[2020-02-01 TO *]"),
    ("date:>2020-02", "date:[2020-03-01 TO *]"),
    ("date:<=2019", "date:[* TO 2019-12-31]"),
    ("date:<2020-03-01", "date:[* TO 2020-02-29]"),
    ("date:2020-07", "date:[2020-07-01 TO 2020-07-31]"),
    ("date:2020-07-10", "date:[2020-07-10 TO 2020-07-10]"),
    ("oil date:2020", "(~oil AND date:[2020-01-01 TO 2020-12-31])"),
]


@pytest.mark.parametrize("text, expected", EXPLAINED)
def test_explain_table(text, expected):
    assert explain(SearchParams(query=text)) == expected


def test_explain_includes_filters():
    params = SearchParams.from_args({"q": "oil", "country": ["Iran", "SY"],
                                     "exclude_kind": ["brief"], "from": ["2020"]})
    assert explain(params) == ("(~oil AND (country:ir OR country:sy) "
                               "AND date:[2020-01-01 TO *] AND NOT kind:brief)")


def test_hyphenated_words_stay_words():
    # "al-Assad" is one query word (split by the analyzer), never "al NOT Assad".
    assert explain(SearchParams(query="al-Assad")) == "(~al AND ~assad)"


@pytest.mark.parametrize("text, leaf", [
    ("sanction*", BoundedPrefix), ("s?nction*", BoundedWildcard),
])
def test_wildcards_are_bounded(text, leaf):
    query = build_query(SearchParams(query=text))
    assert {type(q) for q in query.leaves()} == {leaf}


@pytest.mark.parametrize("text, message", [
    ('"oil prices', "unbalanced quote"),
    ('oil "a" "b', "unbalanced quote"),
    ("(oil OR gas", "unbalanced parenthesis"),
    ("oil) OR (gas", "unbalanced parenthesis"),
    ('"(" oil', None),                       # a parenthesis inside quotes is a character
    ("*", "leading wildcard '*'"),
    ("*ran", "leading wildcard '*ran'"),
    ("oil ?il", "leading wildcard '?il'"),
    ("title:*ran", "leading wildcard '*ran'"),
    ("-*ran", "leading wildcard '*ran'"),
    ("foo:bar", "unknown field 'foo:'"),
    ("oil day:[20200101 TO 20200131]", "unknown field 'day:'"),
    ("x" * 1001, "1001 characters long; the limit is 1000"),
    ("x" * 1000, None),
    ("date:[2020 TO", "malformed date range 'date:[2020 TO'"),
    ("date:[2020 2021]", "malformed date range"),
    ("date:2020-13", "malformed date '2020-13'"),
    ("date:", "malformed date"),
    ("date:[2021 TO 2020]", "ends before it starts"),
    ("country:Atlantis", "unknown country"),
    ("kind:video", "unknown kind"),
    ("al-Assad 10:30 U.S. e-mail", None),
    ("https://example.com/x", "unknown field 'https:'"),
])
def test_bad_queries_say_what_is_wrong(text, message):
    if message is None:
        build_query(SearchParams(query=text))
        return
    with pytest.raises(QueryError, match=message.replace("*", r"\*").replace("?", r"\?")
                       .replace("[", r"\[")):
        build_query(SearchParams(query=text))


# Query text (+ web-style filters) -> the fixture documents found.
FOUND = [
    ("oil", {}, {"iran", "crude", "price", "undated"}),
    ("oil exports", {}, {"iran"}),
    ("oil AND crude", {}, {"crude"}),
    ("wheat OR gas", {}, {"syria", "wheat"}),
    ("oil NOT crude", {}, {"iran", "price", "undated"}),
    ("oil -crude", {}, {"iran", "price", "undated"}),
    ("-oil harvest", {}, {"wheat"}),
    ("-oil", {}, {"syria", "wheat", "words"}),
    ("NOT (oil OR wheat)", {}, {"words"}),
    ("country:(Iran OR Syria) -oil", {}, {"syria"}),
    ("(wheat OR gas) -France", {}, {"syria"}),
    ('"oil price"', {}, {"price"}),
    ('"oil price"~5', {}, {"price", "crude"}),
    ('"price oil"', {}, set()),
    ("al-Assad", {}, {"syria"}),
    ("sanction*", {}, {"iran", "wheat"}),
    ("a00*", {}, {"words"}),
    ("title:oil", {}, {"iran", "undated"}),
    ("text:glossary", {}, set()),
    ("title:glossary", {}, {"words"}),
    ('source:"Alpha News"', {}, {"iran", "crude"}),
    ('source:"alpha   news" oil', {}, {"iran", "crude"}),
    ("country:IR", {}, {"iran", "price", "undated"}),
    ("country:Iran -country:GB", {}, {"iran", "undated"}),
    ('country:"United Kingdom"', {}, {"price"}),
    ('entity:"Bashar al-Assad"', {}, {"syria"}),
    ("lang:fr", {}, {"wheat"}),
    ("kind:brief", {}, {"crude"}),
    ("oil -kind:brief", {}, {"iran", "price", "undated"}),
    ("date:[2020-01-01 TO 2020-07-31]", {}, {"iran", "syria", "wheat", "price"}),
    ("date:2020-07", {}, {"iran", "price"}),
    ("date:>=2020-02", {}, {"iran", "syria", "price", "words"}),
    ("date:>2020-07", {}, {"words"}),
    ("date:<2020", {}, {"crude"}),
    ("oil date:2019", {}, {"crude"}),
    ("oil date:[* TO *]", {}, {"iran", "crude", "price"}),     # undated never match date:
    ("oil -date:2020", {}, {"crude", "undated"}),  # so NOT date: keeps them
    ("oil", {"country": ["IR"], "exclude_source": ["Delta Wire"]}, {"iran", "undated"}),
    ("oil OR wheat", {"from": ["2020-01"], "to": ["2020-06"]}, {"wheat", "syria"}),
    ("", {"kind": ["brief"]}, {"crude"}),
]


@pytest.mark.parametrize("query, args, expected", FOUND)
def test_queries_find_documents(instance, key_of, query, args, expected):
    assert found(instance, key_of, query, **args) == expected


def test_wildcard_past_the_bound_is_refused_at_search_time(instance, key_of):
    with pytest.raises(QueryError, match="wildcard a\\* matches more than 256 words"):
        found(instance, key_of, "a*")


def run(instance, *args):
    return CliRunner().invoke(cli, ["--home", str(instance.home), *args])


BAD = [
    (('"oil prices',), "unbalanced quote"),
    (("(oil", "OR", "gas"), "unbalanced parenthesis"),
    (("oil)",), "unbalanced parenthesis"),
    (("*",), "leading wildcard"),
    (("*ran",), "leading wildcard"),
    (("a*",), "matches more than 256 words"),
    (("oil", "a*"), "matches more than 256 words"),
    (("foo:bar",), "unknown field"),
    (("x" * 10_000,), "10000 characters long; the limit is 1000"),
    (("oil " * 2500,), "characters long; the limit is 1000"),
    (("date:[2020", "TO"), "malformed date range"),
    (("country:Atlantis",), "unknown country"),
]


@pytest.mark.parametrize("args, message", BAD)
def test_bad_queries_exit_2_with_one_line(instance, args, message):
    result = run(instance, "search", *args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert len(result.stderr) < 400
    as_json = run(instance, "search", "--json", *args)
    assert as_json.exit_code == 2 and "Traceback" not in as_json.stderr
    assert message in json.loads(as_json.stdout)["error"]
    assert as_json.stderr.count("\n") == 1


def test_explain_option(instance, key_of):
    result = run(instance, "search", "--json", "--explain", "--country", "IR",
                 "--", "oil", "-crude")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["explain"] == "(~oil AND NOT ~crude AND country:ir)"
    assert {key_of[r["id"]] for r in data["results"]} == {"iran", "price", "undated"}
    text = run(instance, "search", "--explain", "date:2020-07")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[0] == "explain: date:[2020-07-01 TO 2020-07-31]"
    plain = json.loads(run(instance, "search", "--json", "oil").stdout)
    assert "explain" not in plain
