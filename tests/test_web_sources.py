"""The admin page of polled sources: the list with health after a real poll over loopback,
adding through the form, pause, resume, remove, poll now, admins only, CSRF, Persian."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from indexer import accounts
from indexer.instance import Instance
from indexer.service import Monitor
from tests.sources_support import LOOPBACK, Route, feed_server, rss, story
from tests.web_support import page_tree
from web import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)
PAGE = "/admin/sources/"


@pytest.fixture()
def app(tmp_path):
    home = tmp_path / "home"
    app = create_app({"HOME": str(home), "SOURCE_FETCH_SETTINGS": LOOPBACK})
    # A fixed clock, so run times and next tries are known values.
    app.extensions["monitor"].close()
    app.extensions["monitor"] = Monitor(Instance(home), lambda: NOW)
    with app.extensions["monitor"].store() as store:
        accounts.add_user(store, "ana", "password-ana", "ana@example.org", is_admin=True)
        accounts.add_user(store, "bob", "password-bob", "bob@example.org")
    yield app
    app.extensions["monitor"].close()


@pytest.fixture()
def site():
    with feed_server() as site:
        site.routes["/feed"] = Route(rss([story(1), story(2)], title="Port Daily"))
        site.routes["/wire"] = Route(rss([story(3)], title="Wire"))
        yield site


def login(app, username):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"username": username, "password": f"password-{username}",
                                         "csrf_token": token})
    assert answer.status_code == 302
    return client


def token(client):
    return CSRF.search(client.get(PAGE).get_data(as_text=True)).group(1)


def add(client, url, **fields):
    return client.post(PAGE, data={"url": url, "csrf_token": token(client), **fields})


def act(client, action, name):
    return client.post(f"{PAGE}{action}", data={"source": name, "csrf_token": token(client)})


def rows(client, path=PAGE):
    """Each source's row: name -> {column heading: cell text}."""
    page = page_tree(client.get(path))
    headings = [th.text_content().strip() for th in page.xpath("//table//th")]
    return {row.get("data-source"): cells(headings, row.xpath("td"))
            for row in page.xpath("//tr[@data-source]")}


def cells(headings, tds):
    return {heading: " ".join(td.text_content().split())
            for heading, td in zip(headings, tds, strict=True)}


def flashes(client):
    return [li.text_content() for li in page_tree(client.get(PAGE)).xpath('//ul[@class="flashes"]/li')]


def test_the_admin_sees_every_source_with_its_health_after_a_poll(app, site):
    client = login(app, "ana")
    assert add(client, site.url("/feed")).status_code == 302
    assert add(client, site.url("/wire"), every="2h", lang="en").status_code == 302
    site.routes["/wire"] = Route(b"down for maintenance", "text/plain", 503)

    answer = act(client, "poll", "Port Daily")
    assert (answer.status_code, answer.headers["Location"]) == (302, PAGE)
    assert flashes(client) == ["Port Daily polled: 2 fetched, 2 new, 0 updated, "
                               "0 unchanged, 0 errors."]
    act(client, "poll", "Wire")
    assert flashes(client) == ["Wire: the poll failed: HTTP 503 Service Unavailable"]

    table = rows(client)
    assert table["Port Daily"] == {
        "Name": f"Port Daily {site.url('/feed')}", "Every": "15 minutes",
        "Language": "as the items say", "Full articles": "no", "State": "ok",
        "Last run": "Mar 10, 2026, 8:00:00 AM UTC fetched 2 new 2 updated 0 unchanged 0 errors 0",
        "Last failure": "none", "Next poll": "Mar 10, 2026, 8:15:00 AM UTC",
        "": "Poll now Pause Remove"}
    # Failing: the reason, and the next try backed off to twice the interval.
    assert table["Wire"] == {
        "Name": f"Wire {site.url('/wire')}", "Every": "2 hours", "Language": "English",
        "Full articles": "no", "State": "failing",
        "Last run": "Mar 10, 2026, 8:00:00 AM UTC fetched 0 new 0 updated 0 unchanged 0 errors 1",
        "Last failure": "HTTP 503 Service Unavailable",
        "Next poll": "Mar 10, 2026, 12:00:00 PM UTC", "": "Poll now Pause Remove"}

    # A second poll of an unchanged feed costs a 304 and says so.
    act(client, "poll", "Port Daily")
    assert flashes(client) == ["Port Daily: the feed has not changed since the last poll."]
    assert rows(client)["Port Daily"]["Last run"].endswith("feed unchanged fetched 0 new 0 "
                                                           "updated 0 unchanged 0 errors 0")


