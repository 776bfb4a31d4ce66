"""The search page in headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): type a query, see the planted best among the first results with a
highlighted snippet, see the error state for a bad query; see how a query was understood
("Showing results for pizza · $", "search instead for piza"), places of a nearby zipcode
labelled, a category-only match explained. Screenshots go to artifacts/."""

import os
import re
from urllib.parse import quote_plus

import pytest
import requests
from conftest import search
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


def test_phone_width(browser, base_url, planted, typo_case, nearby_case, artifacts):
    query, _ = best_case(base_url, planted)
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = ctx.new_page()
    pg.goto(f"{base_url}/?q={quote_plus(query)}")
    expect(pg.locator("body")).to_have_attribute("data-state", "results")
    overflow = pg.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a phone"
    pg.screenshot(path=str(artifacts / "e2e-phone.png"), full_page=False)
    # With what the query was understood as, and places of a nearby zipcode.
    zipcode, dish, typo = typo_case
    nz, ndish, _ = nearby_case
    for qs in (
        f"q={quote_plus(f'cheap {typo} with outdoor seating near me {zipcode}')}",
        f"q={quote_plus(f'{nz} {ndish}')}&related=false",
    ):
        pg.goto(f"{base_url}/?{qs}")
        expect(pg.locator("body")).to_have_attribute("data-state", "results")
        overflow = pg.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{qs}: page is {overflow}px wider than a phone"
    pg.screenshot(path=str(artifacts / "e2e-phone-nearby.png"), full_page=False)
    ctx.close()


def test_a_typo_is_corrected_and_the_words_as_typed_are_a_click_away(
    page, base_url, typo_case, artifacts
):
    zipcode, dish, typo = typo_case
    page.goto(f"{base_url}/")
    page.locator("#q").fill(f"{zipcode} {typo}")
    page.locator("#q").press("Enter")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    box = page.locator("#understood")
    expect(box).to_contain_text(f"Showing results for {dish}")
    expect(box.locator("strong.need")).to_have_text(dish)
    expect(box).to_contain_text(f"search instead for {typo}")
    instead = box.locator("a.instead")
    expect(instead).to_have_text(typo)
    fixed = search(base_url, q=f"{zipcode} {typo}", limit=10)
    names = page.locator("#results li.result .name").all_inner_texts()
    assert names == [h["name"] for h in fixed["results"]]
    page.screenshot(path=str(artifacts / "e2e-typo.png"), full_page=False)

    # The link searches the words as typed, in place, and says so.
    instead.click()
    expect(page).to_have_url(re.compile(r"[?&]literal=true(&|$)"))
    expect(box.locator("strong.need")).to_have_text(typo)
    expect(box).to_contain_text(f"Showing results for exactly {typo}")
    literal = search(base_url, q=f"{zipcode} {typo}", limit=10, literal="true")
    assert literal["interpretation"]["literal"] is True
    if literal["results"]:
        expect(page.locator("body")).to_have_attribute("data-state", "results")
    else:
        expect(page.locator("body")).to_have_attribute("data-state", "empty")
    names = page.locator("#results li.result .name").all_inner_texts()
    assert names == [h["name"] for h in literal["results"]]
    page.screenshot(path=str(artifacts / "e2e-literal.png"), full_page=False)

    # And a link back; the browser's Back button returns to the literal search.
    box.locator("a.back").click()
    expect(box.locator("strong.need")).to_have_text(dish)
    assert "literal=" not in page.url
    expect(box.locator("a.instead")).to_have_text(typo)
    page.go_back()
    expect(box.locator("strong.need")).to_have_text(typo)
    expect(page.locator("#q")).to_have_value(f"{zipcode} {typo}")
    assert not page.problems, page.problems


def test_a_price_word_shows_the_price(page, base_url, planted):
    zipcode, dish, _ = planted[0]
    page.goto(f"{base_url}/")
    page.locator("#q").fill(f"cheap {dish} {zipcode}")
    page.locator("#q").press("Enter")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    box = page.locator("#understood")
    expect(box.locator("strong.need")).to_have_text(dish)
    expect(box.locator(".bit", has_text=re.compile(r"^\$$"))).to_have_count(1)
    expect(box).to_contain_text(f"Showing results for {dish} \u00b7")
    assert not page.problems, page.problems


def test_places_of_a_nearby_zipcode_are_labelled(page, base_url, nearby_case, artifacts):
    zipcode, dish, body = nearby_case
    page.goto(f"{base_url}/?q={quote_plus(f'{zipcode} {dish}')}&related=false")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    hits = body["results"]
    names = page.locator("#results li.result .name").all_inner_texts()
    assert names == [h["name"] for h in hits]
    # One separator, right before the first place of a nearby zipcode.
    first_near = next(i for i, h in enumerate(hits) if "distance_km" in h)
    kinds = [li.get_attribute("class") for li in page.locator("#results > li").all()]
    assert kinds.count("nearsep") == 1 and kinds.index("nearsep") == first_near, kinds
    expect(page.locator("#results li.nearsep h2")).to_have_text(f"Places near {zipcode}")
    # Each of them labelled with its zipcode and distance; the zipcode's own are not.
    labels = page.locator("#results li.result .near").all_inner_texts()
    near = [h for h in hits if "distance_km" in h]
    assert len(labels) == len(near)
    for label, h in zip(labels, near):
        m = re.fullmatch(r"in (.+) · ([0-9.]+)\s?km", label.replace("\u00a0", " "))
        assert m and m.group(1) == h["postal_code"], label
        assert abs(float(m.group(2)) - h["distance_km"]) <= 0.51, (label, h["distance_km"])
    box = page.locator("#understood")
    for n in body["interpretation"]["nearby"]:
        expect(box).to_contain_text(f"near {n['zip']}")
    page.screenshot(path=str(artifacts / "e2e-nearby.png"), full_page=True)
    assert not page.problems, page.problems


