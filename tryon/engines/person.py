"""The shopper's photo, analysed once on upload: pose, person mask, and what it can be used for.

Pose and segmentation are vision's mediapipe graphs, so a try-on upload and a photo search share
models. Pose finds one person only, so a group photo would quietly dress whoever it picked; two
checks refuse it instead: the face detector finding two confident faces (people standing close or
overlapping), or pose finding a second body with both shoulders seen once the first person is
painted over (people apart, and full-body shots whose faces are too small for the face detector).
On the people photos neither fires on one person and one or the other fires on every pair tried
(tests/tryon/engines/test_person.py).
"""

import cv2
import numpy as np
from PIL import Image

from tryon.engines.base import PersonAnalysis
from vision.graphs import working_pixels
from vision.person import face_count, person_mask
from vision.pose import HIPS, KNEES, SHOULDERS, VISIBLE, landmarks
from vision.regions import FULL, LOWER, UPPER, region_checked

NO_PERSON = "We could not find a person in this photo."
MANY_PEOPLE = "This photo shows more than one person. Please upload a photo of just you."
NEEDS = {
    UPPER: (SHOULDERS + HIPS, "Your shoulders and hips need to be visible to try on a top."),
    LOWER: (HIPS + KNEES, "Your knees need to be visible to try on a bottom."),
    FULL: (HIPS + KNEES, "Your knees need to be visible to try on a dress."),
}

FACE_CONFIDENCE = 0.6
HIDE_MARGIN = 0.15  # the painted-over box grows by this share of its long side (more above: hair)
KEEP_PIECE = 0.01  # person-mask pieces smaller than this share of the largest are specks


class PhotoUnusable(Exception):
    """The photo cannot be used for try-on; `message` is worded for the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def person_analyse(image: Image.Image) -> PersonAnalysis:
    """Pose (x, y in pixels; visibility 1.0 where the joint is seen inside the frame, else 0.0)
    and person mask of the one person in `image`; raises PhotoUnusable for none or several."""
    image = image.convert("RGB")
    points = landmarks(image)
    if points is None:
        raise PhotoUnusable(NO_PERSON)
    if face_count(image, confidence=FACE_CONFIDENCE) > 1 or _second_body(image, points):
        raise PhotoUnusable(MANY_PEOPLE)
    return PersonAnalysis(width=image.width, height=image.height,
                          landmarks=[tuple(float(v) for v in point) for point in points],
                          person_mask=_cleaned(person_mask(image)))


def usable_for(analysis: PersonAnalysis, region: str) -> str | None:
    """None when the photo shows what a garment for `region` needs, else why not, for the shopper."""
    joints, message = NEEDS[region_checked(region)]
    return None if all(analysis.landmarks[j][2] > VISIBLE for j in joints) else message


def _second_body(image: Image.Image, points: np.ndarray) -> bool:
    """Whether pose finds another body, both shoulders seen, once the first is painted grey."""
    pixels = working_pixels(image).copy()
    scale = pixels.shape[1] / image.width
    (x0, y0), (x1, y1) = scale * points[:, :2].min(axis=0), scale * points[:, :2].max(axis=0)
    margin = HIDE_MARGIN * max(x1 - x0, y1 - y0)
    top, bottom = max(0, round(y0 - 1.5 * margin)), max(0, round(y1 + margin))
    left, right = max(0, round(x0 - margin)), max(0, round(x1 + margin))
    pixels[top:bottom, left:right] = 127
    others = landmarks(Image.fromarray(pixels))
    return others is not None and bool(others[list(SHOULDERS), 2].all())


def _cleaned(mask: np.ndarray) -> np.ndarray:
    """Open and close away speckle and pinholes, then drop the specks left apart from the body."""
    side = max(3, round(0.01 * min(mask.shape)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    binary = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, kernel)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    if count < 2:
        return binary.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return np.isin(labels, 1 + np.flatnonzero(areas >= KEEP_PIECE * areas.max()))
