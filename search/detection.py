"""Garment detection for "find similar from a photo".

A query photo shows either a person wearing clothes or a product on its own. On a person each
garment is searched separately against its own categories, so the photo is cut into an upper-body,
a lower-body and a full-body (dress) region. By default the regions come from mediapipe pose
landmarks, which run offline on a CPU in tens of milliseconds; SEARCH_DETECTOR="owlvit" swaps in an
open-vocabulary OWL-ViT detector loaded from the local folder SEARCH_DETECTOR_PATH.

Every region's mask is the person mask (mediapipe selfie segmentation) inside its box, so that
encoders see the garment rather than the background. When nothing is found, e.g. a flat-lay product
shot, or legs only with no head (pose needs the upper body, so a close-up of a belt on trousers
finds no pose), the photo is treated as a product: one garment cut out by
`search.segmentation.garment_mask`, with region None so that every category is searched.
"""

import threading
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

Box = tuple[int, int, int, int]

WORK_SIDE = 1024  # mediapipe sees at most this long side; larger inputs only cost time
VISIBLE = 0.5  # landmark visibility above which a joint counts as seen
MIN_MASK_SHARE = 0.05  # a box this empty of person holds no worn garment: keep the box, drop the mask
OWLVIT_QUERIES = {
    "a top": "upper", "a shirt": "upper", "a t-shirt": "upper", "a jacket": "upper", "a sweater": "upper",
    "trousers": "lower", "shorts": "lower", "a skirt": "lower", "a dress": "full",
}
OWLVIT_THRESHOLD = 0.1
NMS_IOU = 0.3
MAX_DETECTIONS = 6

# mediapipe graphs are not thread-safe and are slow to build: one of each per process, used under
# this lock. The same lock guards loading the OWL-ViT model.
_LOCK = threading.Lock()
_models: dict[object, object] = {}


@dataclass(frozen=True)
class DetectedGarment:
    box: Box  # x0, y0, x1, y1 in image pixels, x1/y1 exclusive as in PIL's crop
    region: str | None  # "upper" | "lower" | "full" | None (unknown: search every category)
    mask: np.ndarray | None  # bool H x W of the whole image, True on garment pixels


def detect_garments(image: Image.Image) -> list[DetectedGarment]:
    """The garments in `image`: person regions when a person is found, else one product garment."""
    image = image.convert("RGB")
    regions = _detector()(image)
    if not regions:
        return [_product_garment(image)]
    person = _person_mask(image)
    return [_worn_garment(box, region, person) for box, region in regions]


def garment_crop(image: Image.Image, garment: DetectedGarment) -> tuple[Image.Image, np.ndarray | None]:
    """The garment's box cut out of `image`, with its mask cut the same way, ready to encode."""
    x0, y0, x1, y1 = garment.box
    mask = None if garment.mask is None else garment.mask[y0:y1, x0:x1]
    return image.crop(garment.box), mask


def _detector() -> Callable[[Image.Image], list[tuple[Box, str]]]:
    name = getattr(settings, "SEARCH_DETECTOR", "pose")
    if name == "pose":
        return _pose_regions
    if name == "owlvit":
        return _owlvit_regions
    raise ImproperlyConfigured(f"SEARCH_DETECTOR must be 'pose' or 'owlvit', not {name!r}.")


def _model(key: object, load: Callable[[], object]) -> object:
    """The process-wide instance for `key`; the caller holds _LOCK."""
    if key not in _models:
        _models[key] = load()
    return _models[key]


def _working_pixels(image: Image.Image) -> np.ndarray:
    scale = WORK_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return np.asarray(image)


def _person_mask(image: Image.Image) -> np.ndarray:
    import mediapipe as mp

    pixels = _working_pixels(image)
    with _LOCK:
        segmenter = _model("segmenter", lambda: mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0))
        probability = segmenter.process(pixels).segmentation_mask
    return cv2.resize(probability, image.size, interpolation=cv2.INTER_LINEAR) > 0.5


def _landmarks(image: Image.Image) -> np.ndarray | None:
    """(33, 3): x and y in image pixels (estimated even off-frame), and 1.0 where seen in frame."""
    import mediapipe as mp

    pixels = _working_pixels(image)
    with _LOCK:
        pose = _model("pose", lambda: mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1))
        found = pose.process(pixels).pose_landmarks
    if found is None:
        return None
    points = np.array([(p.x, p.y, p.visibility) for p in found.landmark], dtype=np.float64)
    in_frame = (points[:, :2] >= 0).all(axis=1) & (points[:, :2] <= 1).all(axis=1)
    seen = (points[:, 2] > VISIBLE) & in_frame
    return np.column_stack([points[:, 0] * image.width, points[:, 1] * image.height, seen])


SHOULDERS, ELBOWS, WRISTS, HIPS, KNEES, ANKLES = [11, 12], [13, 14], [15, 16], [23, 24], [25, 26], [27, 28]


def _pose_regions(image: Image.Image) -> list[tuple[Box, str]]:
    points = _landmarks(image)
    if points is None:
        return []
    boxes = {"upper": _upper_box(points), "lower": _lower_box(points)}
    if boxes["upper"] is not None and boxes["lower"] is not None:
        boxes["full"] = _union(boxes["upper"], boxes["lower"])
    clamped = [(_clamped(box, image.size), region) for region, box in boxes.items() if box is not None]
    return [(box, region) for box, region in clamped if box is not None]


