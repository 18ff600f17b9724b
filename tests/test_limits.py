"""Per-shopper limits: active jobs per kind, image searches an hour, photos kept (issue 14, row 5)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Photo
from jobs.models import Job
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


def _search(api):
    upload = SimpleUploadedFile("look.jpg", image_bytes(), content_type="image/jpeg")
    return api.post("/api/v1/search/image", {"image": upload}, format="multipart")


def _assert_limited(response, *, max_wait: int):
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "limit_reached"
    assert 0 < int(response["Retry-After"]) <= max_wait


def test_a_shopper_with_the_active_jobs_of_a_kind_gets_429_until_one_ends(api, shopper, settings):
    settings.JOBS_ACTIVE_PER_KIND = 2
    jobs = [Job.objects.create(owner=shopper, kind=Job.Kind.IMAGE_SEARCH, status=status)
            for status in (Job.Status.QUEUED, Job.Status.RUNNING)]
    Job.objects.create(owner=shopper, kind=Job.Kind.TRYON)  # another kind does not count
    refused = _search(api)
    _assert_limited(refused, max_wait=60)
    assert "2 jobs" in refused.json()["error"]["message"]
    assert Job.objects.filter(owner=shopper, kind=Job.Kind.IMAGE_SEARCH).count() == 2
    Job.objects.filter(pk=jobs[0].pk).update(status=Job.Status.SUCCEEDED)
    assert _search(api).status_code == 202


def test_image_searches_are_capped_per_hour_with_the_wait_until_the_oldest_leaves_it(api, shopper, settings):
    settings.JOBS_PER_HOUR = {"image_search": 3}
    for minutes_ago in (50, 20, 10):
        job = Job.objects.create(owner=shopper, kind=Job.Kind.IMAGE_SEARCH, status=Job.Status.SUCCEEDED)
        Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    refused = _search(api)
    _assert_limited(refused, max_wait=10 * 60 + 1)
    assert int(refused["Retry-After"]) > 9 * 60  # the one from 50 minutes ago frees a place in 10
    old = Job.objects.filter(owner=shopper).order_by("created_at").first()
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    assert _search(api).status_code == 202


def test_a_shopper_keeps_at_most_the_photo_limit_and_the_refused_file_is_not_stored(
        api, shopper, settings):
    settings.PHOTOS_PER_SHOPPER = 2
    for _ in range(2):
        upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
        assert api.post("/api/v1/photos", {"image": upload}, format="multipart").status_code == 201
    upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    refused = api.post("/api/v1/photos", {"image": upload}, format="multipart")
    _assert_limited(refused, max_wait=60)
    assert "Delete one" in refused.json()["error"]["message"]
    assert Photo.objects.filter(owner=shopper).count() == 2
    assert len(list((settings.MEDIA_ROOT / "private" / "photos").iterdir())) == 2


def test_the_photo_page_shows_the_limit_as_a_readable_message(client, shopper, settings):
    settings.PHOTOS_PER_SHOPPER = 0
    client.force_login(shopper)
    upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    response = client.post("/accounts/photos/upload/", {"image": upload})
    assert response.status_code == 400 and b"You can keep 0 photos" in response.content
