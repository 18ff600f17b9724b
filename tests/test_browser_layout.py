"""Every shopper page and the catalog admin at laptop (1366 px) and phone (390 px) width, in a real browser.

- axe-core (the pinned npm package in package.json, installed by `make install-dev` with `npm ci`) runs inside
  each page: no serious or critical violation, signed out, signed in and in the catalog admin;
- no page is wider than the screen, no request fails (the favicon included), no script or CSP error;
- phones get two-column product grids, a "Menu" disclosure that works without JavaScript, and pages a few
  screens tall; laptops get the menu open and the search page's box as one row;
- Find similar draws the detection boxes on the photo, shows no broken image while it waits, and names the
  shopper's photos in its picker.

A full-page screenshot of every page at both widths goes to test-artifacts/screenshots/layout-<width>-<page>.png.
Run alone with: pytest tests/test_browser_layout.py
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests.factories import image_bytes
# Fixtures are found by name in this module's namespace, so importing them shares them.
from tests.test_browser import (  # noqa: F401
    CHROMIUM_ARGS, DEMO_CATALOG, SCREENSHOTS, TIMEOUT_MS, chromium_path, orm_beside_playwright, sync_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PERSON_PHOTO = Path(settings.BASE_DIR).parent / "shared" / "data" / "people" / "omnitry_person_top_cloth.jpg"
WIDTHS = {"desktop": 1366, "phone": 390}
BLOCKING = ("serious", "critical")


@dataclass
class Shop:
    item_id: int
    photo_id: int
    cookies: dict[str, list[dict]] = field(default_factory=dict)


@pytest.fixture
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: `make install-dev` runs `npm ci` (package.json)")
    return AXE.read_text()


@pytest.fixture
def person_photo_bytes() -> bytes:
    if PERSON_PHOTO.is_file():
        return PERSON_PHOTO.read_bytes()
    return image_bytes(size=(480, 720), color=(90, 120, 160))


@pytest.fixture
def shop(live_server, person_photo_bytes) -> Shop:
    """Two demo garments of each class, a shopper with a photo, a closet item and an outfit, and a curator."""
    from accounts.services import photo_upload
    from catalog.models import ClothingItem
    from closet.services import closet_add
    from tests.factories import UserFactory
    from tryon.services import combination_create

    call_command("import_catalog", str(DEMO_CATALOG), "--limit", "2", verbosity=0)
    call_command("build_search_index", verbosity=0)
    items = ClothingItem.objects.select_related("category")
    top = items.filter(category__slug="tops").first()
    bottom = items.filter(category__slug="bottoms").first()
    shopper = UserFactory(username="ada")
    photo = photo_upload(user=shopper, upload=SimpleUploadedFile("me.jpg", person_photo_bytes, "image/jpeg"))
    closet_add(user=shopper, item=top)
    closet_add(user=shopper, item=bottom)
    combination_create(user=shopper, top=top, bottom=bottom)
    curator = UserFactory(username="curator", is_staff=True, is_superuser=True)
    shop = Shop(item_id=top.pk, photo_id=photo.pk)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    for name, user in (("shopper", shopper), ("curator", curator)):
        client = Client()
        client.force_login(user)
        shop.cookies[name] = [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "domain": host, "path": "/"}]
    return shop


def _pages(shop: Shop) -> dict[str, list[tuple[str, str]]]:
    """(name, path) of the pages to check, by who looks at them."""
    visitor = [("home", "/"), ("catalog", "/catalog/"), ("catalog-tops", "/catalog/?category=tops"),
               ("search", "/search/?q=red+t-shirt"), ("item", f"/catalog/{shop.item_id}/"),
               ("sign-in", "/accounts/login/"), ("sign-up", "/accounts/register/"),
               ("password-reset", "/accounts/password-reset/"), ("not-found", "/no-such-page/")]
    shopper = [("home", "/"), ("catalog", "/catalog/"), ("search", "/search/?q=blue+jeans"),
               ("item", f"/catalog/{shop.item_id}/"), ("similar", "/search/similar/"), ("closet", "/closet/"),
               ("history", "/closet/history/"), ("studio", f"/outfits/studio/?item={shop.item_id}"),
               ("outfits", "/outfits/"), ("account", "/accounts/"), ("photo-upload", "/accounts/photos/upload/")]
    curator = [("admin-items", "/admin/catalog/clothingitem/"),
               ("admin-item", f"/admin/catalog/clothingitem/{shop.item_id}/change/")]
    return {"visitor": visitor, "shopper": shopper, "curator": curator}


def _load_every_image(page) -> None:
    page.evaluate("""async () => {
        for (const img of document.querySelectorAll('img[loading=lazy]')) img.loading = 'eager';
        await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
    }""")


def _axe(page, axe_source: str) -> list[dict]:
    """axe-core's violations of WCAG 2.x A/AA and best practice, evaluated in the page (no network)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)  # through the DevTools protocol, which the page's CSP does not govern
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n')[1])}))""")


