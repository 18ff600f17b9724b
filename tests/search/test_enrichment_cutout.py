"""Enrichment stores the garment's cut-out once: its mask, photo style, problem and landmarks."""

import pytest
from django.core.files.base import ContentFile

from catalog.models import ClothingItem
from search.enrichment import item_analyse
from tests.factories import ClothingItemFactory, category, image_bytes

pytestmark = pytest.mark.django_db


class _NoZeroShot:
    """An encoder without zero-shot scoring: enrichment then fills only masks and colours."""


def _item(image: bytes, slug: str = "tops") -> ClothingItem:
    return ClothingItemFactory(category=category(slug), image=ContentFile(image, name="g.jpg"))


def test_enrichment_stores_a_clean_product_cutout_with_its_landmarks():
    item = item_analyse(item=_item(image_bytes(size=(240, 320), color=(30, 40, 90), garment=True)),
                        encoder=_NoZeroShot())
    stored = ClothingItem.objects.get(pk=item.pk)
    assert stored.mask and stored.cutout_style == "product" and stored.cutout_problem == ""
    assert stored.cutout_refusal == ""
    assert stored.landmarks["region"] == "upper" and stored.landmarks["size"] == [240, 320]
    assert {"neck", "left_armpit", "right_hem"} <= set(stored.landmarks["points"])


def test_enrichment_flags_a_garment_that_runs_off_the_photo():
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 320), (250, 250, 250))
    ImageDraw.Draw(image).rectangle([0, 40, 150, 280], fill=(30, 40, 90))  # cut off by the left edge
    buffer = BytesIO()
    image.save(buffer, format="JPEG")
    item = item_analyse(item=_item(buffer.getvalue(), slug="bottoms"), encoder=_NoZeroShot())
    stored = ClothingItem.objects.get(pk=item.pk)
    assert stored.cutout_problem == "touches_frame" and "edge of the photo" in stored.cutout_refusal
    assert stored.landmarks["region"] == "lower"