def test_a_category_match_without_reviews_says_so(page, base_url, categories, artifacts):
    case = None
    for zipcode in sorted(categories, key=lambda z: -len(categories[z])):
        for cat in sorted(categories[zipcode]):
            word = cat.lower()
            if not re.fullmatch(r"[a-z]{4,}", word):
                continue
            body = search(base_url, q=f"{zipcode} {word}", related="false", limit=10)
            for i, h in enumerate(body["results"]):
                if h["matches"] == 0 and h["matched"] == ["category"]:
                    case = (zipcode, word, body, i)
                    break
            if case:
                break
        if case:
            break
    assert case, "no search of a category word has a place matched by its category only"
    zipcode, word, body, i = case
    page.goto(f"{base_url}/?q={quote_plus(f'{zipcode} {word}')}&related=false")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    hit = page.locator("#results li.result").nth(i)
    expect(hit.locator(".name")).to_have_text(body["results"][i]["name"])
    note = hit.locator(".matchnote")
    expect(note).to_contain_text("No review mentions it yet")
    cats = body["interpretation"]["categories"]
    if len(cats) == 1:
        expect(note).to_contain_text(f" {cats[0]} place")
    assert hit.locator(".snippets").count() == 0 and hit.locator(".relnote").count() == 0
    hit.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "e2e-category.png"), full_page=False)
    assert not page.problems, page.problems


def test_the_words_typed_are_shown_as_text(page, base_url, typo_case):
    zipcode, _, typo = typo_case
    page.goto(f"{base_url}/?q={quote_plus(f'{zipcode} <i>{typo}</i>')}")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    box = page.locator("#understood")
    expect(box.locator("a.instead")).to_have_text(f"<i>{typo}</i>")
    assert box.locator("i").count() == 0
    assert not page.problems, page.problems


def test_the_header_counts_only_places_whose_reviews_match(page, base_url, planted):
    """"N places … where reviewers mention X" counts the places whose reviews match, not
    the related ones after them (it said 10 where 2 matched); no raw score is shown."""
    for zipcode, dish, _ in planted:
        r = requests.get(f"{base_url}/search", params={"q": f"{zipcode} {dish}"}, timeout=10)
        hits = [h for h in r.json()["results"] if h.get("distance_km") is None]
        mention = sum("reviews" in h["matched"] for h in hits)
        if 0 < mention < len(hits):
            break
    else:
        pytest.fail("no planted query with both matches and related places")
    page.goto(f"{base_url}/?q={quote_plus(f'{zipcode} {dish}')}")
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    places = "place" if mention == 1 else "places"
    status = page.locator("#status")
    expect(status).to_contain_text(f"{mention} {places} in {zipcode} where reviewers mention")
    others = len(hits) - mention
    expect(status).to_contain_text(f"{others} other place")
    assert page.locator(".score").count() == 0
    assert not re.search(r"score\s*-?\d", page.locator("#results").inner_text())
    assert not page.problems, page.problems


def test_an_empty_query_shows_the_hint_not_an_error(page, base_url):
    page.goto(f"{base_url}/")
    page.locator("#q").fill("   ")
    page.locator("#search-form button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("Type what you are looking for")
    expect(page.locator("body")).to_have_attribute("data-state", "idle")
    expect(page.locator("#error")).to_be_empty()
    expect(page.locator("#hint")).to_be_visible()
    assert not page.problems, page.problems


def test_suggestions_come_from_the_index_and_each_finds_places(page, base_url):
    """The page's suggestions are /ready's examples (one of its fixed ones, for 85705,
    found nothing on the demo data), and each finds places by their reviews."""
    examples = requests.get(f"{base_url}/ready", timeout=10).json()["examples"]
    assert examples
    page.goto(f"{base_url}/")
    links = page.locator("#examples a")
    expect(links).to_have_count(len(examples))
    assert [links.nth(i).inner_text() for i in range(len(examples))] == examples
    for q in examples:
        r = requests.get(
            f"{base_url}/search",
            params={"q": q, "related": "false", "nearby": "false"},
            timeout=10,
        )
        assert any("reviews" in h["matched"] for h in r.json()["results"]), q
    links.first.click()
    expect(page.locator("body")).to_have_attribute("data-state", "results")
    expect(page.locator("#status")).to_contain_text("where reviewers mention")
    assert not page.problems, page.problems