def test_every_page_passes_axe_and_fits_the_screen(live_server, chromium_path, sync_playwright,  # noqa: F811
                                                    orm_beside_playwright, axe_source, shop):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    blocking: list[str] = []
    minor: dict[str, set[str]] = {}
    too_wide: list[str] = []
    problems: list[str] = []
    heights: dict[str, int] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            for width_name, width in WIDTHS.items():
                for who, pages in _pages(shop).items():
                    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900})
                    if who in shop.cookies:
                        context.add_cookies(shop.cookies[who])
                    page = context.new_page()
                    page.set_default_timeout(TIMEOUT_MS)
                    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/no-such-page/")
                            and problems.append(f"{r.status} {r.url}"))
                    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
                    # The app's own CSP errors count; axe's (it tries inline styles while it measures) do not.
                    page.on("console", lambda m: "Content Security Policy" in m.text and not axe_running
                            and problems.append(f"{page.url}: {m.text}"))
                    for name, path in pages:
                        axe_running = False
                        page.goto(f"{live_server.url}{path}")
                        _load_every_image(page)
                        label = f"{width_name} {who} {name}"
                        axe_running = True
                        for violation in _axe(page, axe_source):
                            if violation["impact"] in BLOCKING:
                                blocking.append(f"{label}: {violation['impact']} {violation['id']} "
                                                f"({violation['help']}): {json.dumps(violation['nodes'][:3])}")
                            else:
                                minor.setdefault(f"{violation['impact']} {violation['id']}", set()).add(label)
                        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
                        if scroll_width > width:
                            too_wide.append(f"{label}: {scroll_width} px")
                        if label == "desktop curator admin-items":  # every column shows, none clipped
                            overflow = page.evaluate("() => { const r = document.querySelector('.results');"
                                                     " return r.scrollWidth - r.clientWidth; }")
                            if overflow > 0:
                                too_wide.append(f"{label}: the item list scrolls {overflow} px sideways")
                        heights[label] = page.evaluate("() => document.documentElement.scrollHeight")
                        page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-{who}-{name}.png"), full_page=True)
                    context.close()
        finally:
            browser.close()
    print("axe, minor and moderate (not blocking):", json.dumps({k: sorted(v) for k, v in minor.items()}, indent=1))
    print("page heights:", json.dumps(heights, indent=1))
    assert blocking == [], "\n".join(blocking)
    assert too_wide == [], too_wide
    assert problems == [], problems
    # Two cards a row and recommendation strips: the phone's home page is a few screens, not 15,000 px.
    assert heights["phone visitor home"] < 5000, heights["phone visitor home"]


def _open(browser, url: str, *, width: int, cookies=None):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900})
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    return page


def _box(locator) -> dict:
    return locator.bounding_box()