def test_adding_through_the_form_creates_a_source(app, site):
    client = login(app, "ana")
    answer = add(client, site.url("/feed"), name="Harbour", every="30m", lang="EN",
                 fetch_articles="on")
    assert (answer.status_code, answer.headers["Location"]) == (302, PAGE)
    assert flashes(client) == ["Added Harbour."]
    assert rows(client)["Harbour"] == {
        "Name": f"Harbour {site.url('/feed')}", "Every": "30 minutes", "Language": "English",
        "Full articles": "yes", "State": "not polled yet", "Last run": "never",
        "Last failure": "none", "Next poll": "Mar 10, 2026, 8:00:00 AM UTC",
        "": "Poll now Pause Remove"}


@pytest.mark.parametrize("fields, reason", [
    ({"url": "ftp://example.org/feed"}, "only http and https URLs"),
    ({"every": "often"}, "not an interval: 'often' (write 30s, 15m, 2h or 1d)"),
    ({"lang": "english"},
     "not a language code: 'english' (write a two- or three-letter code, like en or fa)"),
])
def test_a_refused_source_is_said_on_the_form_which_keeps_what_was_typed(app, site, fields,
                                                                         reason):
    client = login(app, "ana")
    answer = add(client, **{"url": site.url("/feed"), "name": "Harbour", **fields})
    page = page_tree(answer)
    assert answer.status_code == 400
    assert reason in page.xpath('string(//p[@class="alert"])')
    assert page.xpath('string(//input[@name="name"]/@value)') == "Harbour"
    assert rows(client) == {}


def test_pause_resume_and_remove(app, site):
    client = login(app, "ana")
    add(client, site.url("/feed"))

    assert act(client, "pause", "Port Daily").status_code == 302
    assert flashes(client) == ["Paused Port Daily."]
    paused = rows(client)["Port Daily"]
    assert (paused["State"], paused["Next poll"], paused[""]) == ("paused", "paused",
                                                                  "Poll now Resume Remove")

    act(client, "resume", "Port Daily")
    assert flashes(client) == ["Resumed Port Daily: it is polled at once."]
    assert rows(client)["Port Daily"]["State"] == "not polled yet"

    act(client, "remove", "Port Daily")
    assert flashes(client) == ["Removed Port Daily; the documents it brought stay."]
    assert rows(client) == {}
    assert act(client, "pause", "Port Daily").status_code == 404


def test_only_admins_reach_the_page(app, site):
    admin = login(app, "ana")
    add(admin, site.url("/feed"))
    assert page_tree(admin.get("/")).xpath('//nav[@class="account-nav"]/a[@href="/admin/sources/"]')

    bob = login(app, "bob")
    assert bob.get(PAGE).status_code == 403
    assert not page_tree(bob.get("/")).xpath('//a[@href="/admin/sources/"]')
    bob_token = CSRF.search(bob.get("/account").get_data(as_text=True)).group(1)
    for action in ("poll", "pause", "remove"):
        answer = bob.post(f"{PAGE}{action}", data={"source": "Port Daily", "csrf_token": bob_token})
        assert answer.status_code == 403
    assert bob.post(PAGE, data={"url": site.url("/wire"), "csrf_token": bob_token}).status_code == 403

    visitor = app.test_client().get(PAGE)
    assert (visitor.status_code, visitor.headers["Location"]) == (302, "/login?next=/admin/sources/")
    assert list(rows(admin)) == ["Port Daily"]
    assert rows(admin)["Port Daily"]["State"] == "not polled yet"
    assert site.hits("/wire") == []


def test_a_form_without_a_csrf_token_is_refused(app, site):
    client = login(app, "ana")
    refused = client.post(PAGE, data={"url": site.url("/feed")})
    assert refused.status_code == 400
    assert page_tree(refused).xpath("string(//h1)") == "This form has expired"
    add(client, site.url("/wire"))
    assert client.post(f"{PAGE}remove", data={"source": "Wire"}).status_code == 400
    assert list(rows(client)) == ["Wire"]
    assert site.hits("/feed") == []


def test_the_page_in_persian_reads_right_to_left(app, site):
    client = login(app, "ana")
    add(client, site.url("/feed"))
    client.set_cookie("lang", "fa")
    page = page_tree(client.get(PAGE))
    assert (page.get("lang"), page.get("dir")) == ("fa", "rtl")
    assert page.xpath("string(//h1)") == "منابع"
    assert page.xpath("string(//h2)") == "افزودن منبع"
    assert [th.text_content() for th in page.xpath("//th")][:3] == ["نام", "هر چند وقت", "زبان"]
    assert page.xpath('string(//nav[@class="account-nav"]/a[@href="/admin/sources/"])') == "منابع"
    row = rows(client)["Port Daily"]
    assert (row["هر چند وقت"], row["وضعیت"]) == ("۱۵ دقیقه", "هنوز دریافت نشده")
