"""Worn cut-out: a garment on a model, cut from the person with pose and person segmentation.

The person mask says where the model is; the pose says which band of the body the garment covers
(shoulders to hips for a top, waist to ankles for a bottom, shoulders down for a dress). Inside the
band GrabCut separates the garment from the model's skin, hair and other clothes, seeded with:
sure garment on the core of the band (the torso between the joints, the thighs), sure background
outside the person, on the face and hands (in front of or above any garment), and probable
background where the colour is the model's skin, sampled on the face and hands.
"""

import cv2
import numpy as np
from PIL import Image

from vision.flatlay import grabcut
from vision.person import person_mask
from vision.pose import ANKLES, HANDS, HIPS, KNEES, NOSE, SHOULDERS, landmarks, seen_points
from vision.regions import FULL, LOWER, UPPER

MIN_PERSON = 0.08  # share of the photo the person must cover to be cut from
ABOVE_SHOULDERS = 0.2  # band above the shoulder joints (collars, straps), as a share of the torso
BELOW_HIPS = 0.35  # a top ends this far below the hip joints, as a share of the torso
ABOVE_HIPS = 0.2  # a waistband sits this far above the hip joints, as a share of the torso
CORE_SHRINK = 0.3  # the torso quadrilateral shrunk toward its centre by this share: surely garment
FACE_RADIUS = 0.45  # face disc around the nose, as a share of the shoulder width
HAND_RADIUS = 0.12  # hand discs, as a share of the shoulder width
SKIN_LIKE = 14.0  # Lab distance to the sampled skin colour that counts as skin
SKIN_SAMPLE = 0.06  # radius of the discs skin is sampled in, as a share of the shoulder width


def worn_cut(image: Image.Image, small: np.ndarray, region: str) -> np.ndarray | None:
    """Bool mask at the size of `small` (a downscaled `image`) of the garment worn in `region`, or
    None when the photo shows no person whose band for `region` is seen."""
    points = landmarks(image)
    if points is None or len(seen_points(points, SHOULDERS + HIPS)) < 3:
        return None
    scale = small.shape[1] / image.width
    points = points.copy()
    points[:, :2] *= scale
    person = cv2.resize(person_mask(image).astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    if person.mean() < MIN_PERSON:
        return None
    seeds = _seeds(small, points, person.astype(bool), region)
    cut = grabcut(small, seeds)
    return cut if cut.any() else None


def _seeds(rgb: np.ndarray, points: np.ndarray, person: np.ndarray, region: str) -> np.ndarray:
    shoulders, hips, ankles = points[SHOULDERS, :2], points[HIPS, :2], points[ANKLES, :2]
    torso = max(1.0, hips[:, 1].mean() - shoulders[:, 1].mean())
    width = max(1.0, abs(shoulders[0, 0] - shoulders[1, 0]))
    top = {UPPER: shoulders[:, 1].min() - ABOVE_SHOULDERS * torso, LOWER: hips[:, 1].min() - ABOVE_HIPS * torso,
           FULL: shoulders[:, 1].min() - ABOVE_SHOULDERS * torso}[region]
    bottom = hips[:, 1].max() + BELOW_HIPS * torso if region == UPPER else ankles[:, 1].max() + 0.1 * torso
    rows = np.arange(rgb.shape[0])[:, None]
    band = person & (rows >= top) & (rows <= bottom)
    seeds = np.full(rgb.shape[:2], cv2.GC_BGD, np.uint8)
    seeds[band] = cv2.GC_PR_FGD
    seeds[band & _skin(rgb, points, width)] = cv2.GC_PR_BGD
    seeds[_core(rgb.shape[:2], points, region) & band] = cv2.GC_FGD
    for centre, radius in _discs(points, width):
        cv2.circle(seeds, centre, radius, int(cv2.GC_BGD), thickness=-1)
    return seeds


def _core(shape: tuple[int, int], points: np.ndarray, region: str) -> np.ndarray:
    """Surely garment: the shrunk torso for tops and dresses, hips-to-knees strokes for bottoms."""
    core = np.zeros(shape, np.uint8)
    shoulders, hips, knees = points[SHOULDERS, :2], points[HIPS, :2], points[KNEES, :2]
    if region in (UPPER, FULL):
        quad = np.array([shoulders[0], shoulders[1], hips[1], hips[0]])
        centre = quad.mean(axis=0)
        cv2.fillPoly(core, [np.round(centre + (1 - CORE_SHRINK) * (quad - centre)).astype(np.int32)], 1)
    if region in (LOWER, FULL):
        thickness = max(1, round(0.25 * abs(hips[0, 0] - hips[1, 0])))
        for hip, knee in zip(hips, knees):
            end = hip + 0.6 * (knee - hip)
            cv2.line(core, tuple(np.round(hip).astype(int)), tuple(np.round(end).astype(int)), 1, thickness)
    return core.astype(bool)


def _skin(rgb: np.ndarray, points: np.ndarray, width: float) -> np.ndarray:
    """Pixels of the model's skin colour, sampled in small discs under the nose and on the hands that
    are seen (clear of eyes and hair; the median outvotes a sleeve in a hand's disc)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    discs = np.zeros(rgb.shape[:2], np.uint8)
    centres = [points[NOSE, :2]] if points[NOSE, 2] >= 0.5 else []
    centres += [point for hand in HANDS for point in seen_points(points, hand)]
    for centre in centres:
        cv2.circle(discs, tuple(int(v) for v in np.round(centre)), max(1, round(SKIN_SAMPLE * width)), 1, -1)
    if not discs.any():
        return np.zeros(rgb.shape[:2], bool)
    skin = np.median(lab[discs.astype(bool)], axis=0)
    return np.linalg.norm(lab - skin, axis=2) <= SKIN_LIKE


def _discs(points: np.ndarray, width: float) -> list[tuple[tuple[int, int], int]]:
    """The face and the hands that are seen, as (centre, radius) discs: never garment."""
    discs = []
    if points[NOSE, 2] >= 0.5:
        discs.append((points[NOSE, :2], FACE_RADIUS * width))
    for hand in HANDS:
        discs.extend((centre, HAND_RADIUS * width) for centre in seen_points(points, hand))
    return [(tuple(int(v) for v in np.round(centre)), max(1, round(radius))) for centre, radius in discs]
