"""The try-on studio, end to end in a real browser, as a shopper goes through it.

register -> upload a real full-body photo -> put pants in the closet -> "Try it on" from a
t-shirt's page -> pick the pants -> run the warp try-on -> save the look as an outfit -> email
it -> download link -> the saved outfit on /outfits/ -> the studio offers only the engine this server
can run (no photo-real without weights and GPU workers), and a stale page asking for it is told why.

No worker runs here: the root conftest makes django-q synchronous, and job_create enqueues on
commit, which in a transactional live-server test happens inside the POST, so the job is done
before the page polls it. Screenshots go to test-artifacts/screenshots/studio-<NN>-<step>.png.
Run it alone with: pytest tests/test_browser_studio.py
"""

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import PASSWORD
# Fixtures are found by name in this module's namespace, so importing them shares them.
from tests.test_browser import (  # noqa: F401
    CHROMIUM_ARGS, DEMO_CATALOG, SCREENSHOTS, TIMEOUT_MS, chromium_path, orm_beside_playwright, sync_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"
PERSON_PHOTO = PEOPLE / "omnitry_person_bottom_cloth.jpg"
SHARE_TO = "friend@example.com"
DIFFUSION_REFUSED = "Photo-real try-on is not available on this server: no weights are configured. Use warp."


@dataclass
class Visit:
    """One browser tab on the live server, numbering its screenshots and noting what went wrong."""

    page: object
    url: str
    failed_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    steps: itertools.count = field(default_factory=lambda: itertools.count(1))

    def open(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")

    def shot(self, name: str) -> None:
        path = SCREENSHOTS / f"studio-{next(self.steps):02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)

    def wait_loaded(self, selector: str) -> None:
        self.page.wait_for_function(
            "sel => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }",
            arg=selector)


@pytest.fixture
def person_photo() -> Path:
    if not PERSON_PHOTO.is_file():
        pytest.skip(f"{PERSON_PHOTO} is missing (see /work/shared/data/README.md)")
    return PERSON_PHOTO


@pytest.fixture
def visit(live_server, chromium_path, sync_playwright, orm_beside_playwright):  # noqa: F811
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("studio-*.png"):
        old.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            visit = Visit(page=browser.new_page(viewport={"width": 1280, "height": 900}), url=live_server.url)
            visit.page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            visit.page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                          and visit.failed_responses.append(f"{r.status} {r.request.method} {r.url}"))
            visit.page.on("pageerror", lambda exc: visit.page_errors.append(str(exc)))
            visit.page.on("console", lambda message: "Content Security Policy" in message.text
                          and visit.page_errors.append(f"CSP: {message.text}"))
            yield visit
        finally:
            browser.close()


@pytest.fixture
def demo_catalog():
    """A t-shirt and a pair of pants from the demo catalog."""
    from catalog.models import ClothingItem

    call_command("import_catalog", str(DEMO_CATALOG), verbosity=0)
    demo = ClothingItem.objects.select_related("category").order_by("source_id")
    return demo.filter(source_id__startswith="t-shirt/").first(), demo.filter(source_id__startswith="pants/").first()


def _register_and_upload(visit: Visit, photo: Path) -> None:
    from playwright.sync_api import expect

    page = visit.page
    visit.open("/accounts/register/")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{visit.url}/accounts/photos/upload/")
    page.get_by_label("Full-body photo").set_input_files(str(photo))
    page.wait_for_function("() => document.getElementById('photo-preview').naturalWidth > 0")
    visit.shot("photo-chosen")
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(f"{visit.url}/accounts/")
    expect(page.locator(".message.success")).to_have_text("Photo uploaded.")
    # The photo serves both a top and a bottom, so upload warns about neither.
    expect(page.locator(".message.warning")).to_have_count(0)
    visit.wait_loaded("figure.photo img")
    visit.shot("photo-uploaded")


def _add_to_closet(visit: Visit, item) -> None:
    from playwright.sync_api import expect

    visit.open(f"/catalog/{item.pk}/")
    visit.page.get_by_role("button", name="Add to closet").click()
    expect(visit.page.locator(".message.success")).to_have_text(f"{item.title} is in your closet.")
    visit.shot("bottom-in-closet")


def _open_studio_from(visit: Visit, item, *, photo_id: int) -> None:
    from playwright.sync_api import expect

    page = visit.page
    visit.open(f"/catalog/{item.pk}/")
    visit.wait_loaded(".detail-media img")
    page.get_by_role("link", name="Try it on").click()
    expect(page).to_have_url(f"{visit.url}/outfits/studio/?item={item.pk}")
    expect(page.get_by_role("heading", name="Try-on studio")).to_be_visible()
    expect(page.get_by_label("Top")).to_have_value(str(item.pk))
    expect(page.locator("input[name=photo_id]:checked")).to_have_value(str(photo_id))
    visit.wait_loaded(".photo-choice img")


def _try_on(visit: Visit) -> str:
    """Press "Try on" and wait for the before/after pair; returns the After image's URL."""
    from playwright.sync_api import expect

    page = visit.page
    page.get_by_role("button", name="Try on", exact=True).click()
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#progress")).to_be_hidden()
    expect(page.locator("#studio-error")).to_be_hidden()
    for selector in ("#before", "#after"):
        visit.wait_loaded(selector)
    return page.locator("#after").evaluate("img => img.src")


def _say(visit: Visit, press, expected: str) -> None:
    from playwright.sync_api import expect

    press()
    expect(visit.page.locator("#result-message")).to_have_text(expected)


def test_shopper_tries_on_a_top_and_pants_saves_shares_and_is_offered_only_what_the_server_runs(
        person_photo, visit, demo_catalog, mailoutbox):
    from playwright.sync_api import expect

    from accounts.models import User
    from jobs.models import Job
    from tryon.models import Combination

    tee, pants = demo_catalog
    assert tee and pants and tee.category.slug == "tops" and pants.category.slug == "bottoms"
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    page = visit.page

    _register_and_upload(visit, person_photo)
    shopper = User.objects.get(username="grace")
    assert shopper.primary_photo_id is not None
    assert shopper.primary_photo.analysis.problems == {}
    _add_to_closet(visit, pants)

    # "Try it on" from the t-shirt: the studio has it as the top and the primary photo picked.
    _open_studio_from(visit, tee, photo_id=shopper.primary_photo_id)
    expect(page.get_by_label("Bottom").locator("option", has_text=pants.title)).to_have_count(1)
    page.get_by_label("Bottom").select_option(str(pants.pk))
    expect(page.get_by_label("Engine")).to_have_value("warp")
    visit.shot("studio-ready")

    after_url = _try_on(visit)
    job = Job.objects.get(owner=shopper)
    assert job.status == Job.Status.SUCCEEDED and job.progress == 100
    assert job.params["top_id"] == tee.pk and job.params["bottom_id"] == pants.pk
    assert job.params["photo_id"] == shopper.primary_photo_id and job.params["engine"] == "warp"
    assert after_url == f"{visit.url}/api/v1/jobs/{job.pk}/files/result.jpg"
    assert page.locator("#before").evaluate("img => img.src") == page.locator(".photo-choice img").evaluate(
        "img => img.src")
    page.locator("#result").scroll_into_view_if_needed()
    visit.shot("before-after")

    _say(visit, lambda: page.get_by_role("button", name="Save as outfit").click(), "Saved to your outfits.")
    outfit = Combination.objects.get(user=shopper)
    assert (outfit.top_id, outfit.bottom_id, outfit.dress_id) == (tee.pk, pants.pk, None)
    assert outfit.result_image and outfit.result_image.size > 0
    visit.shot("saved")

    share_to = page.get_by_label("Email this look to")
    assert share_to.bounding_box()["width"] >= 260, "the email box is too small to read what was typed"
    share_to.fill(SHARE_TO)
    _say(visit, lambda: page.get_by_role("button", name="Share").click(), f"Sent to {SHARE_TO}.")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [SHARE_TO]
    assert [name for name, _, _ in mailoutbox[0].attachments] == ["look.jpg"]
    visit.shot("shared")

    download = page.get_by_role("link", name="Download")
    expect(download).to_have_attribute("href", f"/api/v1/jobs/{job.pk}/files/result.jpg")
    expect(download).to_have_attribute("download", "ovdr-look.jpg")

    visit.open("/outfits/")
    outfits = page.locator(".outfits .outfit")
    expect(outfits).to_have_count(1)
    expect(outfits).to_contain_text(tee.title)
    expect(outfits).to_contain_text(pants.title)
    visit.shot("outfits")

    # This server has neither diffusion weights nor GPU workers: the studio offers the quick engine only.
    _open_studio_from(visit, tee, photo_id=shopper.primary_photo_id)
    expect(page.get_by_label("Engine").locator("option")).to_have_text(["Quick"])
    visit.shot("quick-only")
    # A page from before the server lost photo-real still offers it: the API refuses and the page says why.
    page.get_by_label("Engine").evaluate("select => select.add(new Option('Photo-real', 'diffusion'))")
    page.get_by_label("Engine").select_option("diffusion")
    page.get_by_role("button", name="Try on", exact=True).click()
    expect(page.locator("#studio-error")).to_have_text(DIFFUSION_REFUSED)  # the sentence, no "engine:" prefix
    expect(page.locator("#result")).to_be_hidden()
    assert Job.objects.filter(owner=shopper).count() == 1
    visit.shot("photo-real-refused")

    assert visit.page_errors == [], f"JavaScript errors: {visit.page_errors}"
    assert visit.failed_responses == [f"400 POST {visit.url}/api/v1/tryon"], visit.failed_responses
