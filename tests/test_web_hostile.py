"""A document whose title and text carry markup is shown as text everywhere the web shows it."""
from __future__ import annotations

import csv
import io
import json

import feedparser
import pytest

from tests.web_support import HOSTILE_TEXT, HOSTILE_TITLE, build_instance, page_tree
from web import create_app
from web.security import snippet_markup


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    home = build_instance(tmp_path_factory.mktemp("hostile"))
    return create_app({"HOME": str(home), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def hostile_id(client):
    return client.get("/api/search?source=Hostile%20Daily").json["results"][0]["id"]


def assert_inert(tree) -> None:
    """No script but the app's own file, no image, no event handler attribute."""
    assert [s.get("src") for s in tree.xpath("//script")] == ["/static/app.js"]
    assert not tree.xpath("//img")
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")


def texts(tree) -> str:
    return tree.text_content()


@pytest.mark.parametrize("path", ["/?q=oil+pact", "/?source=Hostile+Daily", "/countries/IR",
                                  "/entities/Leila%20Farahani"])
def test_listing_pages_show_the_markup_as_text(client, hostile_id, path):
    tree = page_tree(client.get(path))
    assert_inert(tree)
    item = tree.xpath(f'//li[@class="result"][@data-id="{hostile_id}"]')[0]
    assert item.xpath('string(.//h3[@class="result-title"])').strip() == HOSTILE_TITLE
    assert '"><img src=x onerror=alert(1)>' in item.xpath('string(.//p[@class="snippet"])')


def test_document_page_shows_title_and_text_as_text(client, hostile_id):
    tree = page_tree(client.get(f"/documents/{hostile_id}"))
    assert_inert(tree)
    assert tree.xpath("string(//h1)") == HOSTILE_TITLE
    assert tree.xpath('string(//div[@class="doc-text"]/p)') == HOSTILE_TEXT
    assert tree.xpath("string(//title)").startswith(HOSTILE_TITLE)


def test_query_echo_is_text(client):
    tree = page_tree(client.get('/?q="><img src=x onerror=alert(1)>'))
    assert_inert(tree)
    query_box = tree.xpath('//form[@class="searchbox"]//input[@name="q"]/@value')
    assert query_box == ['"><img src=x onerror=alert(1)>']


def test_feed_carries_the_markup_as_text(client, hostile_id):
    answer = client.get("/search.atom?source=Hostile+Daily")
    assert b"<script>" not in answer.data and b"<img" not in answer.data
    entry = feedparser.parse(answer.data).entries[0]
    assert entry.id == f"urn:media-monitor:document:{hostile_id}"
    assert entry.title == HOSTILE_TITLE
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry.summary


def test_csv_export_holds_the_text_as_data(client):
    answer = client.get("/api/export?source=Hostile+Daily&format=csv")
    assert answer.mimetype == "text/csv" and answer.headers["X-Content-Type-Options"] == "nosniff"
    row = next(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert (row["title"], row["text"]) == (HOSTILE_TITLE, HOSTILE_TEXT)


def test_jsonl_export_holds_the_text_as_data(client):
    answer = client.get("/api/export?source=Hostile+Daily&format=jsonl")
    assert answer.mimetype == "application/x-ndjson"
    document = json.loads(answer.get_data(as_text=True).splitlines()[0])
    assert (document["title"], document["text"]) == (HOSTILE_TITLE, HOSTILE_TEXT)


def test_api_answers_are_json_not_html(client, hostile_id):
    answer = client.get(f"/api/documents/{hostile_id}")
    assert answer.mimetype == "application/json"
    assert answer.json["document"]["title"] == HOSTILE_TITLE


@pytest.mark.parametrize("snippet,shown", [
    ("a <mark>b</mark> &lt;c&gt; &amp; d", "a <mark>b</mark> &lt;c&gt; &amp; d"),
    ("<mark>x</mark>", "<mark>x</mark>"),
    ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
    ("<mark><mark>x</mark></mark>", "&lt;mark&gt;&lt;mark&gt;x&lt;/mark&gt;&lt;/mark&gt;"),
    ("<mark>x", "&lt;mark&gt;x"),
    ("a &#106;avascript", "a &amp;#106;avascript"),
    ('"quoted" text', '"quoted" text'),
])
def test_only_escaped_text_with_marks_passes_as_markup(snippet, shown):
    assert str(snippet_markup(snippet)) == shown
