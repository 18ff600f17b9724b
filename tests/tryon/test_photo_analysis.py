"""Uploads: accounts announces the photo (accounts.signals.photo_uploaded), try-on's receiver analyses it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import photo_upload
from tests.factories import image_bytes
from tryon.models import PhotoAnalysis
from vision.regions import REGIONS


@pytest.mark.django_db
def test_an_uploaded_photo_is_analysed_by_tryons_receiver(shopper):
    upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    photo = photo_upload(user=shopper, upload=upload)
    analysis = PhotoAnalysis.objects.get(photo=photo)
    assert analysis.problems == {region: "We could not find a person in this photo." for region in REGIONS}
    assert analysis.person_mask.name.startswith("private/analysis/") and photo.analysis == analysis