def _seen(points: np.ndarray, joints: list[int]) -> np.ndarray:
    rows = points[joints]
    return rows[rows[:, 2] > 0, :2]


def _upper_box(points: np.ndarray) -> np.ndarray | None:
    """Shoulders to hips, widened to the arms that are seen. Hips out of frame or hidden still have
    estimated positions: the box then runs to them and is clamped to the photo."""
    if len(_seen(points, SHOULDERS)) < 2:
        return None
    shoulders, hips = points[SHOULDERS, :2], points[HIPS, :2]
    torso = hips[:, 1].mean() - shoulders[:, 1].mean()
    if torso <= 0:
        return None
    xs = np.concatenate([shoulders[:, 0], hips[:, 0], _seen(points, ELBOWS + WRISTS)[:, 0]])
    # The shoulder joint sits below the shoulder line, and tops end a little past the hip joint.
    margin = 0.12 * torso
    return np.array([xs.min() - margin, shoulders[:, 1].min() - margin, xs.max() + margin, hips[:, 1].max() + margin])


def _lower_box(points: np.ndarray) -> np.ndarray | None:
    """Waist to ankles; needs both hips and a knee or an ankle seen. Ankles below the frame or hidden
    still have estimated positions, so trousers cut off by the frame reach the photo's bottom edge."""
    legs_seen = _seen(points, KNEES + ANKLES)
    if len(_seen(points, HIPS)) < 2 or not len(legs_seen):
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


def _clamped(box, size: tuple[int, int]) -> Box | None:
    """`box` rounded and clipped to the photo; None when too little of it is inside."""
    width, height = size
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x0, x1 = max(0, x0), min(width, x1)
    y0, y1 = max(0, y0), min(height, y1)
    return (x0, y0, x1, y1) if x1 - x0 >= 2 and y1 - y0 >= 2 else None


def _bounding_box(mask: np.ndarray) -> Box:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _worn_garment(box: Box, region: str, person: np.ndarray) -> DetectedGarment:
    """The person inside `box`, with the box shrunk to them; a box with hardly any person in it (a
    product the detector found) keeps its extent and has no mask."""
    x0, y0, x1, y1 = box
    inside = np.zeros_like(person)
    inside[y0:y1, x0:x1] = person[y0:y1, x0:x1]
    if inside.sum() < MIN_MASK_SHARE * (x1 - x0) * (y1 - y0):
        return DetectedGarment(box=box, region=region, mask=None)
    return DetectedGarment(box=_bounding_box(inside), region=region, mask=inside)


def _product_garment(image: Image.Image) -> DetectedGarment:
    from search.segmentation import garment_mask

    mask = np.asarray(garment_mask(image), dtype=bool)
    if not mask.any():
        return DetectedGarment(box=(0, 0, image.width, image.height), region=None, mask=None)
    return DetectedGarment(box=_bounding_box(mask), region=None, mask=mask)


def _owlvit_regions(image: Image.Image) -> list[tuple[Box, str]]:
    import torch

    model, processor = _owlvit()
    queries = list(OWLVIT_QUERIES)
    inputs = processor(text=[queries], images=image, return_tensors="pt")
    with torch.inference_mode():
        outputs = model(**inputs)
    found = processor.post_process_grounded_object_detection(
        outputs, threshold=OWLVIT_THRESHOLD, target_sizes=[(image.height, image.width)]
    )[0]
    candidates = []
    for box, label, score in zip(found["boxes"].tolist(), found["labels"].tolist(), found["scores"].tolist()):
        clamped = _clamped(box, image.size)
        if clamped is not None:
            candidates.append((score, clamped, OWLVIT_QUERIES[queries[label]]))
    return _non_max_suppressed(candidates)


def _owlvit() -> tuple:
    path = str(getattr(settings, "SEARCH_DETECTOR_PATH", "") or "")
    if not path:
        raise ImproperlyConfigured("SEARCH_DETECTOR='owlvit' needs SEARCH_DETECTOR_PATH, a local model folder.")
    with _LOCK:
        return _model(("owlvit", path), lambda: _load_owlvit(path))


def _load_owlvit(path: str) -> tuple:
    from transformers import OwlViTForObjectDetection, OwlViTProcessor

    model = OwlViTForObjectDetection.from_pretrained(path, local_files_only=True).eval()
    return model, OwlViTProcessor.from_pretrained(path, local_files_only=True)


def _non_max_suppressed(candidates: list[tuple[float, Box, str]]) -> list[tuple[Box, str]]:
    """Best first, dropping a box that overlaps a kept box of the same region by more than NMS_IOU."""
    kept: list[tuple[Box, str]] = []
    for _, box, region in sorted(candidates, key=lambda candidate: -candidate[0]):
        if all(other_region != region or _iou(box, other) <= NMS_IOU for other, other_region in kept):
            kept.append((box, region))
    return kept[:MAX_DETECTIONS]


def _iou(a: Box, b: Box) -> float:
    overlap = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    return overlap / (area_a + area_b - overlap)
