"""The try-on studio, end to end in a real browser, as a shopper goes through it.

register -> upload a real full-body photo -> put pants in the closet -> "Try it on" from a
t-shirt's page -> pick the pants card -> run the warp try-on (button disabled, progress with an
estimate) -> save the look as an outfit, twice (saved once) -> email it -> download link -> the saved
outfit on /outfits/, deleted after a confirmation page -> the studio offers only the engine this server
can run (no photo-real without weights and GPU workers), and a stale page asking for it is told why.
A second shopper whose only photo shows nobody tries a catalog dress on a sample model, after signing
in from an item page's "Try it on", and zooms the item's picture.

No worker runs here: the root conftest makes django-q synchronous, and job_create enqueues on
commit, which in a transactional live-server test happens inside the POST, so the job is done
before the page polls it; to see the page while a job runs, the test holds the first poll's answer.
Screenshots go to test-artifacts/screenshots/studio-<NN>-<step>-<width>.png, at 1366 and 390 px.
Run it alone with: pytest tests/test_browser_studio.py
"""

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import PASSWORD, image_bytes
# Fixtures are found by name in this module's namespace, so importing them shares them.
from tests.test_browser import (  # noqa: F401
    CHROMIUM_ARGS, DEMO_CATALOG, SCREENSHOTS, TIMEOUT_MS, chromium_path, orm_beside_playwright, sync_playwright,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"
PERSON_PHOTO = PEOPLE / "omnitry_person_bottom_cloth.jpg"
SHARE_TO = "friend@example.com"
DIFFUSION_REFUSED = "Photo-real try-on is not available on this server: no weights are configured. Use warp."
DESKTOP, PHONE = 1366, 390


@dataclass
class Visit:
    """One browser tab on the live server, numbering its screenshots and noting what went wrong."""

    page: object
    url: str
    failed_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    steps: itertools.count = field(default_factory=lambda: itertools.count(1))
    prefix: str = ""  # a second test's screenshots: studio-<prefix><NN>-...

    def open(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")

    def shot(self, name: str, *, phone: bool = False) -> None:
        """A full-page screenshot at desktop width, and at phone width too when `phone`."""
        step = next(self.steps)
        for width in (DESKTOP, PHONE) if phone else (DESKTOP,):
            self.page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"studio-{self.prefix}{step:02d}-{name}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size({"width": DESKTOP, "height": 900})

    def wait_loaded(self, selector: str) -> None:
        self.page.wait_for_function(
            "sel => { const img = document.querySelector(sel); return img && img.complete && img.naturalWidth > 0; }",
            arg=selector)


@pytest.fixture
def person_photo() -> Path:
    if not PERSON_PHOTO.is_file():
        pytest.skip(f"{PERSON_PHOTO} is missing (see /work/shared/data/README.md)")
    return PERSON_PHOTO


@pytest.fixture(scope="module", autouse=True)
def fresh_screenshots():
    """This module's screenshots from an earlier run go, once, so each test keeps its own."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("studio-*.png"):
        old.unlink()


@pytest.fixture
def visit(live_server, chromium_path, sync_playwright, orm_beside_playwright):  # noqa: F811
    from playwright.sync_api import expect

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            visit = Visit(page=browser.new_page(viewport={"width": DESKTOP, "height": 900}), url=live_server.url)
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


def _register(visit: Visit, username: str) -> None:
    from playwright.sync_api import expect

    page = visit.page
    visit.open("/accounts/register/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{visit.url}/accounts/photos/upload/")


def _upload(visit: Visit, photo: Path) -> None:
    from playwright.sync_api import expect

    page = visit.page
    page.get_by_label("Full-body photo").set_input_files(str(photo))
    page.wait_for_function("() => document.getElementById('photo-preview').naturalWidth > 0")
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(f"{visit.url}/accounts/")
    expect(page.locator(".message.success")).to_have_text("Photo uploaded.")
    visit.wait_loaded("figure.photo img")


def _register_and_upload(visit: Visit, photo: Path) -> None:
    from playwright.sync_api import expect

    _register(visit, "grace")
    visit.shot("register")
    _upload(visit, photo)
    # The photo serves both a top and a bottom, so upload warns about neither.
    expect(visit.page.locator(".message.warning")).to_have_count(0)
    expect(visit.page.locator("figure.photo .badge")).to_have_text("Primary")
    visit.shot("photo-uploaded")


def _add_to_closet(visit: Visit, item) -> None:
    from playwright.sync_api import expect

    visit.open(f"/catalog/{item.pk}/")
    visit.page.get_by_role("button", name="Add to closet").click()
    expect(visit.page.locator(".message.success")).to_have_text(f"{item.title} is in your closet.")
    expect(visit.page.locator(".message.success")).to_have_count(1)


def _open_studio_from(visit: Visit, item, *, person: str) -> None:
    from playwright.sync_api import expect

    page = visit.page
    visit.open(f"/catalog/{item.pk}/")
    visit.wait_loaded(".detail-media img")
    page.get_by_role("link", name="Try it on").click()
    expect(page).to_have_url(f"{visit.url}/outfits/studio/?item={item.pk}")
    expect(page.get_by_role("heading", name="Try-on studio")).to_be_visible()
    expect(page.get_by_role("group", name="Top").get_by_role("radio", name=item.title)).to_be_checked()
    expect(page.locator("input[name=person]:checked")).to_have_value(person)
    visit.wait_loaded("input[name=person]:checked + img")


def _try_on(visit: Visit, name: str) -> str:
    """Press "Try on" with the job's first poll held back: while it is, the button is disabled and the
    progress says what is happening and about how long it takes; then the before/after pair. Returns
    the After image's URL."""
    from playwright.sync_api import expect

    page = visit.page
    held = []
    page.route("**/api/v1/jobs/*", lambda route: held.append(route))
    button = page.get_by_role("button", name="Try on", exact=True)
    button.click()
    busy = page.locator("#try-on")
    expect(busy).to_be_disabled()
    expect(busy).to_have_text("Trying on…")
    expect(page.locator("#progress")).to_be_visible()
    expect(page.locator("#progress .status")).to_have_text(re.compile(r"(About \d+ seconds? left|Almost done|longer than usual)"))
    visit.shot(f"{name}-running", phone=True)
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/jobs/*")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#progress")).to_be_hidden()
    expect(page.locator("#studio-error")).to_be_hidden()
    expect(busy).to_be_enabled()
    for selector in ("#before", "#after"):
        visit.wait_loaded(selector)
    return page.locator("#after").evaluate("img => img.src")


def _say(visit: Visit, press, expected: str) -> None:
    from playwright.sync_api import expect

    press()
    expect(visit.page.locator("#result-message")).to_have_text(expected)


def _fits_the_phone(visit: Visit, selector: str) -> None:
    visit.page.set_viewport_size({"width": PHONE, "height": 900})
    # The form and every fieldset in it end inside the screen (garment rows scroll inside their own box).
    width = visit.page.locator(selector).evaluate(
        "el => Math.max(el.getBoundingClientRect().right,"
        " ...[...el.querySelectorAll('fieldset')].map(f => f.getBoundingClientRect().right))")
    visit.page.set_viewport_size({"width": DESKTOP, "height": 900})
    assert width <= PHONE, f"{selector} is {width}px wide on a {PHONE}px screen"


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
    visit.open("/closet/")
    expect(page.get_by_role("list", name="Items kept per category")).to_contain_text("1/5 bottoms")
    visit.shot("closet", phone=True)

    # "Try it on" from the t-shirt: the studio has it as the top and the primary photo picked.
    _open_studio_from(visit, tee, person=f"photo:{shopper.primary_photo_id}")
    bottoms = page.get_by_role("group", name="Bottom")
    expect(bottoms.get_by_role("radio", name=re.compile(re.escape(pants.title)))).to_have_count(1)
    expect(bottoms.get_by_role("radio", name="No bottom")).to_be_checked()
    bottoms.get_by_role("radio", name=re.compile(re.escape(pants.title))).check()
    # Only the engine this server runs, in a shopper's words: no choice to make, no "diffusion".
    expect(page.locator("input[name=engine]")).to_have_value("warp")
    expect(page.locator("#studio")).to_contain_text("Quick preview")
    expect(page.locator("#studio")).not_to_contain_text("iffusion")
    _fits_the_phone(visit, "#studio")
    visit.shot("studio-ready", phone=True)

    after_url = _try_on(visit, "photo")
    job = Job.objects.get(owner=shopper)
    assert job.status == Job.Status.SUCCEEDED and job.progress == 100
    assert job.params["top_id"] == tee.pk and job.params["bottom_id"] == pants.pk
    assert job.params["photo_id"] == shopper.primary_photo_id and job.params["engine"] == "warp"
    assert after_url == f"{visit.url}/api/v1/jobs/{job.pk}/files/result.jpg"
    assert page.locator("#before").evaluate("img => img.src") == page.locator(
        "input[name=person]:checked + img").evaluate("img => img.src")
    page.locator("#result").scroll_into_view_if_needed()
    visit.shot("before-after", phone=True)

    save = page.get_by_role("button", name="Save as outfit")
    _say(visit, save.click, "Saved to your outfits.")
    _say(visit, save.click, "This outfit is already in your outfits.")  # the API answered 200: not saved twice
    outfit = Combination.objects.get(user=shopper)
    assert (outfit.top_id, outfit.bottom_id, outfit.dress_id) == (tee.pk, pants.pk, None)
    assert outfit.result_image and outfit.result_image.size > 0
    visit.shot("saved")

    share_to = page.get_by_label("Email this look to")
    assert share_to.bounding_box()["width"] >= 260, "the email box is too small to read what was typed"
    share_to.fill(SHARE_TO)
    _say(visit, lambda: page.get_by_role("button", name="Share").click(), f"Sent to {SHARE_TO}.")
    [mail] = mailoutbox
    assert mail.to == [SHARE_TO] and [image.get_filename() for image in mail.attachments] == ["look.jpg"]
    [(html, _)] = mail.alternatives
    for item in (tee, pants):
        assert f"{visit.url}/catalog/{item.pk}/" in mail.body and f'href="{visit.url}/catalog/{item.pk}/"' in html
    visit.shot("shared")

    download = page.get_by_role("link", name="Download")
    expect(download).to_have_attribute("href", f"/api/v1/jobs/{job.pk}/files/result.jpg")
    expect(download).to_have_attribute("download", "ovdr-look.jpg")

    # This server has neither diffusion weights nor GPU workers: a page from before the server lost
    # photo-real still asks for it; the API refuses and the page says why, the button comes back.
    page.locator("input[name=engine]").evaluate("input => { input.value = 'diffusion'; }")
    page.get_by_role("button", name="Try on", exact=True).click()
    expect(page.locator("#studio-error")).to_have_text(DIFFUSION_REFUSED)  # the sentence, no "engine:" prefix
    expect(page.locator("#result")).to_be_hidden()
    expect(page.get_by_role("button", name="Try on", exact=True)).to_be_enabled()
    assert Job.objects.filter(owner=shopper).count() == 1
    visit.shot("photo-real-refused")

    # The outfit, then its deletion: a confirmation page first (a plain form, no script needed).
    visit.open("/outfits/")
    outfits = page.locator(".outfits .outfit")
    expect(outfits).to_have_count(1)
    expect(outfits).to_contain_text(tee.title)
    expect(outfits).to_contain_text(pants.title)
    visit.shot("outfits", phone=True)
    page.get_by_role("link", name=re.compile("^Delete outfit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this outfit?")
    assert Combination.objects.filter(user=shopper).count() == 1
    visit.shot("outfit-delete-confirm", phone=True)
    page.get_by_role("button", name="Delete outfit").click()
    expect(page.locator(".message.success")).to_have_text("Outfit deleted.")
    assert not Combination.objects.filter(user=shopper).exists()

    assert visit.page_errors == [], f"JavaScript errors: {visit.page_errors}"
    assert visit.failed_responses == [f"400 POST {visit.url}/api/v1/tryon"], visit.failed_responses


def test_a_shopper_whose_photo_shows_nobody_tries_a_dress_on_a_sample_model(visit, demo_catalog, mailoutbox):
    from playwright.sync_api import expect

    from accounts.models import User
    from catalog.models import ClothingItem
    from jobs.models import Job

    page, visit.prefix = visit.page, "b"
    dress = ClothingItem.objects.filter(category__slug="dresses", is_active=True).order_by("-created_at").first()
    assert dress is not None
    _register(visit, "iris")
    nobody = Path(settings.BASE_DIR) / "test-artifacts" / "nobody.jpg"
    nobody.parent.mkdir(exist_ok=True)
    nobody.write_bytes(image_bytes(size=(480, 720), color=(90, 120, 160)))
    _upload(visit, nobody)
    # Said once, with the reason; the photo is marked and not made primary.
    expect(page.locator(".message.warning")).to_have_count(1)
    expect(page.locator(".message.warning")).to_contain_text("We could not find a person in this photo.")
    expect(page.locator("figure.photo .badge")).to_have_text("Not for try-on")
    expect(page.get_by_role("button", name="Make primary")).to_have_count(0)
    visit.shot("unusable-photo", phone=True)
    assert User.objects.get(username="iris").primary_photo_id is None

    # Signed out, the item page still offers "Try it on": it leads through sign-in into the studio.
    page.get_by_role("button", name="Sign out").click()
    visit.open(f"/catalog/{dress.pk}/")
    expect(page.locator(".detail-info")).not_to_contain_text("In closets")
    # The picture opens full size in a dialog, and Escape closes it.
    page.get_by_role("link", name=re.compile("^Open full size")).first.click()
    zoom = page.locator("#zoom-dialog")
    expect(zoom).to_be_visible()
    visit.wait_loaded("#zoom-dialog img")
    visit.shot("item-zoom", phone=True)
    page.keyboard.press("Escape")
    expect(zoom).to_be_hidden()
    page.get_by_role("link", name="Try it on").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill("iris")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{visit.url}/outfits/studio/?item={dress.pk}")

    # The unusable photo is shown, disabled, with its reason once; a sample model is picked instead.
    people = page.get_by_role("group", name="Who tries it on")
    expect(people.get_by_role("radio")).to_have_count(4)
    expect(people.get_by_role("radio", disabled=True)).to_have_count(1)
    expect(people).to_contain_text("Cannot be used: We could not find a person in this photo.")
    expect(page.locator("input[name=person]:checked")).to_have_value("sample:street")
    expect(page.get_by_role("group", name="Dress").get_by_role("radio", name=dress.title)).to_be_checked()
    people.get_by_role("radio", name=re.compile("studio")).check()
    _fits_the_phone(visit, "#studio")
    visit.shot("sample-ready", phone=True)

    _try_on(visit, "sample")
    job = Job.objects.get(owner__username="iris")
    assert job.status == Job.Status.SUCCEEDED and job.params["sample"] == "studio" and "photo_id" not in job.params
    assert page.locator("#before").evaluate("img => img.src").endswith("/static/samples/people/studio.jpg")
    page.locator("#result").scroll_into_view_if_needed()
    visit.shot("sample-result", phone=True)
    assert visit.page_errors == [], f"JavaScript errors: {visit.page_errors}"
    assert visit.failed_responses == [], visit.failed_responses
