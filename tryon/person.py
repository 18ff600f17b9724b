"""The shopper's photo, analysed once on upload: pose, person mask, and the body areas a garment
replaces.

Pose and segmentation are search.detection's mediapipe graphs (one per process, under its lock),
so a try-on upload and a photo search share models. Pose finds one person only, so a group photo
would quietly dress whoever it picked; two checks refuse it instead: the face detector finding
two confident faces (people standing close or overlapping), or pose finding a second body with
both shoulders seen once the first person is painted over (people apart, and full-body shots whose
faces are too small for the face detector). On the people photos neither fires on one person and
one or the other fires on every pair tried (tests/tryon/test_preprocessing.py).

Region masks are drawn from the joints: a torso polygon, capsules along the limbs, cut to the
person mask dilated a little, so baggy clothes stay in while the background stays out. They are
rough on purpose: the warp engine blends at their edges. Sizes are shares of the torso (shoulder
midpoint to hip midpoint), which scales with the person in the photo whatever their pose.
"""

import cv2
import numpy as np
from PIL import Image

from search.detection import _LOCK, _landmarks, _model, _person_mask, _working_pixels
from tryon.engines.base import REGIONS, PersonAnalysis

SHOULDERS, ELBOWS, WRISTS, HIPS, KNEES, ANKLES = (11, 12), (13, 14), (15, 16), (23, 24), (25, 26), (27, 28)
HANDS = ((17, 19, 21), (18, 20, 22))  # pinky, index and thumb knuckles, left then right
FACE_POINTS = 11  # landmarks 0-10: nose, eyes, ears, mouth
VISIBLE = 0.5

NO_PERSON = "We could not find a person in this photo."
MANY_PEOPLE = "This photo shows more than one person. Please upload a photo of just you."
NEEDS = {
    "upper": (SHOULDERS + HIPS, "Your shoulders and hips need to be visible to try on a top."),
    "lower": (HIPS + KNEES, "Your knees need to be visible to try on a bottom."),
    "full": (HIPS + KNEES, "Your knees need to be visible to try on a dress."),
}

FACE_CONFIDENCE = 0.6
HIDE_MARGIN = 0.15  # the painted-over box grows by this share of its long side (more above: hair)
KEEP_PIECE = 0.01  # person-mask pieces smaller than this share of the largest are specks

# Shares of the torso length.
SHOULDER_RISE, TOP_DROP, WAIST_RISE, CROTCH_DROP = 0.12, 0.12, 0.2, 0.15
MIN_HALF_WIDTH = 0.25  # the torso is at least this half-wide, for people seen side-on
UPPER_ARM, FOREARM, HAND, THIGH, CALF = 0.14, 0.11, 0.1, 0.22, 0.15  # capsule radii
HEAD = 0.3  # radius around the face's landmarks
HAND_REACH = 2.0  # fingertips lie this many wrist-to-knuckle lengths from the wrist
DILATE = 0.04  # the person mask grows by this before it cuts a region: soft edges of hair and cloth
SPREAD = 1.5  # the torso's outline is this much wider than its shoulder or hip joints

# Where a garment's hem falls along the leg: 0 hip joint, 1 knee, 2 ankle.
HEMS = {"mini": 0.5, "above-knee": 0.8, "short": 0.8, "knee": 1.0, "midi": 1.5, "cropped": 1.6,
        "maxi": 2.0, "full": 2.0}
DEFAULT_HEM = {"lower": 2.0, "full": 1.0}
BOTTOM_MIN_HEM = 1.0  # a bottom replaces at least down to the knees: shorts' legs flare


