"""The outline a garment takes on this body: read from the person, not from the warp.

A thin-plate spline puts the garment's texture in roughly the right place, but its outline is only
as good as the garment's key points: a jacket photographed with its sleeves hanging down, a
sleeve folded on the floor, a hood, all bend into wings, slits and stray pieces. So the outline is
drawn from the body instead, part by part, to the lengths the garment's own proportions give on
this body (anchors.Ends), never to where the spline stretched it:
- a top: the torso (just above the shoulders to its hem along the spine, at least to the hips),
  leaving out the arms beside it, and each arm from the shoulder to where its sleeve ends along
  the arm's bones, or its warped texture where that falls short (none for a sleeveless top);
- trousers and shorts: the hips, then each leg from the hip to where its leg ends;
- skirts and dresses: the torso down to the hips for a dress, then from the waist down to the
  hem, widening from the hips to the hem's width (between the legs too).
Every piece is cut to where the garment may land (tryon.engines.body.garment_silhouette), so it
follows the person's own outline. The torso and skirt are the panel the garment's body is
stretched over (warp.py); the warped garment is kept near the outline (a collar, a hem's flare) and
dropped beyond it, and the outline's pixels the warp left bare take the garment's own colours.
"""

from functools import lru_cache

import cv2
import numpy as np

from tryon.engines.anchors import Ends
from tryon.engines.base import PersonAnalysis
from tryon.engines.body import CROTCH_DROP, WAIST_RISE
from vision.pose import ANKLES, ELBOWS, HIPS, KNEES, SHOULDERS, WRISTS
from vision.regions import FULL, LOWER

# Shares of the torso length (shoulder midpoint to hip midpoint).
ARM_ZONE, LEG_ZONE = 0.16, 0.24  # half-width of the band along an arm or leg where its sleeve or leg is looked for
TORSO_SPREAD = 1.6  # the torso band is this many times the shoulder or hip joints' half distance wide
MIN_HALF = 0.25  # the torso band is at least this half-wide (share of the torso length): people seen side-on
CORE_SPREAD = 0.9  # an arm within this many half shoulder distances of the spine is across the torso
NECK_ROOM = 0.14  # the torso starts this far above the shoulder joints (the garment's own neckline goes higher)
KEEP_NEAR = 0.04  # warped garment pixels this near the outline are kept (collars, flared hems)
LIMB_NEAR = 0.5  # a piece's end this far (share of the torso length) from a limb's bones is not on that limb
MIN_PIECE = 0.02  # a warped sleeve with fewer pixels than this share of its arm's band tells nothing of its length
SAMPLE_STEP = 3  # px between the band pixels a warped sleeve's length is read on
REACH_PERCENTILE = 97  # a warped sleeve's length: how far along the arm nearly all its pixels reach
HIP_HALF = 0.85  # the body's half width at the hips, as a share of the hip-landmark distance
SKIRT_FLARE = 1.8  # a skirt's hem is at most this many times as wide as the hips
MIN_TOP = 1.05  # a top reaches at least this far down the torso: the hips, as the old top did


def fitted_outline(analysis: PersonAnalysis, ends: Ends, sleeves: np.ndarray, allowed: np.ndarray, region: str, *,
                   skirt: bool, rise: float = WAIST_RISE) -> tuple[np.ndarray, np.ndarray]:
    """Bool H x W twice, inside `allowed`: the garment's outline on this body, and its panel: the
    torso of a top, the skirt, or both for a dress, over which the garment's body is stretched row
    by row (warp.py); the rest of the outline (sleeves, trouser legs) takes the warped garment.
    Each piece runs to its end in `ends`; a limb with no end there gets no piece. A sleeve stops
    short of it where its warped texture (`sleeves`, float H x W) does: beyond, the outline would
    only hold a smear of the garment's colours. A bottom's waistband lies `rise` (share of the
    torso length) above the hips."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[:, :2]
    shape, panel = np.zeros(allowed.shape, bool), np.zeros(allowed.shape, bool)
    if region == LOWER and not skirt:
        shape |= _hips(points, allowed.shape, rise) | _limbs(points, allowed.shape, ends.limbs, (HIPS, KNEES, ANKLES),
                                                       LEG_ZONE)
    elif region in (LOWER, FULL):
        panel |= _skirt(points, ends, allowed, rise if region == LOWER else WAIST_RISE)
    if region != LOWER:
        arm_zones = _zones(points, allowed.shape, SHOULDERS, ARM_ZONE) & ~_core(points, allowed.shape)
        shape |= _limbs(points, allowed.shape, ends.limbs, (SHOULDERS, ELBOWS, WRISTS), ARM_ZONE, sleeves > 0.5)
        panel |= _torso(points, allowed.shape, None if region == FULL else ends.hem) & ~arm_zones
    return (shape | panel) & allowed, panel & allowed


def kept_garment(alpha: np.ndarray, outline: np.ndarray, unit: float) -> np.ndarray:
    """The warped coverage kept near the outline, united with it (float H x W)."""
    side = max(3, round(2 * KEEP_NEAR * unit) | 1)
    near = cv2.dilate(outline.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0
    return np.maximum(alpha * near, outline.astype(np.float32))


def _unit(points: np.ndarray) -> float:
    return max(1.0, float(np.linalg.norm(points[list(SHOULDERS)].mean(axis=0) - points[list(HIPS)].mean(axis=0))))


def _down(points: np.ndarray) -> np.ndarray:
    vector = points[list(HIPS)].mean(axis=0) - points[list(SHOULDERS)].mean(axis=0)
    return vector / max(float(np.linalg.norm(vector)), 1e-6)


@lru_cache(maxsize=4)
def _grid(shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Pixel x and y coordinates (float32, read-only: shared between calls)."""
    xs, ys = np.meshgrid(np.arange(shape[1], dtype=np.float32), np.arange(shape[0], dtype=np.float32))
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


