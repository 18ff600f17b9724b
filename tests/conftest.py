"""Shared fixtures.

Every transactional test uses `django_db(transaction=True, serialized_rollback=True)`. Without it, the
flush after the test recreates content types (post_migrate), and the next serialized-rollback test fails
reloading them as duplicates; with it, the rows that data migrations made come back for later tests.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Photo
from closet.models import ClosetItem, HistoryEntry
from jobs.models import Job
from tests.factories import ClothingItemFactory, UserFactory, category, image_bytes, small_catalog_items
from tryon.models import Combination, Share


@pytest.fixture
def shopper(db):
    return UserFactory()


@pytest.fixture
def other_shopper(db):
    return UserFactory()


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(shopper) -> APIClient:
    """An API client signed in as `shopper` with a token."""
    return _token_client(shopper)


@pytest.fixture
def other_api(other_shopper) -> APIClient:
    return _token_client(other_shopper)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def in_process_requests():
    """For requests sent through the WSGI app itself (schemathesis, a generated client): Django
    closes the database connection when a request ends, which would abort the test's transaction;
    its test client disconnects the same handler for the same reason."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tops(db):
    return ClothingItemFactory.create_batch(7, category=category("tops"))


@pytest.fixture
def bottom(db):
    return ClothingItemFactory(category=category("bottoms"), attributes={"type": "jeans", "color": "blue"})


@pytest.fixture
def dress(db):
    return ClothingItemFactory(category=category("dresses"), attributes={"type": "dress", "length": "midi"})


@pytest.fixture
def small_catalog(db):
    return small_catalog_items()


@pytest.fixture
def victim(shopper, tops, bottom):
    """The first shopper's private objects, each with a file where the model has one: what the access
    test tries to reach as somebody else, and what the API fuzzer's ids point at."""
    photo = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="me.jpg"))
    shopper.primary_photo = photo
    shopper.save(update_fields=["primary_photo"])
    tryon = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED,
                               params={"photo_id": photo.pk, "top_id": tops[0].pk},
                               result={"image": "result.jpg", "width": 60, "height": 80, "engine": "warp"})
    search = Job.objects.create(owner=shopper, kind=Job.Kind.IMAGE_SEARCH, status=Job.Status.SUCCEEDED,
                                params={"photo_id": photo.pk},
                                result={"image": "query.jpg", "width": 60, "height": 80, "garments": []})
    default_storage.save(tryon.files_prefix + "result.jpg", ContentFile(image_bytes(color=(1, 2, 3))))
    default_storage.save(search.files_prefix + "query.jpg", ContentFile(image_bytes(color=(4, 5, 6))))
    ClosetItem.objects.create(user=shopper, item=tops[0])
    HistoryEntry.objects.create(user=shopper, item=bottom, viewed_at=timezone.now())
    combination = Combination.objects.create(user=shopper, top=tops[0], bottom=bottom,
                                             result_image=ContentFile(image_bytes(), name="outfit.jpg"))
    Share.objects.create(user=shopper, job=tryon, email="friend@example.com")
    return {"user": shopper, "photo": photo, "jobs": {tryon: "result", search: "query"},
            "combination": combination, "item": tops[0]}


@pytest.fixture
def without_tryon():
    """Accounts on its own: try-on's receiver of photo_uploaded is disconnected, so no analysis marks the
    plain test images unusable."""
    from accounts.signals import photo_uploaded
    from tryon.receivers import analyse_uploaded_photo

    photo_uploaded.disconnect(dispatch_uid="tryon_analyse_uploaded_photo")
    yield
    photo_uploaded.connect(analyse_uploaded_photo, dispatch_uid="tryon_analyse_uploaded_photo")
