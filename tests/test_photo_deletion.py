"""Deleting a photo deletes what was made from it (issue 14, row 13): its person mask, the try-on
results and image searches made from it, with their files; an outfit saved from one keeps its own image."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job
from tests.factories import ClothingItemFactory, category, image_bytes
from tryon.models import RESULT_FILE, Combination, PhotoAnalysis, Share

pytestmark = pytest.mark.django_db


def _tryon_done(shopper, photo_id: int, top) -> Job:
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED,
                             params={"photo_id": photo_id, "top_id": top.pk, "engine": "warp", "options": {}})
    default_storage.save(job.files_prefix + RESULT_FILE, ContentFile(image_bytes()))
    return job


def test_deleting_a_photo_deletes_its_mask_results_and_searches_but_not_saved_outfits(
        api, shopper, settings, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    photo_id = api.post("/api/v1/photos", {"image": upload}, format="multipart").data["id"]
    mask = settings.MEDIA_ROOT / PhotoAnalysis.objects.get(photo_id=photo_id).person_mask.name
    top, other_top = ClothingItemFactory.create_batch(2, category=category("tops"))
    saved, unsaved = _tryon_done(shopper, photo_id, top), _tryon_done(shopper, photo_id, other_top)
    outfit = api.post("/api/v1/combinations", {"job_id": str(saved.pk)}, format="json")
    assert outfit.status_code == 201
    assert api.post(f"/api/v1/tryon/{unsaved.pk}/share", {"email": "a@example.com"}, format="json").status_code == 201
    search = api.post("/api/v1/search/image", {"photo_id": photo_id}, format="multipart").data["id"]
    other_photo = SimpleUploadedFile("other.jpg", image_bytes(), content_type="image/jpeg")
    kept_id = api.post("/api/v1/photos", {"image": other_photo}, format="multipart").data["id"]
    kept = _tryon_done(shopper, kept_id, top)
    folders = [settings.MEDIA_ROOT / job.files_prefix for job in (saved, unsaved)]
    folders.append(settings.MEDIA_ROOT / Job.objects.get(pk=search).files_prefix)
    assert mask.exists() and all(folder.is_dir() for folder in folders)

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/photos/{photo_id}").status_code == 204

    assert not mask.exists() and not PhotoAnalysis.objects.filter(photo_id=photo_id).exists()
    assert not any(folder.exists() for folder in folders)
    assert set(Job.objects.values_list("pk", flat=True)) == {kept.pk}
    for job in (saved, unsaved):
        assert api.get(f"/api/v1/jobs/{job.pk}/files/result.jpg").status_code == 404
    combination = Combination.objects.get(pk=outfit.data["id"])
    assert (settings.MEDIA_ROOT / combination.result_image.name).exists()
    assert api.get(f"/api/v1/combinations/{combination.pk}/image").status_code == 200
    assert Share.objects.filter(user=shopper).count() == 1  # the daily share count does not reset
