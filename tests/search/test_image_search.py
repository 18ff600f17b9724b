"""Find similar from a photo: a job that detects garments and matches each one."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db
PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"


def _post(api, capture, data: bytes, **fields):
    upload = SimpleUploadedFile("look.jpg", data, content_type="image/jpeg")
    with capture(execute=True):
        return api.post("/api/v1/search/image", {"image": upload, **fields}, format="multipart")


def test_a_product_photo_is_matched_to_similar_garments(api, indexed, django_capture_on_commit_callbacks):
    response = _post(api, django_capture_on_commit_callbacks, image_bytes(size=(300, 400), color=(195, 32, 42),
                                                                          garment=True))
    assert response.status_code == 202 and response.data["kind"] == "image_search"
    job = api.get(f"/api/v1/jobs/{response.data['id']}").data
    assert job["status"] == "succeeded", job["error"]
    [found] = job["result"]["garments"]
    assert found["region"] is None
    best = [match["id"] for match in found["matches"][:2]]
    assert set(best) == {indexed["dress"].pk, indexed["skirt"].pk}
    assert api.get(f"/api/v1/jobs/{job['id']}/files/query.jpg").status_code == 200


def test_a_category_narrows_the_matches(api, indexed, django_capture_on_commit_callbacks):
    response = _post(api, django_capture_on_commit_callbacks, image_bytes(size=(300, 400), color=(195, 32, 42),
                                                                          garment=True), category="bottoms")
    matches = Job.objects.get(pk=response.data["id"]).result["garments"][0]["matches"]
    assert [m["id"] for m in matches] == [indexed["skirt"].pk, indexed["jeans"].pk]


@pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")
def test_a_person_photo_is_split_into_upper_and_lower_garments(api, indexed, django_capture_on_commit_callbacks):
    data = (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes()
    job = Job.objects.get(pk=_post(api, django_capture_on_commit_callbacks, data).data["id"])
    regions = {g["region"]: g for g in job.result["garments"]}
    assert {"upper", "lower"} <= set(regions)
    assert {m["id"] for m in regions["upper"]["matches"]} <= {indexed["jacket"].pk, indexed["tee"].pk}
    assert {m["id"] for m in regions["lower"]["matches"]} <= {indexed["jeans"].pk, indexed["skirt"].pk}
    upper, lower = regions["upper"]["box"], regions["lower"]["box"]
    assert upper[1] < lower[1]


@pytest.mark.parametrize("data", [b"", b"<html>", image_bytes(fmt="GIF")])
def test_a_bad_photo_is_400_and_nothing_is_queued(api, indexed, django_capture_on_commit_callbacks, data):
    response = _post(api, django_capture_on_commit_callbacks, data)
    assert response.status_code == 400 and not Job.objects.exists()


def test_image_and_photo_id_are_exclusive_and_photos_must_be_yours(api, other_api, shopper,
                                                                    django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg")
    photo_id = api.post("/api/v1/photos", {"image": upload}, format="multipart").data["id"]
    assert api.post("/api/v1/search/image", {}, format="multipart").status_code == 400
    assert other_api.post("/api/v1/search/image", {"photo_id": photo_id}, format="multipart").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        mine = api.post("/api/v1/search/image", {"photo_id": photo_id}, format="multipart")
    assert mine.status_code == 202


def test_image_search_needs_a_signed_in_shopper(anon_api):
    upload = SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg")
    assert anon_api.post("/api/v1/search/image", {"image": upload}, format="multipart").status_code == 401


def test_another_shoppers_job_files_are_404(api, other_api, indexed, django_capture_on_commit_callbacks):
    job_id = _post(api, django_capture_on_commit_callbacks, image_bytes(garment=True)).data["id"]
    assert other_api.get(f"/api/v1/jobs/{job_id}/files/query.jpg").status_code == 404


def test_find_similar_page_starts_a_job_and_polls_it(client, shopper, indexed, django_capture_on_commit_callbacks):
    client.force_login(shopper)
    upload = SimpleUploadedFile("a.jpg", image_bytes(garment=True), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/search/similar/", {"image": upload})
    job = Job.objects.get(owner=shopper)
    assert response.url == f"/search/similar/?job={job.pk}"
    assert f'data-job="{job.pk}"'.encode() in client.get(response.url).content
