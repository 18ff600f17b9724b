"""What the warp engine reads off a garment's mask beyond its key points (keypoints.py).

- Armpits: the deepest notches of the outline below the shoulders. Pinned to the body's armpits,
  they keep a sleeve spread out on the floor from dragging the torso sideways when it swings down
  to a hanging arm.
- Sleeves: the garment beyond the torso's side line (shoulder corner, armpit, hem corner) near
  the sleeve's axis, cut out to be warped on its own, and its cuff where the key point falls
  short (a dress has none; a top measured too wide has only a stub).
- Cross-sections: how wide a sleeve or trouser leg is at a point of its axis, so its width can be
  laid across the limb at each point (the key points give only the cuff and the leg's corner).
- Symmetry repair: a sleeve lying against the torso widens the torso measured on that side, so
  that side's shoulder lands out on the sleeve and its sleeve goes missing; the other side,
  mirrored about the neck's column, is the better guess.
"""

import cv2
import numpy as np

SIDES = (("left", -1), ("right", 1))  # image side, and its sign along the left-to-right axis
LOPSIDED = 1.3  # one side's shoulder reach or sleeve length this many times the other's is a misreading
NOTCH_OUTSIDE = 0.4  # an armpit lies at least this share of the neck-to-shoulder span out from the neck
# ... and at most this share: a notch farther out than the shoulder is a bend in the outer edge of
# a sleeve hanging beside the body (at its elbow), not where the sleeve leaves the body.
NOTCH_BEYOND = 1.0
SKIRT_CROTCH = 0.88  # a "crotch" this far down (share of the waist-to-hem height) is a skirt's hem centre
CUFF_BAND = 0.1  # sleeve pixels this close (share of the farthest distance) to the farthest are its cuff
SLEEVE_REACH = 0.9  # sleeve pixels lie within this many root widths (shoulder to armpit) of its axis
OPENING_ABOVE = 0.01  # share of the garment's height above a leg's corner where its opening is measured


