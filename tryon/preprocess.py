"""Cached preprocessing: a photo's pose and person mask, a garment's mask and key points."""

from functools import lru_cache

import numpy as np
from django.core.files.base import ContentFile
from PIL import Image

from accounts.models import Photo
from accounts.services import photo_mark_unusable
from catalog.models import ClothingItem
from core.uploads import stored_image_rgb, stored_mask
from tryon.engines.base import GarmentInput, PersonAnalysis
from tryon.engines.keypoints import garment_landmarks, landmarks_stale
from tryon.engines.person import PhotoUnusable, person_analyse, usable_for
from tryon.models import PhotoAnalysis
from tryon.samples import SAMPLES, sample_image
from vision.garment import garment_mask, mask_to_png_bytes
from vision.regions import REGIONS


def person_problems(image: Image.Image) -> tuple[PersonAnalysis | None, dict[str, str]]:
    """Pose and person mask (None when no one usable is there), and why the picture cannot serve a region."""
    try:
        analysis = person_analyse(image)
    except PhotoUnusable as refusal:
        return None, {region: refusal.message for region in REGIONS}
    return analysis, {region: message for region in REGIONS if (message := usable_for(analysis, region))}


def photo_analyse(*, photo: Photo) -> PhotoAnalysis:
    """Run pose and segmentation once, on upload, and record what the photo cannot serve; a photo with no
    usable person is marked unusable (it is then never primary)."""
    analysis, problems = person_problems(stored_image_rgb(photo.image))
    if analysis is None:
        data, mask = {}, np.zeros((photo.height, photo.width), bool)
        photo_mark_unusable(photo=photo, reason=next(iter(problems.values())))
    else:
        data, mask = analysis.to_json(), analysis.person_mask
    record = PhotoAnalysis(photo=photo, data=data, problems=problems)
    record.person_mask.save(f"{photo.pk}.png", ContentFile(mask_to_png_bytes(mask)), save=False)
    record.save()
    return record


def photo_analysis(*, photo: Photo) -> tuple[PersonAnalysis | None, dict]:
    record = PhotoAnalysis.objects.filter(photo=photo).first() or photo_analyse(photo=photo)
    if not record.data:
        return None, record.problems
    mask = stored_mask(record.person_mask)
    return PersonAnalysis.from_json(record.data, mask), record.problems


@lru_cache(maxsize=len(SAMPLES))
def sample_analysis(name: str) -> tuple[PersonAnalysis | None, dict[str, str]]:
    """A sample model photo's analysis, once per process: the files never change while it runs."""
    return person_problems(sample_image(name))


def garment_input(*, item: ClothingItem) -> GarmentInput:
    """The garment's mask (the catalog enrichment's when present) and its landmarks, cached on the item
    and read again when stale (after an upgrade of their rules, too: no re-enrichment needed)."""
    image = stored_image_rgb(item.image)
    mask = stored_mask(item.mask) if item.mask else garment_mask(image)
    region = item.category.body_region
    if landmarks_stale(item.landmarks, mask, region):
        item.landmarks = garment_landmarks(mask, region)
        ClothingItem.objects.filter(pk=item.pk).update(landmarks=item.landmarks)
    return GarmentInput(image=image, mask=mask, region=region, attributes=item.attributes,
                        keypoints={name: tuple(point) for name, point in item.landmarks["points"].items()})
