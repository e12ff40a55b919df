"""The web app in a real browser: Debian's chromium driven by Playwright against a server
started here on a free loopback port. Each test saves a screenshot of what it checked."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web_support import CHROMIUM, CHROMIUM_ARGS, build_instance, running
from web import create_app

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    home = build_instance(tmp_path_factory.mktemp("browser"))
    with running(create_app({"HOME": str(home)})) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, base_url, tmp_path):
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900},
                                  locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    page.screenshot(path=str(tmp_path / "screenshot.png"), full_page=True)
    context.close()
    assert errors == []         # no script error, no resource the CSP refused


def args_of(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def test_search_from_the_box(page):
    page.goto("/")
    page.fill(".searchbox input[name=q]", "oil exports")
    page.press(".searchbox input[name=q]", "Enter")
    page.wait_for_url("**/?q=oil+exports")
    assert page.locator(".result").count() == 10
    assert page.locator(".result .snippet mark").first.inner_text().lower() in {"oil", "exports"}
    assert page.locator(".summary strong").inner_text().endswith("matches")


def test_include_then_exclude_a_facet_value(page):
    page.goto("/?q=oil")
    page.click('section[data-facet="country"] li[data-value="IR"] a.include')
    page.wait_for_url("**country=IR**")
    assert args_of(page) == {"q": ["oil"], "country": ["IR"]}
    assert page.locator('.chip[data-facet="country"] .chip-value').inner_text() == "Iran"
    row = page.locator('section[data-facet="entity"] li[data-value]').first
    name = row.get_attribute("data-value")
    row.hover()
    row.locator("a.exclude").click()
    page.wait_for_url("**exclude_entity=**")
    assert args_of(page)["exclude_entity"] == [name]
    assert page.locator(".chip.chip-excluded .chip-value").inner_text() == name


def test_histogram_bar_narrows_the_dates(page):
    page.goto("/?q=oil")
    bar = page.locator("svg.histogram-chart a.bar").nth(2)
    count = int(bar.locator("title").text_content().rsplit(": ", 1)[1])
    bar.click()
    page.wait_for_url("**from=**")
    args = args_of(page)
    assert set(args) == {"q", "from", "to"}
    assert page.locator('.chip[data-facet="date"]').count() == 1
    assert page.locator(".summary strong").inner_text().split()[0] == str(count)


def test_chip_remove_brings_the_search_back(page):
    page.goto("/?q=oil&country=IR&exclude_kind=brief")
    page.click('.chip[data-facet="country"] a.chip-remove')
    page.wait_for_url(lambda url: "country=IR" not in url)
    assert args_of(page) == {"q": ["oil"], "exclude_kind": ["brief"]}
    assert page.locator(".chip").count() == 1


def test_open_a_document_then_an_entity(page):
    page.goto("/?source=Hostile+Daily")
    page.click(".result .result-title a")
    page.wait_for_url("**/documents/**")
    assert "<script>alert(1)</script>" in page.locator("article.document h1").inner_text()
    assert page.locator(".doc-meta").get_by_text("date from the source's metadata").count() == 1
    page.click('a.tag-entity:has-text("Leila Farahani")')
    page.wait_for_url("**/entities/Leila%20Farahani")
    assert page.locator("h1").inner_text() == "Leila Farahani"
    assert page.locator(".variants li").all_inner_texts() == ["farahani"]
    assert page.locator("svg.histogram-chart a.bar").count() > 1


def test_switch_to_persian(page):
    page.goto("/?q=oil")
    page.click('nav.languages a[data-lang="fa"]')
    page.wait_for_function("document.documentElement.lang === 'fa'")
    assert page.url.endswith("/?q=oil")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator(".searchbox button").inner_text() == "جست‌وجو"
    assert page.locator('section[data-facet="country"] h2').inner_text() == "کشور"
    # The sidebar sits on the right and the results on the left: the layout mirrors.
    sidebar, results = page.locator(".sidebar").bounding_box(), page.locator(".results").bounding_box()
    assert sidebar["x"] > results["x"]
    assert all(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in page.locator(".summary strong").inner_text().split()[0])
    # Document text keeps its own direction.
    title = page.locator(".result-title").first
    assert title.evaluate("e => getComputedStyle(e).direction") == "ltr"


def test_page_forward(page):
    page.goto("/?q=minister")
    first = page.locator(".result").first.get_attribute("data-id")
    page.click(".pager a.pager-next")
    page.wait_for_url("**page=2**")
    assert page.locator(".pager-where").inner_text() .startswith("Page 2 of")
    assert page.locator(".result").first.get_attribute("data-id") != first
    assert page.locator("ol.result-list").get_attribute("start") == "11"


def test_sort_menu_applies_itself(page):
    page.goto("/?q=oil")
    assert page.locator('form.sort button[type="submit"]').is_hidden()
    page.select_option("select#sort", "oldest")
    page.wait_for_url("**sort=oldest**")
    dates = page.locator(".result time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates)
