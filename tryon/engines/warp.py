"""The CPU try-on engine: bend the catalog photo onto the body, paint out the old garment, blend.

No model weights and no GPU, so it runs everywhere, in a fraction of a second. The garment's key
points (tryon/engines/keypoints.py) are paired with body points derived from the pose landmarks
(tryon/engines/anchors.py), and a thin-plate spline through the pairs bends the garment photo and
its mask onto the photo; a top's sleeves are cut off and bent on their own, since one smooth
spline cannot fold a sleeve spread on the floor down to a hanging arm. Compositing (painting out
the old garment, relighting, feathering, arms in front) is tryon/engines/compositing.py.

Module map: anchors.py (where garment points go on the body), outline.py (what is read off the
garment's mask), body.py (the body areas a garment covers), skin.py (bare skin and body in the
photo), compositing.py (everything after the warp).
"""

from dataclasses import replace

import cv2
import numpy as np
from PIL import Image
from scipy.interpolate import RBFInterpolator

from tryon.engines.anchors import Part, lower_parts, upper_parts
from tryon.engines.outline import is_skirt
from tryon.engines.base import GarmentInput, PersonAnalysis, Progress
from tryon.engines.body import arms_front_mask, garment_silhouette, region_mask
from tryon.engines.compositing import Fit, composite
from tryon.engines.diffusion import OPTION_LIMITS as DIFFUSION_OPTION_LIMITS
from tryon.engines.skin import bare_skin, body_core, kept_in_front
from vision.pose import ANKLES, ELBOWS, HIPS, KNEES, SHOULDERS, WRISTS
from vision.regions import FULL, LOWER

GARMENT_SIDE = 1024  # px: the garment photo's long side is cut to this before warping
GRID_STEP = 8  # the spline is evaluated every GRID_STEP pixels and the map interpolated between
NEAR = 0.15  # a part lands within the hull of its body points grown by this share of its longer side
BOX_MARGIN = 16  # px around where a part may land, for the feathering of its edge
BLEED = 0.02  # how far (share of the garment photo's side) its colours are smeared past its edge
CLOSE = 0.06  # slits in a warped part up to this share of its longer side are closed
SMOOTHING = 1e-4  # spline regularisation in units of the image diagonal: tolerates near-duplicates
# Each body landmark by name, as (the person's left, the person's right).
JOINTS = {"shoulder": SHOULDERS, "elbow": ELBOWS, "wrist": WRISTS, "hip": HIPS, "knee": KNEES, "ankle": ANKLES}


class WarpEngine:
    name = "warp"
    # The warp has no options, but takes (and ignores) the diffusion engine's: a request that names
    # them is valid for either engine, as it always was.
    OPTION_LIMITS = DIFFUSION_OPTION_LIMITS

    def render(self, *, person: Image.Image, analysis: PersonAnalysis, garment: GarmentInput,
               report: Progress, options: dict) -> Image.Image:
        report(5, "warping")
        photo = np.asarray(person.convert("RGB"))
        return Image.fromarray(composite(photo=photo, fit=garment_fit(photo=photo, analysis=analysis, garment=garment),
                                         report=report))


def garment_fit(*, photo: np.ndarray, analysis: PersonAnalysis, garment: GarmentInput) -> Fit:
    """The garment warped onto the photo (uint8 RGB) part by part and kept inside the silhouette it
    may cover (the person, minus the head, flaring below the hips for skirts and dresses), with the
    masks compositing needs: what it replaces, what stays in front, bare skin, the body's core."""
    height, width = photo.shape[:2]
    analysis, garment = _fitted(analysis, (width, height)), bounded(garment)
    parts = garment_parts(analysis=analysis, garment=garment)
    flare = garment.region == FULL or (garment.region == LOWER and is_skirt(_points(garment.keypoints)))
    allowed = garment_silhouette(analysis, flare=flare)
    garment_rgb, garment_alpha = warp_garment(garment=garment, parts=parts, size=(width, height), allowed=allowed)
    region = region_mask(analysis, garment.region, length=garment.attributes.get("length"))
    if garment.over_bottom:  # the outfit's new bottom is in the photo: its waistband stays, the top goes over it
        region &= ~region_mask(analysis, LOWER)
    skin = bare_skin(photo, analysis)
    return Fit(garment_rgb=garment_rgb, garment_alpha=garment_alpha, allowed=allowed, region=region,
               in_front=kept_in_front(arms_front_mask(analysis), skin), bare=skin, body=body_core(analysis),
               person=analysis.person_mask)


