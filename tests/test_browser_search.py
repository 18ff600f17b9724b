"""Search and browse in a real browser at desktop and phone widths: the filters, a search that
reads its words as filters, and the "no results" page. Screenshots go to
test-artifacts/screenshots/search-<width>-<step>.png. Run it alone with: pytest -m browser
"""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.factories import garment
from tests.test_browser import (  # noqa: F401 (fixtures)
    CHROMIUM_ARGS, SCREENSHOTS, TIMEOUT_MS, chromium_path, orm_beside_playwright, sync_playwright)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
WIDTHS = {1366: 900, 390: 844}


@pytest.fixture
def shop():
    items = [
        ("dresses", "Red Floral Summer Dress", (200, 30, 40), {"type": "dress", "color": "red"}, "29.90", None),
        ("dresses", "Navy Linen Dress", (30, 40, 80), {"type": "dress", "color": "navy"}, "69.90", "89.90"),
        ("tops", "Black Leather Biker Jacket", (20, 20, 20), {"type": "jacket", "color": "black"}, "129.00", None),
        ("tops", "Olive Wool Coat", (100, 100, 55), {"type": "coat", "color": "olive"}, "99.00", "139.00"),
        ("tops", "White Cotton T-Shirt", (245, 245, 245), {"type": "t-shirt", "color": "white"}, "15.90", None),
        ("bottoms", "Red Pleated Skirt", (190, 35, 45), {"type": "skirt", "color": "red"}, "34.90", "49.90"),
        ("bottoms", "Blue Denim Jeans", (40, 70, 160), {"type": "jeans", "color": "blue"}, "49.90", None),
        ("bottoms", "Red Chino Trousers", (185, 40, 40), {"type": "trousers", "color": "red"}, "39.90", None),
    ]
    for slug, title, color, attributes, price, was in items:
        garment(slug=slug, title=title, color=color, attributes=attributes, price=Decimal(price),
                compare_at_price=Decimal(was) if was else None, sizes=["S", "M"])
    call_command("build_search_index", verbosity=0)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_filters_search_and_no_results_at_desktop_and_phone_widths(
        live_server, chromium_path, sync_playwright, orm_beside_playwright, shop, width):
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"search-{width}-{name}.png"), full_page=True)

    def fits(page):
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the screen"
        assert "{#" not in page.locator("main").inner_text(), "template text leaked onto the page"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": WIDTHS[width]})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{live_server.url}/")  # a new shop, a visitor: both rows full, no activity needed
            for row in ("#trending", "#for-you"):
                expect(page.locator(f"section:has({row}) .card")).to_have_count(8)
            fits(page)
            shot(page, "0-home-new-shop")

            page.goto(f"{live_server.url}/catalog/")
            expect(page.locator(".card")).to_have_count(8)
            expect(page.get_by_label("Type")).to_be_hidden()  # folded until used: results first on a phone
            page.locator("summary", has_text="Filter and sort").click()
            page.get_by_label("Type").select_option("coat")
            page.get_by_label("Sort by").select_option("-price")
            page.get_by_role("button", name="Apply").click()
            expect(page).to_have_url(re.compile(r"garment_type=coat"))
            titles = page.locator(".card h3").all_inner_texts()
            assert titles == ["Black Leather Biker Jacket", "Olive Wool Coat"]  # coats, dearest first
            expect(page.locator(".card s.was")).to_have_text("Was $139.00")
            fits(page)
            shot(page, "1-catalog-coats")

            page.goto(f"{live_server.url}/search/?q=red+dress")
            expect(page.locator(".card h3")).to_have_text(["Red Floral Summer Dress"])
            expect(page.locator(".understood")).to_contain_text("red")
            assert "Relevance 0" not in page.content()
            fits(page)
            shot(page, "2-red-dress")

            page.goto(f"{live_server.url}/search/?q=red")
            page.locator("summary", has_text="Filter and sort").click()
            page.get_by_label("On sale only").check()
            page.get_by_role("button", name="Search").click()
            expect(page.locator(".card h3")).to_have_text(["Red Pleated Skirt"])

            page.goto(f"{live_server.url}/search/?q=xyzzy+qwerty")
            expect(page.get_by_role("heading", name="No results for “xyzzy qwerty”")).to_be_visible()
            expect(page.locator(".card")).to_have_count(0)
            page.locator(".no-results").get_by_role("link", name="Dresses").click()
            expect(page).to_have_url(re.compile(r"/catalog/\?category=dresses$"))
            page.go_back()
            fits(page)
            shot(page, "3-no-results")

            page.goto(f"{live_server.url}/search/?q=jaket")
            page.get_by_role("link", name="jacket").click()
            expect(page.locator(".card h3").first).to_have_text("Black Leather Biker Jacket")
        finally:
            browser.close()
