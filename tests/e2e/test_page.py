"""The search page in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): type a query, see the planted best among the first results with a
highlighted snippet, see the error state for a bad query. Screenshots go to artifacts/."""

import os
from urllib.parse import quote_plus

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("YS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    pg = ctx.new_page()
    problems = []

    def on_console(m):
        # A fetch answered 4xx is logged as "Failed to load resource"; that is the
        # page's error state working, not a problem. Anything else (CSP violations,
        # script errors) is.
        if m.type == "error" and not m.text.startswith("Failed to load resource"):
            problems.append(m.text)

    pg.on("console", on_console)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    ctx.close()


def best_case(base_url, planted):
    """A planted (zip, dish) whose champion the API ranks in the top 3, with its name."""
    for zipcode, dish, best in planted:
        r = requests.get(f"{base_url}/search", params={"q": f"{zipcode} {dish}"}, timeout=10)
        ids = [h["business_id"] for h in r.json()["results"][:3]]
        if best in ids:
            return f"{zipcode} {dish}", r.json()["results"][ids.index(best)]["name"]
    pytest.fail("no planted champion in the API's top 3 for any pair")


def test_search_shows_planted_best_with_highlighted_snippets(page, base_url, planted, artifacts):
    query, best_name = best_case(base_url, planted)
    page.goto(f"{base_url}/")
    expect(page.locator("body")).to_have_attribute("data-state", "idle")
    page.locator("#q").fill(query)
    page.locator("#q").press("Enter")  # keyboard only
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    names = page.locator("#results li.result .name").all_inner_texts()
    assert best_name in names[:3], f"{best_name!r} not in the first results {names[:5]}"
    marks = page.locator("#results li.result .snippet mark")
    assert marks.count() > 0
    assert marks.first.inner_text().strip()
    assert page.locator("#results li.result .matches").first.inner_text().strip()
    assert page.locator("#results li.result .stars").count() == len(names)
    # The query is in the URL, so the result page can be shared.
    assert f"q={quote_plus(query)}" in page.url
    page.screenshot(path=str(artifacts / "e2e-results.png"), full_page=True)
    assert not page.problems, page.problems  # no CSP violation, no script error

    # A shared link renders the same results on load.
    page.goto(page.url)
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    assert best_name in page.locator("#results li.result .name").all_inner_texts()[:3]


def test_bad_query_shows_the_error_state(page, base_url, artifacts):
    page.goto(f"{base_url}/")
    page.locator("#q").fill("pasta")  # no zipcode
    page.locator("#search-form button[type=submit]").click()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    expect(page.locator("#error")).not_to_be_empty()
    assert page.locator("#results li.result").count() == 0
    page.screenshot(path=str(artifacts / "e2e-error.png"), full_page=True)

    page.locator("#q").fill("pasta 00000")  # a zipcode with no businesses
    page.locator("#q").press("Enter")
    expect(page.locator("body")).to_have_attribute("data-state", "empty")
    expect(page.locator("#status")).to_contain_text("00000")
    assert not page.problems, page.problems


def test_phone_width(browser, base_url, planted, artifacts):
    query, _ = best_case(base_url, planted)
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = ctx.new_page()
    pg.goto(f"{base_url}/?q={quote_plus(query)}")
    expect(pg.locator("body")).to_have_attribute("data-state", "results")
    overflow = pg.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a phone"
    pg.screenshot(path=str(artifacts / "e2e-phone.png"), full_page=False)
    ctx.close()