def bounded(garment: GarmentInput) -> GarmentInput:
    """The garment with its photo at most GARMENT_SIDE on its long side (mask and key points scaled
    alike): a photo bigger than its footprint on the person costs time and adds nothing."""
    width, height = garment.image.size
    scale = GARMENT_SIDE / max(width, height)
    if scale >= 1:
        return garment
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    sx, sy = size[0] / width, size[1] / height
    mask = cv2.resize(garment.mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return replace(garment, image=garment.image.resize(size, Image.BILINEAR), mask=mask,
                   keypoints={name: (x * sx, y * sy) for name, (x, y) in garment.keypoints.items()})


def garment_parts(*, analysis: PersonAnalysis, garment: GarmentInput) -> list[Part]:
    """The pieces of the garment warped on their own, each with its (body, garment) point pairs."""
    sides = _image_sides(analysis)
    keypoints = _points(garment.keypoints)
    if garment.region == LOWER:
        return lower_parts(sides, keypoints, garment.mask, analysis.person_mask)
    return upper_parts(sides, keypoints, garment.mask, analysis.person_mask, dress=garment.region == FULL)


def warp_garment(*, garment: GarmentInput, parts: list[Part], size: tuple[int, int],
                 allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The garment photo (uint8 RGB) and mask (float 0-1) bent onto the photo, part by part, each
    later part (a sleeve) laid over the earlier ones. Each part is only computed near its points.
    With `allowed` (where garment may land), each part is kept inside it and its gaps closed."""
    width, height = size
    image = _bled(np.asarray(garment.image.convert("RGB")), garment.mask)
    rgb, alpha = np.zeros((height, width, 3), np.float32), np.zeros((height, width), np.float32)
    filled = np.zeros((height, width), bool)  # where some part has put colour, even at zero coverage
    for mask, pairs in parts:
        body, cloth = (np.array(points) for points in zip(*pairs))
        near, box = _near(body, width, height)
        map_x, map_y = _inverse_map(body, cloth, box, unit=float(np.hypot(width, height)))
        part_rgb = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        part_alpha = cv2.remap(mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0) * near
        if allowed is not None:
            part_rgb, part_alpha = _closed(part_rgb, part_alpha, allowed[box], _closing_side(body))
        blended = rgb[box] + (part_rgb - rgb[box]) * part_alpha[..., None]
        rgb[box] = np.where(filled[box][..., None], blended, part_rgb)
        alpha[box] += (1 - alpha[box]) * part_alpha
        filled[box] = True
    return np.rint(rgb).astype(np.uint8), alpha


def _closing_side(body: np.ndarray) -> int:
    """The closing kernel for a part: CLOSE of the longer side of its body points' box."""
    _, _, w, h = cv2.boundingRect(body.round().astype(np.int32))
    return max(3, round(CLOSE * max(w, h)) | 1)


def _closed(rgb: np.ndarray, alpha: np.ndarray, allowed: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """A warped part with its slits closed, inside `allowed`: a spline that folds the garment (a
    sleeve turning down, a panel pulled round a bent torso) tears thin slits where the old garment
    would show through. They are filled with the part's own colours, smeared in."""
    solid = (alpha > 0.5).astype(np.uint8)
    if not solid.any():
        return rgb, alpha * allowed
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    closed = cv2.morphologyEx(np.pad(solid, side), cv2.MORPH_CLOSE, kernel)[side:-side, side:-side]
    closed = closed.astype(bool) & allowed
    gap = closed & (alpha < 0.5)
    if gap.any():
        weight = cv2.GaussianBlur(alpha, (0, 0), side / 2)
        smear = cv2.GaussianBlur(rgb * alpha[..., None], (0, 0), side / 2) / np.maximum(weight, 1e-4)[..., None]
        rgb = np.where(gap[..., None], smear, rgb)
    return rgb, np.maximum(alpha, closed.astype(np.float32)) * allowed


def _near(points: np.ndarray, width: int, height: int) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Where a part may land: the convex hull of its body points grown by NEAR of its longer side
    (float 0/1), within a box around it (a margin wider, for the feathering). Far from its points
    a spline bends wildly, and pixels there may sample the garment again: stray sleeve copies."""
    hull = cv2.convexHull(points.round().astype(np.int32))
    x, y, w, h = cv2.boundingRect(hull)
    grow = max(1, round(NEAR * max(w, h)))
    x0, y0 = max(0, x - grow - BOX_MARGIN), max(0, y - grow - BOX_MARGIN)
    x1, y1 = min(width, x + w + grow + BOX_MARGIN), min(height, y + h + grow + BOX_MARGIN)
    box = (slice(y0, max(y0 + 1, y1)), slice(x0, max(x0 + 1, x1)))
    canvas = np.zeros((box[0].stop - y0, box[1].stop - x0), np.uint8)
    hull = hull - np.array([x0, y0], np.int32)
    cv2.fillConvexPoly(canvas, hull, 1)
    cv2.polylines(canvas, [hull], True, 1, thickness=2 * grow + 1)
    return canvas.astype(np.float32), box


def _bled(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The garment photo with the floor around the garment replaced by the garment's own colours
    smeared outward, so that a feathered edge fades into garment colour, never into floor."""
    weight = mask.astype(np.float32)
    sigma = BLEED * max(mask.shape)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)
    smear = cv2.GaussianBlur(image.astype(np.float32) * weight[..., None], (0, 0), sigma)
    smear /= np.maximum(spread, 1e-4)[..., None]
    return np.where(mask[..., None], image, np.clip(smear, 0, 255).astype(np.uint8))


def _inverse_map(body: np.ndarray, cloth: np.ndarray, box: tuple[slice, slice], *,
                 unit: float) -> tuple[np.ndarray, np.ndarray]:
    """For every photo pixel in `box`, where in the garment photo to sample: a thin-plate spline
    through the pairs (coordinates divided by `unit`), evaluated every GRID_STEP pixels and
    linearly interpolated between."""
    spline = RBFInterpolator(body / unit, cloth / unit, kernel="thin_plate_spline", smoothing=SMOOTHING)
    rows, columns = box[0].stop - box[0].start, box[1].stop - box[1].start
    ny, nx = -(-rows // GRID_STEP), -(-columns // GRID_STEP)
    # Node k sits where cv2.resize puts source pixel k when scaling up by GRID_STEP.
    xs = box[1].start + (np.arange(nx) + 0.5) * GRID_STEP - 0.5
    ys = box[0].start + (np.arange(ny) + 0.5) * GRID_STEP - 0.5
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    coarse = (spline(grid / unit) * unit).astype(np.float32).reshape(ny, nx, 2)
    fine = cv2.resize(coarse, (nx * GRID_STEP, ny * GRID_STEP), interpolation=cv2.INTER_LINEAR)[:rows, :columns]
    return np.ascontiguousarray(fine[..., 0]), np.ascontiguousarray(fine[..., 1])


def _points(keypoints: dict[str, tuple[float, float]]) -> dict[str, np.ndarray]:
    return {name: np.asarray(point, dtype=np.float64) for name, point in keypoints.items()}


def _fitted(analysis: PersonAnalysis, size: tuple[int, int]) -> PersonAnalysis:
    """The analysis rescaled to `size`, for a person image resized since it was analysed."""
    width, height = size
    if (analysis.width, analysis.height) == (width, height):
        return analysis
    sx, sy = width / analysis.width, height / analysis.height
    mask = cv2.resize(analysis.person_mask.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST)
    return PersonAnalysis(width=width, height=height, person_mask=mask.astype(bool),
                          landmarks=[(x * sx, y * sy, v) for x, y, v in analysis.landmarks])


def _image_sides(analysis: PersonAnalysis) -> dict[str, dict[str, np.ndarray]]:
    """Landmarks of the image-left and image-right body sides (a person facing us has them swapped)."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[:, :2]
    left = {name: points[person_left] for name, (person_left, _) in JOINTS.items()}
    right = {name: points[person_right] for name, (_, person_right) in JOINTS.items()}
    if left["shoulder"][0] + left["hip"][0] > right["shoulder"][0] + right["hip"][0]:
        left, right = right, left
    return {"left": left, "right": right}