class PhotoUnusable(Exception):
    """The photo cannot be used for try-on; `message` is worded for the shopper."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def person_analyse(image: Image.Image) -> PersonAnalysis:
    """Pose (x, y in pixels; visibility 1.0 where the joint is seen inside the frame, else 0.0)
    and person mask of the one person in `image`; raises PhotoUnusable for none or several."""
    image = image.convert("RGB")
    points = _landmarks(image)
    if points is None:
        raise PhotoUnusable(NO_PERSON)
    if _face_count(image) > 1 or _second_body(image, points):
        raise PhotoUnusable(MANY_PEOPLE)
    return PersonAnalysis(width=image.width, height=image.height,
                          landmarks=[tuple(float(v) for v in point) for point in points],
                          person_mask=_cleaned(_person_mask(image)))


def usable_for(analysis: PersonAnalysis, region: str) -> str | None:
    """None when the photo shows what a garment for `region` needs, else why not, for the shopper."""
    joints, message = NEEDS[_checked(region)]
    return None if all(analysis.landmarks[j][2] > VISIBLE for j in joints) else message


def region_mask(analysis: PersonAnalysis, region: str, *, length: str | None = None) -> np.ndarray:
    """Bool H x W: the body a garment for `region` covers, i.e. what it replaces. Tops take the
    torso and arms to the wrists; bottoms the waist down to the hem for `length` (a caption
    length: mini, above-knee, knee, midi, cropped, maxi, full), ankles by default; dresses both,
    the hem at the knees by default. Never the head, nor the hands, nor (for a bottom) the arms."""
    points, canvas, spared = _points(analysis), _canvas(analysis), _canvas(analysis)
    if _checked(region) in ("upper", "full"):
        cv2.fillPoly(canvas, [_torso(points).round().astype(np.int32)], 1)
        _draw_arms(canvas, points)
    if region in ("lower", "full"):
        _draw_legs(canvas, points, _hem(region, length), skirt=region == "full")
    _draw_hands(spared, points, forearms=region == "lower")
    _draw_head(spared, points)
    return (canvas & ~spared).astype(bool) & _dilated(analysis.person_mask, _torso_length(points))


def arms_front_mask(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: forearm and hand pixels over the torso, which stay in front of a new top."""
    points, arms, torso = _points(analysis), _canvas(analysis), _canvas(analysis)
    _draw_hands(arms, points, forearms=True)
    cv2.fillPoly(torso, [_torso(points).round().astype(np.int32)], 1)
    return (arms & torso).astype(bool) & analysis.person_mask


def _checked(region: str) -> str:
    if region not in REGIONS:
        raise ValueError(f"region must be one of {REGIONS}, not {region!r}")
    return region


def _face_count(image: Image.Image) -> int:
    import mediapipe as mp

    pixels = _working_pixels(image)
    with _LOCK:
        faces = _model("faces", lambda: mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=FACE_CONFIDENCE))
        return len(faces.process(pixels).detections or [])


def _second_body(image: Image.Image, points: np.ndarray) -> bool:
    """Whether pose finds another body, both shoulders seen, once the first is painted grey."""
    pixels = _working_pixels(image).copy()
    scale = pixels.shape[1] / image.width
    (x0, y0), (x1, y1) = scale * points[:, :2].min(axis=0), scale * points[:, :2].max(axis=0)
    margin = HIDE_MARGIN * max(x1 - x0, y1 - y0)
    top, bottom = max(0, round(y0 - 1.5 * margin)), max(0, round(y1 + margin))
    left, right = max(0, round(x0 - margin)), max(0, round(x1 + margin))
    pixels[top:bottom, left:right] = 127
    others = _landmarks(Image.fromarray(pixels))
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


def _points(analysis: PersonAnalysis) -> np.ndarray:
    return np.asarray(analysis.landmarks, dtype=np.float64)


def _canvas(analysis: PersonAnalysis) -> np.ndarray:
    return np.zeros((analysis.height, analysis.width), np.uint8)


