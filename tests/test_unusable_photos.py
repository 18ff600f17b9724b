"""A photo with no usable person (try-on's analysis says why) is never primary, is marked with its reason
on the account page, the studio and the API, and cannot be made primary (400 in the error format)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Photo
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db
PERSON = Path(settings.BASE_DIR).parent / "shared" / "data" / "people" / "omnitry_person_bottom_cloth.jpg"
needs_person = pytest.mark.skipif(not PERSON.is_file(), reason=f"{PERSON} is missing")
NO_PERSON = "We could not find a person in this photo."


def _upload(api, data: bytes) -> dict:
    response = api.post("/api/v1/photos", {"image": SimpleUploadedFile("me.jpg", data)}, format="multipart")
    assert response.status_code == 201
    return response.data


def _unusable_primary(shopper) -> Photo:
    """Data from before the rule: an unusable photo that is primary."""
    photo = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="old.jpg"),
                                 unusable_reason=NO_PERSON)
    shopper.primary_photo = photo
    shopper.save(update_fields=["primary_photo"])
    return photo


def test_a_photo_without_a_person_is_marked_unusable_and_not_made_primary(api, shopper):
    photo = _upload(api, image_bytes(size=(200, 300)))
    assert (photo["usable"], photo["unusable_reason"], photo["is_primary"]) == (False, NO_PERSON, False)
    shopper.refresh_from_db()
    assert shopper.primary_photo_id is None


@needs_person
def test_a_usable_photo_uploaded_after_an_unusable_one_becomes_primary(api, shopper):
    _upload(api, image_bytes(size=(200, 300)))
    person = _upload(api, PERSON.read_bytes())
    assert person["usable"] and person["unusable_reason"] == "" and person["is_primary"]
    _upload(api, image_bytes(size=(200, 300)))  # a later unusable one does not take over
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == person["id"]


def test_a_usable_upload_replaces_an_unusable_primary(api, shopper, without_tryon):
    _unusable_primary(shopper)
    usable = _upload(api, image_bytes())  # nothing analyses it here: usable
    assert usable["is_primary"]
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == usable["id"]


def test_an_unusable_photo_cannot_be_made_primary(api, client, shopper, without_tryon):
    usable = _upload(api, image_bytes())
    bad = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="x.jpg"), unusable_reason=NO_PERSON)
    response = api.post(f"/api/v1/photos/{bad.pk}/primary")
    assert response.status_code == 400
    error = response.data["error"]
    assert error["code"] == "invalid" and error["fields"]["photo_id"] == [
        f"This photo cannot be your primary one: {NO_PERSON}"]
    client.force_login(shopper)
    page = client.post(f"/accounts/photos/{bad.pk}/primary/", follow=True)
    assert page.status_code == 200 and b"cannot be your primary one" in page.content
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == usable["id"]


def test_analysing_an_old_primary_photo_that_has_no_person_hands_primary_to_a_usable_one(shopper):
    from tryon.preprocess import photo_analyse

    usable = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="a.jpg"))
    old = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(size=(200, 300)), name="b.jpg"))
    shopper.primary_photo = old
    shopper.save(update_fields=["primary_photo"])
    photo_analyse(photo=old)  # what a try-on does for a photo analysed before analyses were stored
    old.refresh_from_db()
    shopper.refresh_from_db()
    assert old.unusable_reason == NO_PERSON and shopper.primary_photo_id == usable.pk


def test_deleting_the_primary_photo_skips_unusable_ones(api, shopper, without_tryon,
                                                        django_capture_on_commit_callbacks):
    older = _upload(api, image_bytes())
    primary = _upload(api, image_bytes())
    api.post(f"/api/v1/photos/{primary['id']}/primary")
    Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="n.jpg"), unusable_reason=NO_PERSON)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/photos/{primary['id']}").status_code == 204
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == older["id"]


def test_upload_page_and_account_page_say_why_once(client, shopper):
    client.force_login(shopper)
    page = client.post("/accounts/photos/upload/", {"image": SimpleUploadedFile("me.jpg", image_bytes(size=(200, 300)))},
                       follow=True)
    text = page.content.decode()
    # The warning after upload, and the photo's own mark: once each, not once per body region.
    assert text.count(NO_PERSON) == 2
    assert "It was not made your primary photo." in text and "Not for try-on" in text
    assert "Make primary" not in text


def test_photo_deletion_asks_first_and_works_without_script(client, shopper, without_tryon):
    photo = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="me.jpg"))
    client.force_login(shopper)
    account = client.get("/accounts/").content.decode()
    assert f'href="/accounts/photos/{photo.pk}/delete/"' in account
    confirm = client.get(f"/accounts/photos/{photo.pk}/delete/")
    assert confirm.status_code == 200 and b"Delete this photo?" in confirm.content
    assert b'<form method="post">' in confirm.content and Photo.objects.filter(pk=photo.pk).exists()
    done = client.post(f"/accounts/photos/{photo.pk}/delete/", follow=True)
    assert b"Photo deleted." in done.content and not Photo.objects.filter(pk=photo.pk).exists()


def test_another_shoppers_photo_has_no_confirmation_page(client, other_shopper, shopper, without_tryon):
    photo = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="me.jpg"))
    client.force_login(other_shopper)
    assert client.get(f"/accounts/photos/{photo.pk}/delete/").status_code == 404


def test_the_backfill_migration_marks_old_unusable_photos_and_moves_their_primary(shopper):
    """tryon 0007 on data from before the rule: an analysis that found nobody marks its photo, and a shopper
    whose primary is such a photo gets the newest usable one (or none)."""
    import importlib

    from django.apps import apps

    from tryon.models import PhotoAnalysis

    backfill = importlib.import_module("tryon.migrations.0007_unusable_photos_backfill")
    usable = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="a.jpg"))
    nobody = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="b.jpg"))
    PhotoAnalysis.objects.create(photo=usable, data={"pose": []}, problems={"lower": "Your knees need to be visible."},
                                 person_mask="private/analysis/a.png")
    PhotoAnalysis.objects.create(photo=nobody, data={}, problems={"upper": NO_PERSON, "lower": NO_PERSON},
                                 person_mask="private/analysis/b.png")
    shopper.primary_photo = nobody
    shopper.save(update_fields=["primary_photo"])
    backfill.mark_unusable(apps, None)
    usable.refresh_from_db()
    nobody.refresh_from_db()
    shopper.refresh_from_db()
    assert (usable.unusable_reason, nobody.unusable_reason) == ("", NO_PERSON)
    assert shopper.primary_photo_id == usable.pk
