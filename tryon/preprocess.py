"""Cached preprocessing: a photo's pose and person mask, a garment's mask and key points."""

import numpy as np
from django.core.files.base import ContentFile

from accounts.models import Photo
from catalog.models import ClothingItem
from core.uploads import stored_image_rgb, stored_mask
from tryon.engines.base import GarmentInput, PersonAnalysis
from tryon.engines.keypoints import garment_landmarks
from tryon.engines.person import PhotoUnusable, person_analyse, usable_for
from tryon.models import PhotoAnalysis
from vision.garment import garment_mask, mask_to_png_bytes
from vision.regions import REGIONS


def photo_analyse(*, photo: Photo) -> PhotoAnalysis:
    """Run pose and segmentation once, on upload, and record what the photo cannot serve."""
    try:
        analysis = person_analyse(stored_image_rgb(photo.image))
    except PhotoUnusable as refusal:
        data, mask = {}, np.zeros((photo.height, photo.width), bool)
        problems = {region: refusal.message for region in REGIONS}
    else:
        data, mask = analysis.to_json(), analysis.person_mask
        problems = {region: message for region in REGIONS if (message := usable_for(analysis, region))}
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


def garment_input(*, item: ClothingItem) -> GarmentInput:
    """The garment's mask (the catalog enrichment's when present) and its landmarks, cached on the item."""
    image = stored_image_rgb(item.image)
    mask = stored_mask(item.mask) if item.mask else garment_mask(image)
    region = item.category.body_region
    if item.landmarks.get("region") != region or item.landmarks.get("size") != [mask.shape[1], mask.shape[0]]:
        item.landmarks = garment_landmarks(mask, region)
        ClothingItem.objects.filter(pk=item.pk).update(landmarks=item.landmarks)
    return GarmentInput(image=image, mask=mask, region=region, attributes=item.attributes,
                        keypoints={name: tuple(point) for name, point in item.landmarks["points"].items()})
