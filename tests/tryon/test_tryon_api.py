"""Try-on through the API: checks before queueing, the job, caching, outfits and sharing."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jobs.models import Job
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db
PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"
needs_people = pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")


def _upload(api, data: bytes) -> dict:
    response = api.post("/api/v1/photos", {"image": SimpleUploadedFile("me.jpg", data)}, format="multipart")
    assert response.status_code == 201
    return response.data


@pytest.fixture
def person_photo(api):
    return _upload(api, (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes())


def _try(api, capture, **body):
    with capture(execute=True):
        return api.post("/api/v1/tryon", body, format="json")


def test_a_photo_without_a_person_is_flagged_at_upload_and_refused_for_try_on(
        api, tops, django_capture_on_commit_callbacks):
    photo = _upload(api, image_bytes(size=(200, 300)))
    assert "could not find a person" in photo["tryon_problems"]["upper"]
    response = _try(api, django_capture_on_commit_callbacks, photo_id=photo["id"], top_id=tops[0].pk)
    assert response.status_code == 400 and "could not find a person" in response.data["error"]["message"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("body, status", [
    (lambda p, t, b, d: {"photo_id": p, "top_id": t, "dress_id": d}, 400),
    (lambda p, t, b, d: {"photo_id": p, "top_id": b}, 400),
    (lambda p, t, b, d: {"photo_id": p, "top_id": 999999}, 400),
    (lambda p, t, b, d: {"photo_id": p}, 400),
    (lambda p, t, b, d: {"photo_id": p, "top_id": t, "engine": "magic"}, 400),
    (lambda p, t, b, d: {"photo_id": p, "top_id": t, "engine": "diffusion"}, 400),  # no weights configured
    (lambda p, t, b, d: {"photo_id": p, "top_id": t, "options": {"steps": 10_000}}, 400),
    (lambda p, t, b, d: {"photo_id": 999999, "top_id": t}, 404),
])
def test_invalid_requests_are_refused_before_anything_is_queued(
        api, tops, bottom, dress, django_capture_on_commit_callbacks, body, status):
    photo = _upload(api, image_bytes())
    response = _try(api, django_capture_on_commit_callbacks, **body(photo["id"], tops[0].pk, bottom.pk, dress.pk))
    assert response.status_code == status and response.data["error"]["message"]
    assert not Job.objects.exists()


def test_another_shoppers_photo_is_404(api, other_api, tops, django_capture_on_commit_callbacks):
    photo = _upload(api, image_bytes())
    response = _try(other_api, django_capture_on_commit_callbacks, photo_id=photo["id"], top_id=tops[0].pk)
    assert response.status_code == 404


@needs_people
def test_try_on_runs_caches_and_is_private(api, other_api, person_photo, tops, django_capture_on_commit_callbacks):
    assert person_photo["tryon_problems"] == {}
    first = _try(api, django_capture_on_commit_callbacks, photo_id=person_photo["id"], top_id=tops[0].pk)
    assert first.status_code == 202
    job = api.get(f"/api/v1/jobs/{first.data['id']}").data
    assert job["status"] == "succeeded", job["error"]
    assert job["result_url"] == f"http://testserver/api/v1/jobs/{job['id']}/files/result.jpg"
    result = api.get(job["result_url"])
    size = Image.open(Path(default_storage.path(f"private/jobs/{job['id']}/result.jpg"))).size
    assert result.status_code == 200 and size == (person_photo["width"], person_photo["height"])
    assert other_api.get(f"/api/v1/jobs/{job['id']}/files/result.jpg").status_code == 404
    again = _try(api, django_capture_on_commit_callbacks, photo_id=person_photo["id"], top_id=tops[0].pk)
    assert again.status_code == 200 and again.data["id"] == job["id"]


@needs_people
def test_a_dress_on_a_seated_photo_fails_with_a_reason_the_shopper_can_read(
        api, dress, tops, django_capture_on_commit_callbacks):
    from tryon.engines.warp import BENT_LEGS

    seated = _upload(api, (PEOPLE / "fashn_model.webp").read_bytes())
    assert seated["tryon_problems"] == {}  # the photo serves every region: the garment meets the pose
    for item, status, error in (({"dress_id": dress.pk}, "failed", BENT_LEGS), ({"top_id": tops[0].pk}, "succeeded", "")):
        queued = _try(api, django_capture_on_commit_callbacks, photo_id=seated["id"], **item)
        job = api.get(f"/api/v1/jobs/{queued.data['id']}").data
        assert (job["status"], job["error"]) == (status, error)


@needs_people
def test_an_outfit_is_saved_with_its_image_and_shared_by_email(
        api, person_photo, tops, bottom, django_capture_on_commit_callbacks):
    job_id = _try(api, django_capture_on_commit_callbacks, photo_id=person_photo["id"], top_id=tops[0].pk,
                  bottom_id=bottom.pk).data["id"]
    assert Job.objects.get(pk=job_id).status == "succeeded"
    outfit = api.post("/api/v1/combinations", {"job_id": job_id}, format="json")
    assert outfit.status_code == 201 and outfit.data["result_image_url"]
    assert api.get(outfit.data["result_image_url"]).status_code == 200
    shared = api.post(f"/api/v1/tryon/{job_id}/share", {"email": "friend@example.com"}, format="json")
    assert shared.status_code == 201
    [message] = mail.outbox
    assert message.to == ["friend@example.com"]
    [image] = message.attachments  # inline, referenced by the HTML as cid:look
    assert image.get_content_type() == "image/jpeg" and image["Content-ID"] == "<look>"
    assert image.get_payload(decode=True) == default_storage.open(f"private/jobs/{job_id}/result.jpg").read()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and 'src="cid:look"' in html
    for item in (tops[0], bottom):  # names, prices and absolute links, in both parts
        link = f"http://testserver/catalog/{item.pk}/"
        assert item.title in message.body and f"${item.price}" in message.body and link in message.body
        assert item.title in html and f"${item.price}" in html and f'href="{link}"' in html


@needs_people
def test_an_outfit_puts_the_bottom_on_first_and_the_top_over_its_waistband(
        api, person_photo, tops, bottom, monkeypatch, django_capture_on_commit_callbacks):
    from tryon import tasks
    from tryon.engines.warp import WarpEngine

    put_on = []

    class Recording(WarpEngine):
        def render(self, *, person, analysis, garment, report, options):
            put_on.append((garment.region, garment.over_bottom))
            return person

    monkeypatch.setattr(tasks, "get_engine", lambda name, settings: Recording())
    _try(api, django_capture_on_commit_callbacks, photo_id=person_photo["id"], top_id=tops[0].pk, bottom_id=bottom.pk)
    assert put_on == [("lower", False), ("upper", True)]
    put_on.clear()
    _try(api, django_capture_on_commit_callbacks, photo_id=person_photo["id"], top_id=tops[1].pk)
    assert put_on == [("upper", False)]


def _finished_job(shopper) -> Job:
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED, params={})
    default_storage.save(job.files_prefix + "result.jpg", ContentFile(image_bytes()))
    return job


def test_sharing_is_capped_per_day_and_needs_a_valid_address(api, other_api, shopper, settings):
    settings.TRYON_SHARES_PER_DAY = 2
    job = _finished_job(shopper)
    assert api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "not-an-email"}, format="json").status_code == 400
    assert other_api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "a@example.com"}, format="json").status_code == 404
    for _ in range(2):
        assert api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "a@example.com"}, format="json").status_code == 201
    third = api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "a@example.com"}, format="json")
    assert third.status_code == 429 and "2 try-ons a day" in third.data["error"]["message"]
    assert len(mail.outbox) == 2


def test_an_unfinished_job_cannot_be_shared_or_saved(api, shopper):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON)
    assert api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "a@example.com"}, format="json").status_code == 400
    assert api.post("/api/v1/combinations", {"job_id": str(job.pk)}, format="json").status_code == 400


def test_studio_page_offers_photos_and_the_picked_item(client, shopper, tops, without_tryon):
    client.force_login(shopper)
    assert b"upload a full-body photo" in client.get("/outfits/studio/").content
    from accounts.services import photo_upload

    photo = photo_upload(user=shopper, upload=SimpleUploadedFile("me.jpg", image_bytes()))
    page = client.get(f"/outfits/studio/?item={tops[0].pk}").content.decode()
    assert f'name="top_id" value="{tops[0].pk}" checked' in page
    assert f'name="person" value="photo:{photo.pk}" checked' in page


def test_a_garment_with_a_flagged_cutout_is_refused_with_the_curators_reason(
        api, tops, django_capture_on_commit_callbacks):
    from catalog.models import ClothingItem
    from vision.garment_problems import PROBLEMS

    ClothingItem.objects.filter(pk=tops[0].pk).update(cutout_style="product", cutout_problem="several_garments")
    photo = _upload(api, image_bytes(size=(200, 300)))
    response = _try(api, django_capture_on_commit_callbacks, photo_id=photo["id"], top_id=tops[0].pk)
    assert response.status_code == 400
    assert PROBLEMS["several_garments"] in response.data["error"]["message"]
    assert not Job.objects.exists()


def test_studio_shows_a_flagged_garment_disabled_with_its_reason(client, shopper, tops):
    from catalog.models import ClothingItem
    from vision.garment_problems import PROBLEMS

    from accounts.services import photo_upload

    ClothingItem.objects.filter(pk=tops[0].pk).update(cutout_style="flat_lay", cutout_problem="touches_frame")
    client.force_login(shopper)
    photo_upload(user=shopper, upload=SimpleUploadedFile("me.jpg", image_bytes()))
    page = client.get(f"/outfits/studio/?item={tops[0].pk}").content.decode()
    assert f'value="{tops[0].pk}" disabled' in page and PROBLEMS["touches_frame"] in page
    assert page.count(PROBLEMS["touches_frame"]) == 1


def test_the_share_email_lists_items_with_prices_and_links_in_html_and_text(api, shopper, tops, bottom):
    from catalog.models import ClothingItem

    ClothingItem.objects.filter(pk=tops[0].pk).update(price="24.50", on_sale=True)
    ClothingItem.objects.filter(pk=bottom.pk).update(is_active=False)  # withdrawn: not public, not listed
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED,
                             params={"photo_id": 1, "top_id": tops[0].pk, "bottom_id": bottom.pk})
    default_storage.save(job.files_prefix + "result.jpg", ContentFile(image_bytes()))
    assert api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "friend@example.org"}, format="json").status_code == 201
    [message] = mail.outbox
    [(html, _)] = message.alternatives
    link = f"http://testserver/catalog/{tops[0].pk}/"
    assert f"- {tops[0].title}: $24.50 (on sale)\n  {link}" in message.body
    assert f'<a href="{link}">{tops[0].title}</a> · $24.50 (on sale)' in html
    assert bottom.title not in message.body and bottom.title not in html
    assert message.subject == f"{shopper.username} shared a look with you"
    assert message.attachments[0].get_filename() == "look.jpg"
