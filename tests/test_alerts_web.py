"""Alerts in the web app and the JSON API: login, CSRF on every form, "Save as alert", the
inbox, the secret Atom feed (feedparser), emailed links that resolve, API tokens, and
isolation between users through pages, the API and guessed URLs."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
import schemathesis

from indexer import accounts
from indexer.alerts.delivery import Deliverer
from indexer.alerts.settings import DeliverySettings
from tests.alerts_support import smtp_server
from tests.helpers import write_jsonl
from tests.web_support import HOSTILE_TEXT, HOSTILE_TITLE, build_instance, page_tree
from web import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return build_instance(tmp_path_factory.mktemp("alerts-web"))


@pytest.fixture()
def app(home, tmp_path):
    # A fresh store of accounts for each test: copy the module's instance.
    import shutil

    mine = tmp_path / "home"
    shutil.copytree(home, mine)
    app = create_app({"HOME": str(mine), "SERVER_NAME": "monitor.example"})
    monitor = app.extensions["monitor"]
    with monitor.store() as store:
        accounts.add_user(store, "ana", "password-ana", "ana@example.org", is_admin=True)
        accounts.add_user(store, "bob", "password-bob", "bob@example.org")
    return app


def login(app, username):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"username": username, "password": f"password-{username}",
                                         "csrf_token": token, "next": "/alerts/"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/alerts/"
    return client


def csrf(client, path="/alerts/"):
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def save_alert(client, query_string, name="Oil watch", **form):
    page = page_tree(client.get(f"/alerts/new?{query_string}"))
    fields: dict[str, list[str]] = {}
    for field in page.xpath('//form[@class="stacked"]//input[@name and not(@type="radio") '
                            'and not(@type="checkbox")]'):
        if field.get("value"):
            fields.setdefault(field.get("name"), []).append(field.get("value"))
    fields.update({"name": name, "frequency": "instant", **form})
    answer = client.post("/alerts/new", data=fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return int(answer.headers["Location"].rstrip("/").split("/")[-1])


def ingest(app, tmp_path, records, name="new"):
    app.extensions["monitor"].ingest([str(write_jsonl(tmp_path / f"{name}.jsonl", records))])


def token_of(app, username):
    with app.extensions["monitor"].store() as store:
        return accounts.new_token(store, accounts.find_user(store, username).id)


# Published yesterday, whenever the tests run: relative bounds (-30d) count from today.
YESTERDAY = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:00:00Z")
NEWS = [{"id": "w1", "source": "Alpha News", "title": "Iran oil exports rise", "url": "https://a.example/w1",
         "text": "Iran said its oil exports rose in March.", "published": YESTERDAY, "lang": "en"},
        {"id": "w2", "source": "Hostile Daily", "title": HOSTILE_TITLE, "url": "https://a.example/w2",
         "text": HOSTILE_TEXT, "published": YESTERDAY, "lang": "en"},
        {"id": "w3", "source": "Alpha News", "title": "Wheat", "url": "https://a.example/w3",
         "text": "Iran wheat harvest.", "published": YESTERDAY, "lang": "en"}]


# --- logging in and CSRF --------------------------------------------------------------------

def test_login_refuses_a_wrong_password_and_logout_needs_the_form(app):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    wrong = client.post("/login", data={"username": "ana", "password": "nope", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.get_data(as_text=True)
    client = login(app, "ana")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400                    # no CSRF token
    assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert client.get("/alerts/").status_code == 302                     # to the login page


def test_every_form_without_a_valid_csrf_token_is_refused_and_changes_nothing(app):
    client = login(app, "ana")
    alert_id = save_alert(client, "q=oil")
    for path, data in [("/alerts/new", {"q": "gas", "name": "x", "frequency": "instant"}),
                       (f"/alerts/{alert_id}/pause", {}), (f"/alerts/{alert_id}/delete", {}),
                       (f"/alerts/{alert_id}/edit", {"name": "renamed", "q": "x", "frequency": "off"}),
                       (f"/alerts/{alert_id}/revoke-feed", {}), ("/account/tokens", {"label": "x"}),
                       ("/admin/users", {"username": "eve", "password": "password-eve"}),
                       ("/account", {"timezone": "UTC", "digest_hour": "8", "digest_weekday": "0"})]:
        for token in (None, "forged-token"):
            sent = dict(data, **({"csrf_token": token} if token else {}))
            assert client.post(path, data=sent).status_code == 400, (path, token)
    [alert] = app.extensions["monitor"].alerts.list(user(app, "ana"))
    assert (alert.name, alert.args, alert.paused, alert.feed_token is not None) == (
        "Oil watch", {"q": ["oil"]}, False, True)
    with app.extensions["monitor"].store() as store:
        assert accounts.find_user(store, "eve") is None
        assert accounts.list_tokens(store, accounts.find_user(store, "ana").id) == []


# --- saving, the inbox, the feed ----------------------------------------------------------

def test_save_as_alert_keeps_the_whole_search_and_the_inbox_says_why_each_hit_fired(app, tmp_path):
    client = login(app, "ana")
    page = page_tree(client.get("/?q=oil&country=IR&exclude_source=Beta+Times&from=-30d&page=2"))
    [link] = page.xpath('//p[@class="save-alert"]/a/@href')
    assert parse_qs(urlsplit(link).query) == {"q": ["oil"], "country": ["IR"],
                                               "exclude_source": ["Beta Times"], "from": ["-30d"]}
    alert_id = save_alert(client, urlsplit(link).query, name="Iran oil")
    alert = app.extensions["monitor"].alerts.list(user(app, "ana"))[0]
    assert alert.args == {"q": ["oil"], "country": ["IR"], "exclude_source": ["Beta Times"],
                          "from": ["-30d"]}
    ingest(app, tmp_path, NEWS)
    listing = page_tree(client.get("/alerts/"))
    assert listing.xpath('//li[@data-alert]//span[@class="unread"]/text()') == ["2"]
    inbox = page_tree(client.get(f"/alerts/{alert_id}"))
    assert [h.xpath("string(.//p[@class='why'])").split(":", 1)[1].split() for h in
            inbox.xpath('//li[@data-hit]')] == [["oil"], ["oil"]]       # newest first
    assert inbox.xpath('//li[@data-hit][1]//p[@class="snippet"]/mark/text()') == ["oil"]
    opened = inbox.xpath('//a[text()="Open the search"]/@href')[0]
    assert client.get(opened).status_code == 200
    first = inbox.xpath('//li[@data-hit]/@data-hit')[0]
    client.post(f"/alerts/{alert_id}/hits/{first}/read", data={"csrf_token": csrf(client)})
    assert page_tree(client.get("/alerts/")).xpath('//span[@class="unread"]/text()') == ["1"]
    client.post(f"/alerts/{alert_id}/read-all", data={"csrf_token": csrf(client)})
    assert page_tree(client.get("/alerts/")).xpath('//span[@class="unread"]/text()') == []


def user(app, name):
    with app.extensions["monitor"].store() as store:
        return accounts.find_user(store, name)


def test_the_atom_feed_parses_has_one_entry_per_hit_escapes_and_dies_when_revoked(app, tmp_path):
    client = login(app, "ana")
    alert_id = save_alert(client, "q=iran")
    ingest(app, tmp_path, NEWS)
    inbox = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    feed_url = re.search(r'<code dir="ltr">(http://monitor\.example/alerts/feeds/[^<]+\.atom)</code>',
                         inbox).group(1)
    visitor = app.test_client()                     # the secret address needs no login
    answer = visitor.get(feed_url)
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = feedparser.parse(answer.data)
    assert not feed.bozo and len(feed.entries) == 3
    hostile = [e for e in feed.entries if "Iran oil pact" in e.title][0]
    assert hostile.title == HOSTILE_TITLE                       # the text, as text
    assert "<script>" not in hostile.summary and "<img" not in hostile.summary
    assert "&lt;/script&gt;" in hostile.summary and "&lt;img src=x onerror" in hostile.summary
    # feedparser's sanitiser drops <mark>; the feed itself carries it, escaped for XML.
    assert b"&lt;mark&gt;Iran&lt;/mark&gt;" in answer.data
    client.post(f"/alerts/{alert_id}/revoke-feed", data={"csrf_token": csrf(client)})
    assert visitor.get(feed_url).status_code == 404
    client.post(f"/alerts/{alert_id}/new-feed", data={"csrf_token": csrf(client)})
    renewed = re.search(r'(http://monitor\.example/alerts/feeds/[^<]+\.atom)',
                        client.get(f"/alerts/{alert_id}").get_data(as_text=True)).group(1)
    assert renewed != feed_url and visitor.get(renewed).status_code == 200
    assert visitor.get(feed_url).status_code == 404


def test_the_emailed_digest_parses_and_its_links_resolve_in_the_app(app, tmp_path):
    client = login(app, "ana")
    save_alert(client, "q=iran", email="on", frequency="daily")
    ingest(app, tmp_path, NEWS)
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)      # past the next 08:00 UTC
    with smtp_server() as (port, mailbox):
        settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=port, hits_per_message=2,
                                    base_url="http://monitor.example")
        with app.extensions["monitor"].store() as store:
            assert Deliverer(settings).run_once(store, tomorrow) == {
                "digests": 1, "sent": 1, "failed": 0}
    [mail] = mailbox.messages
    assert mail["Subject"] == "Daily digest for “Oil watch”: 3"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    links = set(re.findall(r"http://monitor\.example[^\s\"<]*", text))
    assert len(links) == 4          # two documents, the inbox (for the rest too), the search
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


# --- isolation ------------------------------------------------------------------------------

def test_a_user_cannot_reach_another_users_alert_by_page_api_or_guessed_url(app, tmp_path):
    ana, bob = login(app, "ana"), login(app, "bob")
    alert_id = save_alert(ana, "q=iran", name="Ana's secret watch")
    ingest(app, tmp_path, NEWS)
    assert "Ana's secret watch" not in bob.get("/alerts/").get_data(as_text=True)
    for path in (f"/alerts/{alert_id}", f"/alerts/{alert_id}/edit"):
        assert bob.get(path).status_code == 404
    for action in ("pause", "delete", "read-all", "revoke-feed", "new-feed", "new-secret",
                   "edit", "hits/1/read"):
        data = {"csrf_token": csrf(bob), "name": "mine now", "q": "x", "frequency": "off"}
        assert bob.post(f"/alerts/{alert_id}/{action}", data=data).status_code == 404, action
    headers = {"Authorization": f"Bearer {token_of(app, 'bob')}"}
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("get", "/hits"), ("post", "/read")]:
        answer = getattr(bob, method)(f"/api/alerts/{alert_id}{path}", headers=headers,
                                      json={"name": "mine now"})
        assert answer.status_code == 404 and answer.json == {"error": "not found"}, (method, path)
    assert bob.get("/api/alerts", headers=headers).json == {"alerts": []}
    assert app.test_client().get("/alerts/feeds/guessed-token.atom").status_code == 404
    mine = app.extensions["monitor"].alerts.get(user(app, "ana"), alert_id)
    assert (mine.name, mine.paused, mine.unread, mine.feed_token is not None) == (
        "Ana's secret watch", False, 3, True)


# --- the JSON API ---------------------------------------------------------------------------

def test_api_writes_need_a_token_and_a_disabled_users_token_stops_working(app):
    client = login(app, "ana")               # a session cookie is not enough for the API
    body = {"name": "API oil", "search": {"q": "oil", "from": "-7d"}, "frequency": "daily"}
    assert client.post("/api/alerts", json=body).status_code == 401
    forged = {"Authorization": "Bearer mm_forged"}
    assert client.post("/api/alerts", json=body, headers=forged).status_code == 401
    headers = {"Authorization": f"Bearer {token_of(app, 'bob')}"}
    created = client.post("/api/alerts", json=body, headers=headers)
    assert created.status_code == 201
    assert {k: created.json[k] for k in ("name", "search", "frequency", "paused")} == {
        "name": "API oil", "search": {"q": ["oil"], "from": ["-7d"]}, "frequency": "daily",
        "paused": False}
    alert_id = created.json["id"]
    patched = client.patch(f"/api/alerts/{alert_id}", json={"paused": True, "frequency": "off"},
                           headers=headers)
    assert (patched.json["paused"], patched.json["frequency"]) == (True, "off")
    bad = client.post("/api/alerts", json={"name": "x", "search": {"q": "oil AND"}}, headers=headers)
    assert bad.status_code == 400 and bad.json["error"].startswith("dangling operator 'AND'")
    with app.extensions["monitor"].store() as store:
        accounts.set_disabled(store, "bob")
    assert client.get("/api/alerts", headers=headers).status_code == 401
    assert login_fails(app, "bob")


def login_fails(app, username) -> bool:
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    return client.post("/login", data={"username": username, "password": f"password-{username}",
                                       "csrf_token": token}).status_code == 401


def test_api_answers_match_the_openapi_document(app, tmp_path):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_of(app, 'ana')}"}
    created = client.post("/api/alerts", json={"name": "iran", "search": {"q": "iran"}}, headers=headers)
    ingest(app, tmp_path, NEWS)
    alert_id = created.json["id"]
    for method, path, template in [
            ("GET", "/api/alerts", "/api/alerts"),
            ("GET", f"/api/alerts/{alert_id}", "/api/alerts/{alert_id}"),
            ("GET", f"/api/alerts/{alert_id}/hits", "/api/alerts/{alert_id}/hits"),
            ("POST", f"/api/alerts/{alert_id}/read", "/api/alerts/{alert_id}/read")]:
        answer = client.open(path, method=method, headers=headers)
        assert answer.status_code == 200
        schema[template][method].validate_response(answer)
    assert len(client.get(f"/api/alerts/{alert_id}/hits", headers=headers).json["hits"]) == 3


# --- settings ---------------------------------------------------------------------------------

def test_search_can_require_a_login(app):
    app.config["PUBLIC_SEARCH"] = False
    visitor = app.test_client()
    assert visitor.get("/?q=oil").status_code == 302
    assert visitor.get("/api/search?q=oil").status_code == 401
    assert visitor.get("/search.atom?q=oil").status_code == 302
    assert visitor.get("/login").status_code == 200
    headers = {"Authorization": f"Bearer {token_of(app, 'bob')}"}
    assert visitor.get("/api/search?q=oil", headers=headers).status_code == 200
    assert login(app, "bob").get("/?q=oil").status_code == 200


def test_an_admin_adds_users_and_others_find_no_admin_page(app):
    admin = login(app, "ana")
    answer = admin.post("/admin/users", data={"csrf_token": csrf(admin), "username": "carol",
                                              "password": "password-carol", "email": "c@example.org"})
    assert answer.status_code == 302 and login(app, "carol")
    assert login(app, "bob").get("/admin/users").status_code == 404


def test_the_secret_key_is_made_once_in_the_instance_folder(app, tmp_path):
    key = (tmp_path / "home" / "secret_key").read_text()
    assert len(key) == 64 and create_app({"HOME": str(tmp_path / "home")}).secret_key == key