def _spine(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shoulders' and the hips' midpoints."""
    return points[list(SHOULDERS), :2].mean(axis=0), points[list(HIPS), :2].mean(axis=0)


def _torso_length(points: np.ndarray) -> float:
    top, bottom = _spine(points)
    return max(1.0, float(np.linalg.norm(top - bottom)))


def _axes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors up the spine and across it (towards the person's left)."""
    top, bottom = _spine(points)
    up = (top - bottom) / _torso_length(points)
    across = np.array([-up[1], up[0]])
    if np.dot(across, points[SHOULDERS[0], :2] - points[SHOULDERS[1], :2]) < 0:
        across = -across
    return up, across


def _half_width(points: np.ndarray, joints: tuple[int, int]) -> float:
    spread = np.linalg.norm(points[joints[0], :2] - points[joints[1], :2]) / 2
    return max(SPREAD * spread, MIN_HALF_WIDTH * _torso_length(points))


def _torso(points: np.ndarray) -> np.ndarray:
    """Shoulder tops to a little below the hips, with the neckline dipping to the shoulder joints'
    line in the middle, so that the neck stays out."""
    up, across = _axes(points)
    unit, (top, bottom) = _torso_length(points), _spine(points)
    shoulder, hip = _half_width(points, SHOULDERS) * across, _half_width(points, HIPS) * across
    raised, lowered = top + SHOULDER_RISE * unit * up, bottom - TOP_DROP * unit * up
    return np.array([raised + shoulder, top, raised - shoulder, lowered - hip, lowered + hip])


def _capsule(canvas: np.ndarray, start: np.ndarray, end: np.ndarray, radius: float, *, end_cap: bool = False) -> None:
    """A band of half-width `radius` from `start` to `end`, rounded at `start` (a joint) and cut
    square at `end` unless `end_cap`: a sleeve or trouser leg ends at its hem."""
    direction = end - start
    normal = np.array([-direction[1], direction[0]]) * radius / max(1e-6, float(np.linalg.norm(direction)))
    band = np.array([start + normal, end + normal, end - normal, start - normal]).round().astype(np.int32)
    cv2.fillConvexPoly(canvas, band, 1)
    for centre in (start, end) if end_cap else (start,):
        cv2.circle(canvas, tuple(int(v) for v in centre.round()), max(1, round(radius)), 1, thickness=-1)


def _draw_arms(canvas: np.ndarray, points: np.ndarray) -> None:
    unit = _torso_length(points)
    for shoulder, elbow, wrist in zip(SHOULDERS, ELBOWS, WRISTS):
        _capsule(canvas, points[shoulder, :2], points[elbow, :2], UPPER_ARM * unit, end_cap=True)
        _capsule(canvas, points[elbow, :2], points[wrist, :2], FOREARM * unit)


def _draw_hands(canvas: np.ndarray, points: np.ndarray, *, forearms: bool) -> None:
    """The hands (and forearms) of the arms whose elbow and wrist are seen: a hidden arm is behind
    the body, and drawing it would cut the body away."""
    unit = _torso_length(points)
    for elbow, wrist, hand in zip(ELBOWS, WRISTS, HANDS):
        if points[elbow, 2] > VISIBLE and points[wrist, 2] > VISIBLE:
            knuckles = points[list(hand), :2].mean(axis=0)
            fingertips = points[wrist, :2] + HAND_REACH * (knuckles - points[wrist, :2])
            _capsule(canvas, fingertips, points[wrist, :2], HAND * unit)  # square at the wrist: the cuff stays
            if forearms:
                _capsule(canvas, points[elbow, :2], points[wrist, :2], FOREARM * unit)


def _draw_head(canvas: np.ndarray, points: np.ndarray) -> None:
    """A disc around the face's landmarks (nose, eyes, ears, mouth), big enough for hair and chin."""
    centre = points[:FACE_POINTS, :2].mean(axis=0)
    cv2.circle(canvas, tuple(int(v) for v in centre.round()), round(HEAD * _torso_length(points)), 1, thickness=-1)


def _draw_legs(canvas: np.ndarray, points: np.ndarray, hem: float, *, skirt: bool) -> None:
    """Waist to crotch across the hips, then each leg down to `hem`; a skirt also fills between
    the legs down to the hem."""
    up, across = _axes(points)
    unit, half, (_, centre) = _torso_length(points), _half_width(points, HIPS) * across, _spine(points)
    waist, crotch = centre + WAIST_RISE * unit * up, centre - CROTCH_DROP * unit * up
    outline = [waist + half, waist - half, crotch - half, crotch + half]
    for hip, knee, ankle in zip(HIPS, KNEES, ANKLES):
        hip, knee, ankle = points[hip, :2], points[knee, :2], points[ankle, :2]
        end = hip + hem * (knee - hip) if hem <= 1 else knee + (hem - 1) * (ankle - knee)
        if hem <= 1:
            _capsule(canvas, hip, end, THIGH * unit)
        else:
            _capsule(canvas, hip, knee, THIGH * unit, end_cap=True)
            _capsule(canvas, knee, end, CALF * unit)
        outline += [end + THIGH * unit * across, end - THIGH * unit * across]
    hull = cv2.convexHull(np.array(outline if skirt else outline[:4]).round().astype(np.int32))
    cv2.fillConvexPoly(canvas, hull, 1)


def _hem(region: str, length: str | None) -> float:
    hem = HEMS.get(length, DEFAULT_HEM[region])
    return max(hem, BOTTOM_MIN_HEM) if region == "lower" else hem


def _dilated(mask: np.ndarray, unit: float) -> np.ndarray:
    side = max(3, round(DILATE * unit) | 1)
    return cv2.dilate(mask.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))).astype(bool)