def test_phone_menu_grids_and_the_search_box(live_server, chromium_path, sync_playwright,  # noqa: F811
                                            orm_beside_playwright, shop):  # noqa: F811
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            # Phone, and no JavaScript at all: the menu is a disclosure the browser opens by itself.
            context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{live_server.url}/catalog/")
            catalog_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog", exact=True)
            expect(catalog_link).to_be_hidden()
            header = _box(page.locator(".site-header"))
            assert header["height"] < 80, f"the closed menu takes {header['height']} px"
            page.screenshot(path=str(SCREENSHOTS / "layout-390-menu-closed.png"))
            page.get_by_text("Menu", exact=True).click()
            expect(catalog_link).to_be_visible()
            expect(page.get_by_role("link", name="Create account")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "layout-390-menu-open.png"))
            columns = page.evaluate("""() => getComputedStyle(document.querySelector('.grid'))
                .gridTemplateColumns.split(' ').length""")
            assert columns == 2
            first, second = (_box(page.locator(".grid .card").nth(n)) for n in (0, 1))
            assert first["y"] == second["y"] and second["x"] > first["x"] + first["width"]
            context.close()

            # Laptop: the menu is simply open, no "Menu" button; the nav button reads 4.5:1 or better (axe above).
            page = _open(browser, f"{live_server.url}/catalog/", width=1366)
            expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog", exact=True)) \
                .to_be_visible()
            expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
            assert page.evaluate("""() => getComputedStyle(document.querySelector('.grid'))
                .gridTemplateColumns.split(' ').length""") >= 4
            page.context.close()

            # The search page's box is one row: a wide, one-line text input (it was a 220x260 px block).
            for width in WIDTHS.values():
                page = _open(browser, f"{live_server.url}/search/?q=red+t-shirt", width=width)
                box = _box(page.get_by_role("searchbox", name="Search"))
                assert box["height"] < 60, f"{width} px: the search input is {box['height']} px tall"
                assert box["width"] > (500 if width > 1000 else 250), f"{width} px: {box['width']} px wide"
                page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-search-box.png"))
                page.context.close()
        finally:
            browser.close()


def test_find_similar_draws_boxes_on_the_photo_and_names_the_photos(
        live_server, chromium_path, sync_playwright, orm_beside_playwright, shop):  # noqa: F811
    from playwright.sync_api import expect

    if not PERSON_PHOTO.is_file():
        pytest.skip(f"{PERSON_PHOTO} is missing: garment detection needs a real person")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            for width in WIDTHS.values():
                page = _open(browser, f"{live_server.url}/search/similar/", width=width, cookies=shop.cookies["shopper"])
                # The picker shows each photo, named by what sets it apart, not only by a date.
                choice = page.get_by_role("radio", name=re.compile(r"^Your primary photo from \d+ \w{3} \d{4}, \d\d:\d\d$"))
                expect(choice).to_have_count(1)
                expect(page.locator(".photo-options img")).to_have_count(1)
                page.wait_for_function("() => document.querySelector('.photo-options img').naturalWidth > 0")
                page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-similar-picker.png"), full_page=True)
                choice.check()
                # Hold the job's first answer back: meanwhile the result block stays hidden (it showed an
                # empty <img>, a broken-image icon, because its display:grid beat the hidden attribute).
                held = []
                job_poll = re.compile(r"/api/v1/jobs/[0-9a-f-]+$")
                page.route(job_poll, lambda route: held.append(route))
                page.get_by_role("button", name="Find similar").click()
                expect(page.locator("#similar-results .status")).to_be_visible()
                while not held:
                    page.wait_for_timeout(50)
                assert page.evaluate("() => getComputedStyle(document.querySelector('.similar-layout')).display") == "none"
                assert not page.locator(".photo-frame img").is_visible()
                held[0].continue_()
                page.unroute(job_poll)
                expect(page.locator("#similar-results .status")).to_have_text("Done.", timeout=60_000)
                page.wait_for_function("() => document.querySelector('.photo-frame img').naturalWidth > 0")
                photo = _box(page.locator(".photo-frame img"))
                rects = page.locator(".photo-frame rect")
                assert rects.count() >= 1, "no garment was found in the photo"
                for n in range(rects.count()):
                    rect = _box(rects.nth(n))
                    assert photo["y"] - 2 <= rect["y"] and rect["y"] + rect["height"] <= photo["y"] + photo["height"] + 2, \
                        f"{width} px: box {rect} lies outside the photo {photo}"
                    assert photo["x"] - 2 <= rect["x"] and rect["x"] + rect["width"] <= photo["x"] + photo["width"] + 2
                _load_every_image(page)
                page.screenshot(path=str(SCREENSHOTS / f"layout-{width}-similar-results.png"), full_page=True)
                page.context.close()
        finally:
            browser.close()
