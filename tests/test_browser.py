"""A shopper's first visit, end to end in a real browser.

Debian's Chromium, driven by Playwright's sync API, against pytest-django's live server:
register -> upload a full-body photo (preview before submit) -> browse the catalog -> open an
item -> add it to the closet -> see it in the closet -> see it in the history.

A full-page screenshot of every step goes to test-artifacts/screenshots/<NN>-<step>.png.
Run it alone with: pytest -m browser
"""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import PASSWORD, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
DEMO_CATALOG = Path(settings.BASE_DIR) / "catalog" / "demo"
PERSON_PHOTO = Path(settings.BASE_DIR).parent / "shared" / "data" / "people" / "omnitry_person_top_cloth.jpg"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 10_000


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def sync_playwright():
    return pytest.importorskip("playwright.sync_api", reason="playwright is not installed").sync_playwright


@pytest.fixture
def orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM checks are plain
    # synchronous queries, so Django's async-safety guard has nothing to protect here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def person_photo(tmp_path) -> Path:
    if PERSON_PHOTO.is_file():
        return PERSON_PHOTO
    path = tmp_path / "person.jpg"
    path.write_bytes(image_bytes(size=(480, 720), color=(90, 120, 160)))
    return path


def _image_loaded(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_shopper_registers_uploads_a_photo_and_fills_the_closet(
        live_server, chromium_path, sync_playwright, orm_beside_playwright, person_photo):
    from playwright.sync_api import expect

    from accounts.models import Photo, User
    from catalog.models import ClothingItem
    from closet.models import ClosetItem, HistoryEntry

    call_command("import_catalog", str(DEMO_CATALOG), verbosity=0)
    tops = ClothingItem.objects.filter(category__slug="tops", is_active=True).count()
    assert ClothingItem.objects.count() >= 40 and tops > 0, "the demo catalog did not import"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    step = iter(range(1, 100))

    def shot(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{next(step):02d}-{name}.png"), full_page=True)

    failed_responses: list[str] = []
    page_errors: list[str] = []
    url = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                    and failed_responses.append(f"{r.status} {r.url}"))
            page.on("pageerror", lambda exc: page_errors.append(str(exc)))
            page.on("console", lambda message: "Content Security Policy" in message.text
                    and page_errors.append(f"CSP: {message.text}"))

            # 1. Register.
            page.goto(f"{url}/accounts/register/")
            expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
            # Help texts are tied to their inputs, so screen readers announce them.
            expect(page.get_by_label("Username")).to_have_accessible_description("3 to 150 characters.")
            page.get_by_label("Username").fill("ada")
            page.get_by_label("Email").fill("ada@example.com")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_label("Confirm password").fill(PASSWORD)
            shot(page, "register-form")
            page.get_by_role("button", name="Create account").click()
            expect(page).to_have_url(f"{url}/accounts/photos/upload/")
            expect(page.locator(".message.success")).to_contain_text("Welcome, ada!")
            expect(page.get_by_role("link", name="ada")).to_be_visible()  # signed in
            assert User.objects.filter(username="ada", email="ada@example.com").exists()
            shot(page, "registered")

            # 2. Choose a full-body photo: the preview shows before anything is sent.
            expect(page.get_by_label("Full-body photo")).to_have_accessible_description(re.compile("JPEG, PNG or WEBP"))
            preview = page.locator("figure.preview")
            expect(preview).to_be_hidden()
            page.get_by_label("Full-body photo").set_input_files(str(person_photo))
            expect(preview).to_be_visible()
            expect(page.locator("img#photo-preview")).to_have_attribute("src", re.compile(r"^blob:"))
            page.wait_for_function("() => document.getElementById('photo-preview').naturalWidth > 0")
            assert Photo.objects.count() == 0, "the photo left the browser before Upload"
            shot(page, "photo-preview")

            page.get_by_role("button", name="Upload").click()
            expect(page).to_have_url(f"{url}/accounts/")
            expect(page.locator(".message.success")).to_have_text("Photo uploaded.")
            photo_img = page.locator("figure.photo img")
            expect(photo_img).to_have_count(1)
            photo_img.scroll_into_view_if_needed()
            page.wait_for_function("() => document.querySelector('figure.photo img').naturalWidth > 0")
            # Without the shared people photos the stand-in shows no person: marked, never primary.
            expect(page.locator("figure.photo .badge")).to_have_text(
                "Primary" if PERSON_PHOTO.is_file() else "Not for try-on")
            assert Photo.objects.filter(owner__username="ada").count() == 1
            shot(page, "photo-uploaded")

            # 3. Browse the catalog, tops only.
            page.get_by_role("link", name="Catalog", exact=True).click()
            expect(page.get_by_role("heading", name="All clothes")).to_be_visible()
            page.get_by_label("Categories").get_by_role("link", name="Tops").click()
            expect(page).to_have_url(f"{url}/catalog/?category=tops")
            expect(page.locator("main .meta").first).to_have_text(f"{tops} item{'s' if tops != 1 else ''}")
            cards = page.locator(".grid .card")
            expect(cards).to_have_count(min(tops, 24))
            # the card names the garment type, one of the tops' (t-shirt, shirt, knit, coat/jacket…)
            expect(cards.locator(".meta").first).to_contain_text(re.compile(r"T-shirt|Shirt|Top|Knit|Hoodie|Coat"))
            first_img = cards.first.locator("img")
            expect(first_img).to_be_visible()
            page.wait_for_function("() => document.querySelector('.grid .card img').naturalWidth > 0")
            title = cards.first.locator("h3").inner_text().strip()
            assert title, "the first card has no title"
            page.evaluate("""async () => {  // load every lazy image before the full-page screenshot
                for (const img of document.querySelectorAll('img[loading=lazy]')) img.loading = 'eager';
                await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
            }""")
            broken = page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
            assert broken == [], f"catalog images did not load: {broken}"
            shot(page, "catalog-tops")

            # 4. Open the item.
            cards.first.get_by_role("link").click()
            expect(page).to_have_url(re.compile(rf"^{re.escape(url)}/catalog/\d+/$"))
            item_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
            expect(page.get_by_role("heading", level=1)).to_have_text(title)
            detail_img = page.locator(".detail-media img").first
            expect(detail_img).to_have_attribute("alt", title)
            page.wait_for_function("() => document.querySelector('.detail-media img').naturalWidth > 0")
            add = page.get_by_role("button", name="Add to closet")
            expect(add).to_be_visible()
            shot(page, "item-detail")

            # 5. Add it to the closet.
            add.click()
            expect(page).to_have_url(f"{url}/catalog/{item_id}/")
            expect(page.locator(".message.success")).to_have_text(f"{title} is in your closet.")
            expect(page.get_by_role("button", name="Remove from closet")).to_be_visible()
            expect(page.get_by_role("button", name="Add to closet")).to_have_count(0)
            assert ClosetItem.objects.filter(user__username="ada", item_id=item_id).exists()
            shot(page, "added-to-closet")

            # 6. The closet shows it.
            page.get_by_role("link", name="Closet", exact=True).click()
            expect(page).to_have_url(f"{url}/closet/")
            expect(page.get_by_role("heading", name="Your closet")).to_be_visible()
            closet_cards = page.locator(".grid").first.locator(".card")  # not the "You might add" row below
            expect(closet_cards).to_have_count(1)
            expect(closet_cards.locator("h3")).to_have_text(title)
            expect(page.get_by_role("button", name=f"Remove {title}")).to_be_visible()
            page.wait_for_function("() => document.querySelector('.grid .card img').naturalWidth > 0")
            shot(page, "closet")

            # 7. The history lists it.
            page.get_by_role("link", name="History", exact=True).click()
            expect(page).to_have_url(f"{url}/closet/history/")
            expect(page.get_by_role("heading", name="Recently viewed")).to_be_visible()
            history_cards = page.locator(".grid .card")
            expect(history_cards).to_have_count(1)
            expect(history_cards.locator("h3")).to_have_text(title)
            expect(history_cards.get_by_role("link")).to_have_attribute("href", f"/catalog/{item_id}/")
            page.wait_for_function("() => document.querySelector('.grid .card img').naturalWidth > 0")
            assert HistoryEntry.objects.filter(user__username="ada", item_id=item_id).exists()
            shot(page, "history")
        finally:
            browser.close()

    assert page_errors == [], f"JavaScript errors: {page_errors}"
    assert failed_responses == [], f"failed requests: {failed_responses}"


def test_find_similar_the_admin_and_the_api_docs_run_under_the_csp(
        live_server, chromium_path, sync_playwright, orm_beside_playwright):
    """The pages the shopper's journey does not reach: no CSP violation, no script error."""
    from playwright.sync_api import expect

    from jobs.models import Job
    from search.services import QUERY_FILE
    from tests.factories import ClothingItemFactory, UserFactory

    item = ClothingItemFactory()
    curator = UserFactory(username="curator", is_staff=True, is_superuser=True)
    job = Job.objects.create(owner=curator, kind=Job.Kind.IMAGE_SEARCH, status=Job.Status.SUCCEEDED, result={
        "image": QUERY_FILE, "width": 60, "height": 80, "garments": [{"box": [0, 0, 60, 80], "region": "upper", "matches": []}]})
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda message: "Content Security Policy" in message.text
                    and errors.append(f"{page.url}: {message.text}"))
            page.goto(f"{live_server.url}/admin/login/")
            page.get_by_label("Username").fill("curator")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            for path, image in (("/admin/catalog/clothingitem/", "img.ovdr-thumbnail"),
                                (f"/admin/catalog/clothingitem/{item.pk}/change/", "img.ovdr-preview")):
                page.goto(f"{live_server.url}{path}")
                expect(page.locator(image).first).to_be_visible()
            page.goto(f"{live_server.url}/search/similar/?job={job.pk}")
            expect(page.locator("#similar-results .status")).to_have_text("Done.")
            expect(page.locator(".garment h2")).to_have_text("Top")
            page.goto(f"{live_server.url}/api/docs/")
            expect(page.locator(".swagger-ui .info")).to_be_visible()
        finally:
            browser.close()
    assert errors == []
