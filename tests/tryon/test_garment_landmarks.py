"""Stored garment landmarks are reused while current and read again from the mask when their rules changed."""

import pytest

from catalog.models import ClothingItem
from tests.factories import garment
from tryon.engines.keypoints import LANDMARKS_VERSION
from tryon.preprocess import garment_input

pytestmark = pytest.mark.django_db


def test_landmarks_stored_before_a_change_of_their_rules_are_read_again():
    item = garment(slug="tops", title="Navy Tee", color=(40, 70, 160))
    fresh = garment_input(item=item).keypoints
    stale = {**item.landmarks, "version": LANDMARKS_VERSION - 1,
             "points": {name: [0.0, 0.0] for name in item.landmarks["points"]}}
    ClothingItem.objects.filter(pk=item.pk).update(landmarks=stale)
    item.refresh_from_db()
    assert garment_input(item=item).keypoints == fresh
    item.refresh_from_db()
    assert item.landmarks["version"] == LANDMARKS_VERSION


def test_current_landmarks_are_reused_not_read_again():
    item = garment(slug="tops", title="Navy Tee", color=(40, 70, 160))
    garment_input(item=item)
    item.refresh_from_db()
    curated = {**item.landmarks, "points": {name: [1.0, 2.0] for name in item.landmarks["points"]}}
    ClothingItem.objects.filter(pk=item.pk).update(landmarks=curated)
    item.refresh_from_db()
    assert set(garment_input(item=item).keypoints.values()) == {(1.0, 2.0)}