def _band(points: np.ndarray, shape: tuple[int, int], joints: tuple[int, int], top: np.ndarray,
          bottom_depth: float, *, spread: float = 0.0) -> np.ndarray:
    """Between the line through `top` across the spine and `bottom_depth` px below it along the
    spine, within TORSO_SPREAD of the joints' half distance of the spine."""
    down = _down(points)
    across = np.array([-down[1], down[0]])
    xs, ys = _grid(shape)
    depth = (xs - top[0]) * down[0] + (ys - top[1]) * down[1]
    middle = points[list(SHOULDERS)].mean(axis=0)
    side = np.abs((xs - middle[0]) * across[0] + (ys - middle[1]) * across[1])
    joint_half = float(np.linalg.norm(points[joints[0]] - points[joints[1]])) / 2
    half = max((spread or TORSO_SPREAD) * joint_half, MIN_HALF * _unit(points))
    return (depth >= 0) & (depth <= bottom_depth) & (side <= half)


def _torso(points: np.ndarray, shape: tuple[int, int], hem: np.ndarray | None) -> np.ndarray:
    """The torso from just above the shoulders down to `hem` along the spine, at least to the hips
    (a dress's torso stops there: its skirt takes over, as wide as the hips, not the shoulders)."""
    unit, down = _unit(points), _down(points)
    top = points[list(SHOULDERS)].mean(axis=0) - NECK_ROOM * unit * down
    depth = float(np.dot(hem - top, down)) if hem is not None else 0.0
    return _band(points, shape, SHOULDERS, top, max(depth, (MIN_TOP + NECK_ROOM) * unit))


