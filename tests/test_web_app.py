"""The web app through Flask's test client: every route and parameter, the same answers
and the same errors as the CLI, languages, settings, headers and error pages."""
from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from click.testing import CliRunner

from indexer.search.params import SearchParams
from manage import cli
from tests.web_support import build_instance, page_tree
from web import create_app


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_instance(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(home):
    return create_app({"HOME": str(home), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


def cli_run(home, *args):
    """Run manage.py in-process; return (exit code, stdout as written, stderr)."""
    result = CliRunner().invoke(cli, ["--home", str(home), *args])
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def query_args(url: str) -> dict:
    """The search arguments a link carries."""
    return parse_qs(urlsplit(url).query)


# --- the same answers as the CLI --------------------------------------------------------

SEARCHES = [
    ({"q": "oil"}, ["oil"]),
    ({"q": "oil", "country": "IR"}, ["oil", "--country", "IR"]),
    ({"q": "sanctions", "exclude_kind": "brief", "sort": "oldest"},
     ["sanctions", "--exclude-kind", "brief", "--sort", "oldest"]),
    ({"entity": "farahani", "limit": "5", "page": "2"},
     ["--entity", "farahani", "--limit", "5", "--page", "2"]),
    ({"lang": "fa", "facet_limit": "3"}, ["--lang", "fa", "--facet-limit", "3"]),
    ({"source": "demo wire", "from": "2025-03", "to": "2025-04-15"},
     ["--source", "demo wire", "--from", "2025-03", "--to", "2025-04-15"]),
    ({"q": "oil OR wheat", "exclude_country": ["DE", "FR"], "exclude_source": "Hostile Daily"},
     ["oil OR wheat", "--exclude-country", "DE", "--exclude-country", "FR",
      "--exclude-source", "Hostile Daily"]),
    ({"kind": "brief", "sort": "newest", "exclude_entity": "United Nations", "exclude_lang": "fr"},
     ["--kind", "brief", "--sort", "newest", "--exclude-entity", "United Nations", "--exclude-lang", "fr"]),
]


@pytest.mark.parametrize("args,cli_args", SEARCHES)
def test_api_search_is_the_cli_json(client, home, args, cli_args):
    code, out, _ = cli_run(home, "search", "--json", *cli_args)
    answer = client.get("/api/search?" + urlencode(args, doseq=True))
    assert code == 0 and answer.status_code == 200
    assert answer.json == json.loads(out)


BAD = [
    ({"q": '"unbalanced'}, ['"unbalanced']),
    ({"country": "Atlantis"}, ["--country", "Atlantis"]),
    ({"kind": "video"}, ["--kind", "video"]),
    ({"page": "-1"}, ["--page", "-1"]),
    ({"limit": "1000000000"}, ["--limit", "1000000000"]),
    ({"limit": "abc"}, ["--limit", "abc"]),
    ({"from": "2020-13"}, ["--from", "2020-13"]),
    # nested past what any query needs: refused before anything walks the tree
    ({"q": "(" * 200 + "oil" + ")" * 200}, ["(" * 200 + "oil" + ")" * 200]),
]


@pytest.mark.parametrize("args,cli_args", BAD)
def test_bad_input_answers_400_with_the_cli_message(client, home, args, cli_args):
    code, _, err = cli_run(home, "search", *cli_args)
    message = err.strip().removeprefix("error: ")
    assert code == 2 and message
    query = urlencode(args)
    api = client.get("/api/search?" + query)
    assert (api.status_code, api.json) == (400, {"error": message})
    page = client.get("/?" + query)
    assert page.status_code == 400
    assert page_tree(page).xpath('string(//*[@id="query-error"]//*[@class="alert-message"])') == message
    for path in ("/search.atom?", "/api/export?format=csv&"):
        assert client.get(path + query).status_code == 400


def test_a_bad_query_keeps_the_filters_for_the_next_try(client):
    tree = page_tree(client.get('/?q=%22oil&country=IR&page=3'))
    inputs = tree.xpath('//form[@class="searchbox"]//input[@type="hidden"]')
    hidden = [(i.get("name"), i.get("value")) for i in inputs]
    assert hidden == [("country", "IR")]
    tree = page_tree(client.get('/?q=oil&country=Atlantis'))
    assert not tree.xpath('//form[@class="searchbox"]//input[@type="hidden"]')


def test_unknown_values_of_other_facets_match_nothing(client):
    answer = client.get("/api/search?entity=Nobody%20Known&source=No%20Such%20Outlet&lang=xx")
    assert answer.status_code == 200 and answer.json["total"] == 0


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_streams_the_rows_of_manage_export(client, home, fmt):
    code, out, _ = cli_run(home, "export", "oil", "--country", "IR", "--format", fmt)
    answer = client.get(f"/api/export?q=oil&country=IR&format={fmt}")
    assert code == 0 and answer.status_code == 200
    assert answer.get_data(as_text=True) == out
    assert answer.mimetype == {"csv": "text/csv", "jsonl": "application/x-ndjson"}[fmt]
    assert answer.headers["Content-Disposition"] == f'attachment; filename="media-monitor-export.{fmt}"'


def test_export_refuses_an_unknown_format(client):
    answer = client.get("/api/export?format=xml")
    assert (answer.status_code, answer.json) == (400, {"error": "unknown format 'xml' (use jsonl, csv)"})


# --- the search page: every state in the URL --------------------------------------------

FILTERS = [("country", "IR"), ("entity", "United Nations"), ("lang", "en"), ("source", "Demo Wire"),
           ("kind", "brief")]


@pytest.mark.parametrize("exclude", [False, True], ids=["include", "exclude"])
@pytest.mark.parametrize("facet,value", FILTERS)
def test_facet_links_round_trip(client, facet, value, exclude):
    start = page_tree(client.get("/?q=minister"))
    control = "exclude" if exclude else "include"
    link = start.xpath(f'//section[@data-facet="{facet}"]'
                       f'//li[@data-value="{value}"]/a[@class="{control}"]/@href')[0]
    name = f"exclude_{facet}" if exclude else facet
    assert query_args(link) == {"q": ["minister"], name: [value]}
    narrowed = client.get(link)
    assert narrowed.status_code == 200
    tree = page_tree(narrowed)
    chip = tree.xpath(f'//li[contains(@class, "chip")][@data-facet="{facet}"]')[0]
    assert ("chip-excluded" in chip.get("class")) is exclude
    data = client.get("/api/search?" + urlsplit(link).query + "&limit=1000").json
    field = {"country": "countries", "entity": "entities"}.get(facet, facet)
    for result in data["results"]:
        have = result[field]
        if facet == "entity":
            values = [e["name"] for e in have]
        else:
            values = have if isinstance(have, list) else [have]
        assert (value in values) is not exclude
    back = chip.xpath('.//a[@class="chip-remove"]/@href')[0]
    assert query_args(back) == {"q": ["minister"]}


def test_an_included_value_is_shown_kept_and_its_link_lets_it_go(client):
    tree = page_tree(client.get("/?country=IR&country=SY"))
    row = tree.xpath('//section[@data-facet="country"]//li[@data-value="IR"]')[0]
    assert "is-included" in row.get("class")
    assert query_args(row.xpath('./a[@class="include"]/@href')[0]) == {"country": ["SY"]}
    assert len(tree.xpath('//li[contains(@class, "chip")]')) == 2


def test_date_chip_and_histogram_bars_narrow_to_their_bucket(client):
    tree = page_tree(client.get("/?q=oil"))
    bars = tree.xpath('//svg//a[@class="bar"]')
    assert len(bars) > 3
    for bar in bars[:4]:
        link, label = bar.get("href"), bar.xpath("string(./title)")
        args = query_args(link)
        assert args["q"] == ["oil"] and set(args) == {"q", "from", "to"}
        narrowed = client.get("/api/search?" + urlsplit(link).query).json
        assert label.endswith(f": {narrowed['total']}")
        days = {r["published"][:10] for r in narrowed["results"]}
        assert all(args["from"][0] <= d <= args["to"][0] for d in days)
    chip = page_tree(client.get(bars[0].get("href"))).xpath('//li[@data-facet="date"]//a/@href')[0]
    assert query_args(chip) == {"q": ["oil"]}


def test_a_bar_keeps_the_part_of_its_bucket_the_dates_keep(client):
    # from a day inside a bucket: the bar narrows to the rest of that bucket, and its
    # count is what its link finds
    bars = page_tree(client.get("/?q=oil")).xpath('//svg//a[@class="bar"]')
    first = query_args(bars[0].get("href"))["from"][0]
    inside = (date.fromisoformat(first) + timedelta(days=1)).isoformat()
    tree = page_tree(client.get(f"/?q=oil&from={inside}"))
    narrowed = tree.xpath('//svg//a[@class="bar"]')
    assert query_args(narrowed[0].get("href"))["from"] == [inside]
    for bar in narrowed:
        found = client.get("/api/search?" + urlsplit(bar.get("href")).query).json
        assert bar.xpath("string(./title)").endswith(f": {found['total']}")


def test_paging_links(client):
    first = page_tree(client.get("/?limit=5"))
    assert first.xpath('//span[contains(@class, "pager-previous")]')      # nothing before page 1
    second_link = first.xpath('//a[@rel="next"]/@href')[0]
    assert query_args(second_link) == {"page": ["2"], "limit": ["5"]}
    second = page_tree(client.get(second_link))
    assert second.xpath('//ol[@class="result-list"]/@start') == ["6"]
    assert query_args(second.xpath('//a[@rel="prev"]/@href')[0]) == {"limit": ["5"]}
    assert query_args(second.xpath('//a[@rel="next"]/@href')[0]) == {"page": ["3"], "limit": ["5"]}
    ids = lambda tree: tree.xpath('//li[@class="result"]/@data-id')  # noqa: E731
    assert len(ids(second)) == 5 and not set(ids(first)) & set(ids(second))


def test_sort_menu_keeps_the_search_and_shows_the_order(client):
    tree = page_tree(client.get("/?q=oil&country=IR&sort=oldest&page=2"))
    form = tree.xpath('//form[@class="sort"]')[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert fields == {"q": "oil", "country": "IR"}
    assert form.xpath(".//option[@selected]/@value") == ["oldest"]
    dates = [t.get("datetime") for t in tree.xpath('//li[@class="result"]//time')]
    assert dates == sorted(dates)


def test_search_box_keeps_filters_and_starts_from_page_one(client):
    tree = page_tree(client.get("/?q=oil&exclude_kind=brief&page=2&sort=newest"))
    box = tree.xpath('//form[@class="searchbox"]')[0]
    assert box.xpath('.//input[@name="q"]/@value') == ["oil"]
    hidden = sorted((i.get("name"), i.get("value")) for i in box.xpath('.//input[@type="hidden"]'))
    assert hidden == [("exclude_kind", "brief"), ("sort", "newest")]


def test_facet_shows_more_values_on_request(client):
    tree = page_tree(client.get("/?facet_limit=3"))
    more = tree.xpath('//section[@data-facet="country"]//a[@class="facet-more"]/@href')[0]
    assert query_args(more) == {"facet_limit": ["15"]}
    wider = page_tree(client.get(more))
    assert len(wider.xpath('//section[@data-facet="country"]//li[@data-value]')) == 15


def test_results_link_to_documents_entities_and_countries(client):
    tree = page_tree(client.get("/?source=Hostile%20Daily"))
    result = tree.xpath('//li[@class="result"]')[0]
    links = result.xpath(".//a/@href")
    assert "/documents/" + result.get("data-id") in links
    assert "/countries/IR" in links and "/entities/Leila%20Farahani" in links


def test_export_and_feed_links_carry_the_search_without_paging(client):
    tree = page_tree(client.get("/?q=oil&country=IR&page=2"))
    links = tree.xpath('//p[@class="exports"]/a/@href')
    assert [urlsplit(u).path for u in links] == ["/api/export", "/api/export", "/search.atom", "/api/search"]
    assert query_args(links[0]) == {"q": ["oil"], "country": ["IR"], "format": ["csv"]}
    assert query_args(links[2]) == {"q": ["oil"], "country": ["IR"]}


def test_ingest_time_dates_are_marked(client):
    tree = page_tree(client.get("/?sort=oldest&limit=100&kind=brief"))
    marked = tree.xpath('//li[@class="result"][.//span[contains(@class, "badge-ingested")]]')
    data = client.get("/api/search?sort=oldest&limit=100&kind=brief").json
    assert len(marked) == sum(r["date_source"] == "ingested" for r in data["results"]) > 0


def test_no_documents_says_how_to_start(tmp_path):
    client = create_app({"HOME": str(tmp_path / "empty")}).test_client()
    answer = client.get("/")
    assert answer.status_code == 200
    text = answer.get_data(as_text=True)
    assert "No documents yet" in text and "python manage.py demo" in text


def test_a_search_without_matches_is_not_the_empty_instance(client):
    text = client.get("/?q=zzzqqq").get_data(as_text=True)
    assert "No documents match this search." in text and "manage.py demo" not in text


# --- document, entity and country pages ---------------------------------------------------

def brief_of_a_page(client):
    data = client.get("/api/search?kind=brief&source=Demo%20Wire&limit=50").json
    return next(r for r in data["results"] if r["parent_id"])


def test_document_page_of_a_brief_shows_its_page_and_siblings(client):
    brief = brief_of_a_page(client)
    tree = page_tree(client.get(f"/documents/{brief['id']}"))
    assert tree.xpath('//p[@class="parent"]/a/@href') == [f"/documents/{brief['parent_id']}"]
    api = client.get(f"/api/documents/{brief['id']}").json
    assert api["document"]["id"] == brief["id"] and api["parent"]["id"] == brief["parent_id"]
    assert api["siblings"] and all(s["parent_id"] == brief["parent_id"] and s["id"] != brief["id"]
                                   for s in api["siblings"])
    assert len(tree.xpath('//ul[@class="doc-list"]/li')) == len(api["siblings"])


def test_document_page_of_an_article_lists_its_briefs_and_provenance(client):
    brief = brief_of_a_page(client)
    page = client.get(f"/api/documents/{brief['parent_id']}").json
    assert page["parent"] is None and brief["id"] in [b["id"] for b in page["briefs"]]
    tree = page_tree(client.get(f"/documents/{brief['parent_id']}"))
    provenance = tree.xpath('string(//div[contains(@class, "provenance")])').strip()
    assert provenance in {"date from the source's metadata", "date found in the text",
                          "no date given: the time it was ingested"}
    assert tree.xpath('//div[@class="doc-text"]/p')


def test_document_page_lists_near_duplicates(client):
    data = client.get("/api/search?limit=1000").json
    leader = next((r for r in data["results"] if r["duplicates"]), None)
    if leader is None:
        pytest.skip("the demo sample holds no near-duplicates")
    page = client.get(f"/api/documents/{leader['id']}").json
    assert len(page["duplicates"]) == leader["duplicates"]


def test_unknown_documents_entities_and_countries_are_404(client):
    assert client.get("/documents/nope").status_code == 404
    assert client.get("/entities/Nobody%20Known").status_code == 404
    assert client.get("/countries/Atlantis").status_code == 404
    assert client.get("/api/documents/nope").json == {"error": "no document with id 'nope'"}
    assert client.get("/api/entities/Nobody").status_code == 404
    assert client.get("/api/countries/QQQ").status_code == 404


def test_variant_names_redirect_to_the_canonical_page(client):
    answer = client.get("/entities/farahani")
    assert (answer.status_code, answer.location) == (302, "/entities/Leila%20Farahani")
    assert client.get("/countries/iran").location == "/countries/IR"
    assert client.get("/countries/ir").location == "/countries/IR"
    assert client.get("/api/entities/FARAHANI").json["name"] == "Leila Farahani"


def test_entity_page_is_the_entity_search(client):
    page = client.get("/api/entities/Leila%20Farahani").json
    search = client.get("/api/search?entity=Leila%20Farahani&sort=newest&facet_limit=11").json
    assert page["total"] == search["total"] and page["histogram"] == search["histogram"]
    assert [d["id"] for d in page["latest"]] == [d["id"] for d in search["results"]]
    assert "Leila Farahani" not in [e["value"] for e in page["entities"]]
    assert page["variants"] == ["farahani"] and page["type"] == "person"
    tree = page_tree(client.get("/entities/Leila%20Farahani"))
    assert query_args(tree.xpath('//a[@class="search-link"]/@href')[0]) == {"entity": ["Leila Farahani"]}
    assert len(tree.xpath('//svg//a[@class="bar"]')) == len(page["histogram"]["buckets"])


def test_country_page_is_the_country_search(client):
    page = client.get("/api/countries/IR").json
    search = client.get("/api/search?country=IR&sort=newest").json
    assert (page["code"], page["name"], page["total"]) == ("IR", "Iran", search["total"])
    assert "IR" not in [c["value"] for c in page["countries"]]
    tree = page_tree(client.get("/countries/IR"))
    assert tree.xpath("string(//h1)") == "Iran"
    assert query_args(tree.xpath('//a[@class="search-link"]/@href')[0]) == {"country": ["IR"]}


# --- the Atom feed --------------------------------------------------------------------------

def test_feed_holds_the_newest_matches_with_stable_ids(client):
    import feedparser

    first = client.get("/search.atom?q=oil&sort=relevance")
    assert first.mimetype == "application/atom+xml"
    feed = feedparser.parse(first.data)
    assert not feed.bozo and feed.feed.title == "Media Monitor: oil"
    newest = client.get("/api/search?q=oil&sort=newest&limit=50").json["results"]
    assert [e.id for e in feed.entries] == [f"urn:media-monitor:document:{d['id']}" for d in newest]
    again = feedparser.parse(client.get("/search.atom?q=oil").data)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]
    assert feed.entries[0].link.endswith(f"/documents/{newest[0]['id']}")


# --- languages ------------------------------------------------------------------------------

def test_accept_language_chooses_the_ui_language(client):
    tree = page_tree(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert tree.get("lang") == "fr" and tree.get("dir") == "ltr"
    assert tree.xpath('//form[@class="searchbox"]//button/text()') == ["Rechercher"]


def test_the_switch_keeps_the_language_in_a_cookie(client):
    answer = client.get("/language/fa?next=/%3Fq%3Doil")
    assert answer.status_code == 302 and answer.location == "/?q=oil"
    assert "lang=fa" in answer.headers["Set-Cookie"]
    tree = page_tree(client.get("/?q=oil", headers={"Accept-Language": "fr"}))
    assert (tree.get("lang"), tree.get("dir")) == ("fa", "rtl")
    total = client.get("/api/search?q=oil").json["total"]
    persian = str(total).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert tree.xpath('string(//p[@class="summary"]/strong)') == f"{persian} نتیجه"
    assert tree.xpath('string(//section[@data-facet="country"]/h2)') == "کشور"


def test_arabic_is_right_to_left_with_arabic_names(client):
    client.set_cookie("lang", "ar")
    tree = page_tree(client.get("/?country=IR"))
    assert (tree.get("lang"), tree.get("dir")) == ("ar", "rtl")
    assert tree.xpath('string(//li[@data-facet="country"]//span[@class="chip-value"])') == "إيران"


def test_switch_ignores_unknown_languages_and_other_sites(client):
    answer = client.get("/language/xx?next=//evil.example/")
    assert answer.location == "/" and "Set-Cookie" not in answer.headers
    assert client.get("/language/fr?next=https://evil.example/").location == "/"


@pytest.mark.parametrize("lang,title", [("en", "Page not found"), ("fa", "صفحه پیدا نشد"),
                                        ("ar", "الصفحة غير موجودة"), ("fr", "Page introuvable")])
def test_404_page_in_the_ui_language(client, lang, title):
    client.set_cookie("lang", lang)
    answer = client.get("/no/such/page")
    assert answer.status_code == 404 and page_tree(answer).xpath("string(//h1)") == title


# --- faults, headers, settings --------------------------------------------------------------

def test_a_broken_store_answers_503_naming_the_way_out(tmp_path):
    home = tmp_path / "broken"
    home.mkdir()
    (home / "store.sqlite3").write_bytes(b"this is not a database" * 100)
    client = create_app({"HOME": str(home)}).test_client()
    page = client.get("/")
    assert page.status_code == 503 and "manage.py restore" in page.get_data(as_text=True)
    api = client.get("/api/documents/x")
    assert api.status_code == 503 and "is not a readable Media Monitor store" in api.json["error"]


def test_security_headers_on_every_answer(client):
    for path in ("/", "/api/search", "/nope", "/static/app.css"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_carry_no_inline_script(client):
    for path in ("/?q=oil", "/countries/IR", "/entities/Leila%20Farahani"):
        tree = page_tree(client.get(path))
        assert all(s.get("src") for s in tree.xpath("//script"))
        assert not tree.xpath("//@*[starts-with(name(), 'on')]")


def test_nothing_from_the_instance_folder_is_served(client, home):
    assert (home / "store.sqlite3").exists()
    for path in ("/store.sqlite3", "/static/../store.sqlite3", "/static/store.sqlite3",
                 "/instance/store.sqlite3", "/static/%2e%2e/store.sqlite3", "/index/"):
        answer = client.get(path)
        assert answer.status_code == 404, path


def test_settings_file_environment_and_arguments(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "web.cfg").write_text("FEED_ENTRIES = 7\nFACET_VALUES_SHOWN = 3\n", encoding="utf-8")
    assert create_app({"HOME": str(home)}).config["FEED_ENTRIES"] == 7
    monkeypatch.setenv("MEDIA_MONITOR_FEED_ENTRIES", "9")
    app = create_app({"HOME": str(home)})
    assert (app.config["FEED_ENTRIES"], app.config["FACET_VALUES_SHOWN"]) == (9, 3)
    assert create_app({"HOME": str(home), "FEED_ENTRIES": 11}).config["FEED_ENTRIES"] == 11
    monkeypatch.setenv("MEDIA_MONITOR_HOME", str(home))
    assert create_app().instance_path == str(home.resolve())


def test_home_defaults_to_instance_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDIA_MONITOR_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert create_app().instance_path == str(tmp_path / "instance")


def test_one_monitor_per_app(app, client):
    client.get("/?q=oil")
    client.get("/api/search?q=oil")
    assert app.extensions["monitor"] is app.extensions["monitor"]
    assert isinstance(SearchParams.from_args({}), SearchParams)