def symmetric(kp: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Top or dress key points with a lopsided shoulder or sleeve replaced by the other side's mirror."""
    kp, middle = dict(kp), kp["neck"][0]
    reach = {side: sign * (kp[f"{side}_shoulder"][0] - middle) for side, sign in SIDES}
    if max(reach.values()) > LOPSIDED * max(min(reach.values()), 1.0):
        good, bad = sorted(reach, key=reach.get)
        kp[f"{bad}_shoulder"] = _mirrored(kp[f"{good}_shoulder"], middle)
    sleeves = {side: norm(kp[f"{side}_sleeve"] - kp[f"{side}_shoulder"]) for side, _ in SIDES if f"{side}_sleeve" in kp}
    if len(sleeves) == 2 and max(sleeves.values()) > LOPSIDED * max(min(sleeves.values()), 1.0):
        bad, good = sorted(sleeves, key=sleeves.get)
        kp[f"{bad}_sleeve"] = kp[f"{bad}_shoulder"] + _mirrored(kp[f"{good}_sleeve"], middle) \
            - _mirrored(kp[f"{good}_shoulder"], middle)
    return kp


def is_skirt(kp: dict[str, np.ndarray]) -> bool:
    """Trousers have their crotch high between the legs; a skirt's "crotch" is its hem's centre."""
    waist_y = (kp["left_waist"][1] + kp["right_waist"][1]) / 2
    hem_y = (kp["left_leg"][1] + kp["right_leg"][1]) / 2
    return kp["crotch"][1] - waist_y > SKIRT_CROTCH * (hem_y - waist_y)


def armpits(mask: np.ndarray, kp: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The deepest notch of the outline below each shoulder; a point on the shoulder-hem line if none."""
    found = {side: kp[f"{side}_shoulder"] * 0.65 + kp[f"{side}_hem"] * 0.35 for side, _ in SIDES}
    for point in _notches(mask):  # shallowest first, so the deepest one that fits wins
        for side, _ in SIDES:
            shoulder, hem = kp[f"{side}_shoulder"], kp[f"{side}_hem"]
            out = (point[0] - kp["neck"][0]) / (shoulder[0] - kp["neck"][0] or 1e-6)
            if NOTCH_OUTSIDE < out <= NOTCH_BEYOND and shoulder[1] < point[1] < hem[1]:
                found[side] = point
    return found


def cuff(mask: np.ndarray, kp: dict[str, np.ndarray], notches: dict[str, np.ndarray], side: str) -> np.ndarray:
    """The far end of the sleeve on `side`: the key point, or the farthest reach of the garment
    outside the torso's side line and above the armpit when that lies farther from the sleeve's
    root (a torso measured too wide leaves the key point only the stub of a spread-out sleeve)."""
    shoulder, armpit = kp[f"{side}_shoulder"], notches[side]
    root, given = (shoulder + armpit) / 2, kp.get(f"{side}_sleeve", shoulder)
    outside = _outside(mask, kp, notches, side)
    outside[max(0, int(armpit[1])):] = False
    ys, xs = np.nonzero(outside)
    if len(xs) == 0:
        return given
    distance = np.hypot(xs - root[0], ys - root[1])
    far = distance >= (1 - CUFF_BAND) * distance.max()
    found = np.array([xs[far].mean(), ys[far].mean()])
    return found if norm(found - root) > norm(given - root) else given


def sleeve_mask(mask: np.ndarray, kp: dict[str, np.ndarray], notches: dict[str, np.ndarray], side: str,
                end: np.ndarray) -> np.ndarray:
    """The garment pixels of the sleeve on `side`: outside the torso's side line and near the
    sleeve's axis (from between its shoulder and armpit to its cuff `end`), which leaves to the
    torso the sides of a torso wider than its shoulders."""
    shoulder, armpit = kp[f"{side}_shoulder"], notches[side]
    near = np.zeros(mask.shape, np.uint8)
    cv2.line(near, tuple(int(v) for v in ((shoulder + armpit) / 2).round()), tuple(int(v) for v in end.round()), 1,
             thickness=max(1, round(2 * SLEEVE_REACH * norm(shoulder - armpit))))
    return _outside(mask, kp, notches, side) & (near > 0)


def _outside(mask: np.ndarray, kp: dict[str, np.ndarray], notches: dict[str, np.ndarray], side: str) -> np.ndarray:
    """The garment pixels beyond the torso's side line on `side`: shoulder corner, armpit, hem
    corner, run on up and down to the photo's edges."""
    height = mask.shape[0]
    shoulder, armpit, hem = kp[f"{side}_shoulder"], notches[side], kp[f"{side}_hem"]
    outer = 0 if side == "left" else mask.shape[1] - 1
    polygon = np.array([(shoulder[0], 0), (outer, 0), (outer, height - 1), (hem[0], height - 1), hem, armpit,
                        shoulder]).round().astype(np.int32)
    beyond = np.zeros(mask.shape, np.uint8)
    cv2.fillPoly(beyond, [polygon], 1)
    return mask & (beyond > 0)


def opening(mask: np.ndarray, corner: np.ndarray) -> np.ndarray:
    """The centre of a trouser leg's opening: the middle of the run of garment pixels that holds
    its outer corner, on the mask row a little above it."""
    height, width = mask.shape
    row = int(np.clip(round(corner[1] - OPENING_ABOVE * height), 0, height - 1))
    start, end = _run(mask[row], float(np.clip(corner[0], 0, width - 1)))
    return np.array([(start + end) / 2, corner[1]]) if end >= start else corner


def cross_section(mask: np.ndarray, point: np.ndarray, along: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and half-width of the garment's span on the line through `point` across `along`
    (zero width where `point` is off the garment)."""
    across = normal(along)
    offsets = np.arange(-max(mask.shape), max(mask.shape) + 1)
    xs, ys = (point[:, None] + across[:, None] * offsets).round().astype(int)
    inside = (xs >= 0) & (xs < mask.shape[1]) & (ys >= 0) & (ys < mask.shape[0])
    line = np.zeros(len(offsets), bool)
    line[inside] = mask[ys[inside], xs[inside]]
    start, end = _run(line, float(len(offsets) // 2))
    if end < start or not line[len(offsets) // 2]:
        return point, 0.0
    return point + across * (offsets[start] + offsets[end]) / 2, (end - start) / 2


def _run(line: np.ndarray, at: float) -> tuple[int, int]:
    """First and last index of the run of True in `line` nearest `at` ((0, -1) when none)."""
    hits = np.flatnonzero(line)
    if len(hits) == 0:
        return 0, -1
    breaks = np.flatnonzero(np.diff(hits) > 1)
    starts, ends = hits[np.r_[0, breaks + 1]], hits[np.r_[breaks, len(hits) - 1]]
    nearest = int(np.argmin(np.maximum(starts - at, 0) + np.maximum(at - ends, 0)))
    return int(starts[nearest]), int(ends[nearest])


def _notches(mask: np.ndarray) -> list[np.ndarray]:
    """Concave points of the garment's outline, shallowest first."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    outline = cv2.approxPolyDP(max(contours, key=cv2.contourArea), 2.0, closed=True)
    try:
        defects = cv2.convexityDefects(outline, cv2.convexHull(outline, returnPoints=False))
    except cv2.error:  # a self-touching outline has no monotonous hull
        return []
    if defects is None:
        return []
    ranked = sorted(defects[:, 0].tolist(), key=lambda defect: defect[3])
    return [outline[far, 0].astype(np.float64) for _, _, far, _ in ranked]


def _mirrored(point: np.ndarray, middle: float) -> np.ndarray:
    return np.array([2 * middle - point[0], point[1]])


def norm(vector: np.ndarray) -> float:
    return float(np.hypot(*vector))


def unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(norm(vector), 1e-6)


def normal(vector: np.ndarray) -> np.ndarray:
    """`vector` turned a quarter (clockwise on screen, where y grows downwards)."""
    return np.array([-vector[1], vector[0]])