def _core(points: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The torso between the shoulder joints' lines, shoulders to hips: an arm across it is in
    front of the garment (kept so by compositing), not a gap in it."""
    return _band(points, shape, SHOULDERS, points[list(SHOULDERS)].mean(axis=0), _unit(points), spread=CORE_SPREAD)


def _hips(points: np.ndarray, shape: tuple[int, int], rise: float) -> np.ndarray:
    """Waistband (`rise` above the hips) to crotch, as wide as the hips' band."""
    unit, down = _unit(points), _down(points)
    top = points[list(HIPS)].mean(axis=0) - rise * unit * down
    return _band(points, shape, HIPS, top, (rise + CROTCH_DROP) * unit)


def _skirt(points: np.ndarray, ends: Ends, allowed: np.ndarray, rise: float) -> np.ndarray:
    """From the waist (`rise` above the hips) down to the hem along the spine: flared from the
    hips' width to the hem's (at most SKIRT_FLARE times the hips'), its hem curving up towards the
    sides as the garment's does."""
    unit, down = _unit(points), _down(points)
    across = np.array([-down[1], down[0]])
    middle = points[list(HIPS)].mean(axis=0)
    top = middle - rise * unit * down
    xs, ys = _grid(allowed.shape)
    depth = (xs - top[0]) * down[0] + (ys - top[1]) * down[1]
    side = (xs - middle[0]) * across[0] + (ys - middle[1]) * across[1]
    reach = max(float(np.dot(ends.hem - top, down)), (rise + CROTCH_DROP) * unit)
    waist = HIP_HALF * float(np.linalg.norm(points[HIPS[0]] - points[HIPS[1]]))
    hem = float(np.clip(ends.hem_half, waist, SKIRT_FLARE * waist))
    share = np.clip(depth / max(reach, 1.0), 0, 1)
    across_hem = np.linspace(-1, 1, len(ends.hem_rise))
    rise = np.interp(np.clip(side / hem, -1, 1), across_hem, ends.hem_rise)
    return (depth >= 0) & (depth <= reach - rise) & (np.abs(side) <= waist + (hem - waist) * share) & allowed


def _zones(points: np.ndarray, shape: tuple[int, int], roots: tuple[int, int], half: float) -> np.ndarray:
    """The bands along both limbs starting at `roots` (shoulders or hips)."""
    chains = {SHOULDERS: (SHOULDERS, ELBOWS, WRISTS), HIPS: (HIPS, KNEES, ANKLES)}[roots]
    canvas = np.zeros(shape, np.uint8)
    for side in range(2):
        chain = np.array([points[joints[side]] for joints in chains]).round().astype(np.int32)
        cv2.polylines(canvas, [chain], False, 1, thickness=max(1, round(2 * half * _unit(points))))
    return canvas > 0


def _limbs(points: np.ndarray, shape: tuple[int, int], ends: list[np.ndarray], chain, half: float,
           warped: np.ndarray | None = None) -> np.ndarray:
    """For each limb of `chain` (shoulder, elbow, wrist or hip, knee, ankle): its band from the root
    joint to the nearest of `ends` along its bones, when one lies within LIMB_NEAR of them, or to
    where the `warped` piece on it ends when that is nearer."""
    unit, canvas = _unit(points), np.zeros(shape, np.uint8)
    thickness = max(1, round(2 * half * unit))
    for side in range(2 if ends else 0):
        joints = np.array([points[joints[side]] for joints in chain])
        arcs, distances = _arc(np.array(ends, dtype=np.float64), joints)
        if distances.min() > LIMB_NEAR * unit:
            continue
        reach = float(arcs[np.argmin(distances)])
        if warped is not None:
            reach = min(reach, _warped_reach(warped, joints, thickness))
        # A thick line's round cap reaches half its thickness past its end.
        end = _cut(joints, max(reach - thickness / 2, 1.0))
        cv2.polylines(canvas, [end.round().astype(np.int32)], False, 1, thickness=thickness)
    return canvas > 0


def _warped_reach(warped: np.ndarray, joints: np.ndarray, thickness: int) -> float:
    """How far along the limb `joints` the `warped` piece in its band reaches (read on every
    SAMPLE_STEP-th pixel of the band: a percentile needs no more); infinite when the band holds
    too little of it to tell."""
    zone = np.zeros(warped.shape, np.uint8)
    cv2.polylines(zone, [joints.round().astype(np.int32)], False, 1, thickness=thickness)
    ys, xs = np.nonzero(zone[::SAMPLE_STEP, ::SAMPLE_STEP])
    ys, xs = ys * SAMPLE_STEP, xs * SAMPLE_STEP
    on = warped[ys, xs]
    if on.sum() < MIN_PIECE * len(xs):
        return np.inf
    arcs, _ = _arc(np.stack([xs[on], ys[on]], axis=1).astype(np.float64), joints)
    return float(np.percentile(arcs, REACH_PERCENTILE))


def _cut(joints: np.ndarray, reach: float) -> np.ndarray:
    """The polyline `joints` up to `reach` along it."""
    kept, left = [joints[0]], reach
    for a, b in zip(joints, joints[1:]):
        length = float(np.linalg.norm(b - a))
        if left <= length:
            kept.append(a + (b - a) * left / max(length, 1e-6))
            break
        kept.append(b)
        left -= length
    return np.array(kept)


def _arc(pixels: np.ndarray, joints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's distance along the polyline `joints` from its start, at its nearest segment,
    and its distance from that segment. Past the last joint the arc runs on along the last segment
    (a sleeve or leg may end a little past the wrist or ankle)."""
    best, arc, start = np.full(len(pixels), np.inf), np.zeros(len(pixels)), 0.0
    for index, (a, b) in enumerate(zip(joints, joints[1:])):
        segment = b - a
        length = max(float(np.linalg.norm(segment)), 1e-6)
        t = np.clip((pixels - a) @ segment / length ** 2, 0, np.inf if index == len(joints) - 2 else 1)
        distance = np.linalg.norm(pixels - (a + t[:, None] * segment), axis=1)
        closer = distance < best
        best[closer], arc[closer] = distance[closer], start + t[closer] * length
        start += length
    return arc, best
