"""Garment detection in a photo of a person wearing clothes, or of a product on its own.

On a person each garment is searched separately against its own categories, so the photo is cut
into an upper-body, a lower-body and a full-body (dress) region. Which detector finds the regions is
the caller's choice (`find_regions`); `pose_regions` derives them from mediapipe pose landmarks,
offline on a CPU in tens of milliseconds (vision/owlvit.py is a learned alternative).

Every region's mask is the person mask (mediapipe selfie segmentation) inside its box, so that
encoders see the garment rather than the background. When nothing is found, e.g. a flat-lay product
shot, or legs only with no head (pose needs the upper body, so a close-up of a belt on trousers
finds no pose), the photo is treated as a product: one garment cut out by
`vision.garment.garment_mask`, with region None so that every category is searched.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

from vision.garment import garment_mask
from vision.person import person_mask
from vision.pose import ANKLES, ELBOWS, HIPS, KNEES, SHOULDERS, WRISTS, landmarks, seen_points
from vision.regions import FULL, LOWER, UPPER

Box = tuple[int, int, int, int]
RegionFinder = Callable[[Image.Image], list[tuple[Box, str]]]

MIN_MASK_SHARE = 0.05  # a box this empty of person holds no worn garment: keep the box, drop the mask


@dataclass(frozen=True)
class DetectedGarment:
    box: Box  # x0, y0, x1, y1 in image pixels, x1/y1 exclusive as in PIL's crop
    region: str | None  # one of vision.regions.REGIONS, or None (unknown: search every category)
    mask: np.ndarray | None  # bool H x W of the whole image, True on garment pixels


def garments_detect(image: Image.Image, *, find_regions: RegionFinder) -> list[DetectedGarment]:
    """The garments in `image`: person regions when `find_regions` finds any, else one product garment."""
    image = image.convert("RGB")
    regions = find_regions(image)
    if not regions:
        return [_product_garment(image)]
    person = person_mask(image)
    return [_worn_garment(box, region, person) for box, region in regions]


def garment_crop(image: Image.Image, garment: DetectedGarment) -> tuple[Image.Image, np.ndarray | None]:
    """The garment's box cut out of `image`, with its mask cut the same way, ready to encode."""
    x0, y0, x1, y1 = garment.box
    mask = None if garment.mask is None else garment.mask[y0:y1, x0:x1]
    return image.crop(garment.box), mask


def pose_regions(image: Image.Image) -> list[tuple[Box, str]]:
    """Boxes of the upper and lower body from the pose, and of the full body around both."""
    points = landmarks(image)
    if points is None:
        return []
    boxes = {UPPER: _upper_box(points), LOWER: _lower_box(points)}
    if boxes[UPPER] is not None and boxes[LOWER] is not None:
        boxes[FULL] = _union(boxes[UPPER], boxes[LOWER])
    clamped = [(box_clamped(box, image.size), region) for region, box in boxes.items() if box is not None]
    return [(box, region) for box, region in clamped if box is not None]


def box_clamped(box, size: tuple[int, int]) -> Box | None:
    """`box` rounded and clipped to the photo; None when too little of it is inside."""
    width, height = size
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, x1 = max(0, x0), min(width, x1)
    y0, y1 = max(0, y0), min(height, y1)
    return (x0, y0, x1, y1) if x1 - x0 >= 2 and y1 - y0 >= 2 else None


def bounding_box(mask: np.ndarray) -> Box:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _upper_box(points: np.ndarray) -> np.ndarray | None:
    """Shoulders to hips, widened to the arms that are seen. Hips out of frame or hidden still have
    estimated positions: the box then runs to them and is clamped to the photo."""
    if len(seen_points(points, SHOULDERS)) < 2:
        return None
    shoulders, hips = points[SHOULDERS, :2], points[HIPS, :2]
    torso = hips[:, 1].mean() - shoulders[:, 1].mean()
    if torso <= 0:
        return None
    xs = np.concatenate([shoulders[:, 0], hips[:, 0], seen_points(points, ELBOWS + WRISTS)[:, 0]])
    # The shoulder joint sits below the shoulder line, and tops end a little past the hip joint.
    margin = 0.12 * torso
    return np.array([xs.min() - margin, shoulders[:, 1].min() - margin, xs.max() + margin, hips[:, 1].max() + margin])


def _lower_box(points: np.ndarray) -> np.ndarray | None:
    """Waist to ankles; needs both hips and a knee or an ankle seen. Ankles below the frame or hidden
    still have estimated positions, so trousers cut off by the frame reach the photo's bottom edge."""
    legs_seen = seen_points(points, KNEES + ANKLES)
    if len(seen_points(points, HIPS)) < 2 or not len(legs_seen):
        return None
    hips, ankles = points[HIPS, :2], points[ANKLES, :2]
    leg = ankles[:, 1].max() - hips[:, 1].mean()
    if leg <= 0:
        return None
    xs = np.concatenate([hips[:, 0], legs_seen[:, 0]])
    # The waistband sits above the hip joints, which are well inside the hips' outline.
    side, waist, hem = 0.2 * leg, 0.15 * leg, 0.08 * leg
    return np.array([xs.min() - side, hips[:, 1].min() - waist, xs.max() + side, ankles[:, 1].max() + hem])


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.concatenate([np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])])


def _worn_garment(box: Box, region: str, person: np.ndarray) -> DetectedGarment:
    """The person inside `box`, with the box shrunk to them; a box with hardly any person in it (a
    product the detector found) keeps its extent and has no mask."""
    x0, y0, x1, y1 = box
    inside = np.zeros_like(person)
    inside[y0:y1, x0:x1] = person[y0:y1, x0:x1]
    if inside.sum() < MIN_MASK_SHARE * (x1 - x0) * (y1 - y0):
        return DetectedGarment(box=box, region=region, mask=None)
    return DetectedGarment(box=bounding_box(inside), region=region, mask=inside)


def _product_garment(image: Image.Image) -> DetectedGarment:
    mask = np.asarray(garment_mask(image), dtype=bool)
    if not mask.any():
        return DetectedGarment(box=(0, 0, image.width, image.height), region=None, mask=None)
    return DetectedGarment(box=bounding_box(mask), region=None, mask=mask)
