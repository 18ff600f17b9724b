"""The CPU try-on engine: bend the catalog photo onto the body, paint out the old garment, blend.

No model weights and no GPU, so it runs everywhere, in a fraction of a second. Part by part:
1. The garment's key points (tryon/engines/keypoints.py) are paired with body points derived from
   the pose landmarks (tryon/engines/anchors.py), and a thin-plate spline through the pairs bends
   the garment photo and its mask onto the photo; a top's sleeves are cut off and bent on their
   own, since one smooth spline cannot fold a sleeve spread on the floor down to a hanging arm.
2. The spline only places texture: the garment's outline is drawn from the body (outline_fit.py:
   torso, each arm, each leg, a skirt), to the lengths the garment's own proportions give on this
   body (anchors.py), all inside where the garment may land (body.garment_silhouette: the person
   less the head, flaring for skirts).
3. The garment's body is stretched over the torso (and skirt) row by row, so the panel is the
   person's own outline with no slit or wing; the rest of the outline takes the warped sleeves and
   legs, and what the warp left bare in it takes the garment's nearest colours.
Compositing (painting out the old garment, relighting, feathering, arms in front) is
tryon/engines/compositing.py. A bottom or dress on a person seated or with a knee raised is refused
(RenderFailed, worded for the shopper): a skirt's panel runs down the spine and cannot drape over a
lap, and a trouser leg's band, drawn across the leg, is narrower than a thigh seen end-on.

Module map: anchors.py (where garment points go on the body), outline.py (what is read off the
garment's mask), outline_fit.py (the outline on the body), body.py (the body areas a garment covers
and may land on), skin.py (bare skin and body in the photo), compositing.py (everything after).
"""

from dataclasses import replace

import cv2
import numpy as np
from PIL import Image
from scipy.interpolate import RBFInterpolator
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from tryon.engines.anchors import Ends, Part, lower_parts, upper_parts
from tryon.engines.base import GarmentInput, PersonAnalysis, Progress, RenderFailed
from tryon.engines.body import (WAIST_RISE, arm_limbs, arms_front_mask, garment_silhouette, leg_limbs, leg_zone,
                                 region_mask, sleeve_zone, torso_length)
from tryon.engines.compositing import Fit, composite, feather_radius, garment_shown
from tryon.engines.diffusion import OPTION_LIMITS as DIFFUSION_OPTION_LIMITS
from tryon.engines.keypoints import collar_top
from tryon.engines.outline import is_skirt
from tryon.engines.outline_fit import fitted_outline, kept_garment
from tryon.engines.skin import (bare_legs, bare_skin, body_core, kept_in_front, neck, old_collar, old_waistband,
                                 skin_look, sleeve_ends)
from vision.pose import ANKLES, ELBOWS, HIPS, KNEES, SHOULDERS, VISIBLE, WRISTS
from vision.regions import FULL, LOWER, UPPER

GARMENT_SIDE = 1024  # px: the garment photo's long side is cut to this before warping
GRID_STEP = 8  # the spline is evaluated every GRID_STEP pixels and the map interpolated between
NEAR = 0.15  # a part lands within the hull of its body points grown by this share of its longer side
BOX_MARGIN = 16  # px around where a part may land, for the feathering of its edge
BLEED = 0.02  # how far (share of the garment photo's side) its colours are smeared past its edge
NECKLINE_ROWS = 0.25  # share of a panel's rows from the top where the garment's own mask (its neckline) is kept
INSET = 0.015  # share of the garment's width its outline is sampled inside: a cut-out's rim holds backdrop
EXTENT_SMOOTH = 0.02  # share of the garment's rows its row extents are averaged over
# Share of a panel's rows over which its outer edges are taken: a notch there (an arm or a hand on
# the hip cut out of the torso) must not squeeze the garment's whole row into what is left of it.
FRAME_ROWS = 0.25
STRAIGHT_OFF = 0.03  # share of a garment body's rows its side edge may stray from a straight line
FILL_SIDE = 128  # px: the long side of the copy on which the outline's bare pixels get the garment's colours
SMOOTHING = 1e-4  # spline regularisation in units of the image diagonal: tolerates near-duplicates
# A spline through crowded or misread pairs folds over itself (its Jacobian turns negative) and tears
# a print into stripes; more smoothing tends to the pairs' least-squares affine map, which cannot
# fold, so the smoothing grows by SMOOTHING_GROWTH until the map no longer folds where the garment lands.
SMOOTHING_GROWTH, SMOOTHING_STEPS = 10.0, 8
# A map squeezing garment area below this share of its median squeeze is as good as folding: the
# print crumples into a swirl there (a tenth of it tore a sleeve into a curl on the shared photos).
FOLD_SHARE = 0.2
# Share of the torso length: a knee less far than this below its hip along the spine is raised (a
# seated person, a leg crossed over the other); standing and walking people's knees lie 0.65 to 0.9
# torso lengths below their hips. A skirt's panel runs down the spine and cannot drape over a lap; a
# trouser leg's band is narrower than a thigh foreshortened towards the camera (the old trousers showed
# in its holes, the shins beside a lap were painted in patches).
RAISED_KNEE = 0.35
BENT_LEGS = ("This photo shows you seated or with a knee raised, and bottoms and dresses can only be tried on "
             "standing. Please use a photo where you stand.")
# Share of the torso length around an old waistband where the body's core is not painted as skin: the
# fill is blended that far out, and would draw a line of skin colour along the top's hem.
WAISTBAND_MARGIN = 0.04
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
    masks compositing needs: what it replaces, what stays in front, bare skin, the body's core.
    Raises RenderFailed (BENT_LEGS) for a bottom or dress on a person with a knee raised."""
    height, width = photo.shape[:2]
    analysis, garment = _fitted(analysis, (width, height)), below_collar(bounded(garment))
    skirt = garment.region == LOWER and is_skirt(_points(garment.keypoints))
    if garment.region != UPPER and knee_raised(analysis):
        raise RenderFailed(BENT_LEGS)
    region = replaced_region(analysis, garment.region)
    if garment.over_bottom:  # the outfit's new bottom is in the photo: its waistband stays, the top goes over it
        region &= ~region_mask(analysis, LOWER)
    skin, leg_area = bare_skin(photo, analysis), np.zeros_like(region)
    look = skin_look(photo, skin, analysis)
    if garment.region != UPPER:
        # Below the crotch, old trousers turn to legs (leg_limbs) with background beside and between
        # them (leg_area), not to the body core's skin; bare legs and what lies below them stay.
        leg_area = leg_zone(analysis)
        skin, below = bare_legs(skin, analysis)
        region &= ~below
    # A new bottom's waistband goes where the old one was, when that was higher than usual; the old
    # one's pixels the new one leaves are replaced with the top's colours, never painted as skin.
    waistband, rise = np.zeros_like(region), WAIST_RISE
    if garment.region == LOWER:
        waistband, found = old_waistband(photo, analysis, region, skin)
        region, rise = region | waistband, max(rise, found)
    parts, ends = garment_parts(analysis=analysis, garment=garment, rise=rise)
    allowed = garment_silhouette(analysis, flare=skirt or garment.region == FULL)
    image = _bled(np.asarray(garment.image.convert("RGB")), garment.mask)
    garment_rgb, warped, sleeves = warp_garment(image=image, parts=parts, size=(width, height))
    warped *= allowed
    outline, panel = fitted_outline(analysis, ends, sleeves * allowed, allowed, garment.region, skirt=skirt, rise=rise)
    garment_alpha = kept_garment(warped, outline, torso_length(analysis))
    garment_rgb, warped = _paneled(garment_rgb, warped, (image, garment.mask), parts[0][0], panel)
    garment_alpha[panel] = warped[panel]
    garment_rgb = _gaps_filled(garment_rgb, warped, garment_alpha)
    collar = np.zeros_like(region)
    if garment.region != LOWER:  # a top takes the old sleeve's ends the person mask missed, and the old collar
        region = region | sleeve_ends(photo, analysis, region, skin)
        # Covered where the garment is shown: a sliver of it the feathering drops leaves the collar under it.
        shown = garment_shown(garment_alpha, feather_radius(photo.shape)) > 0.5
        collar = old_collar(photo, analysis, region, skin, shown)
    inside = neck(analysis, collar)
    return Fit(garment_rgb=garment_rgb, garment_alpha=garment_alpha, allowed=allowed, region=region | collar,
               # The old waistband beside a hand is not the arm: it goes, the hand stays.
               in_front=kept_in_front(arms_front_mask(analysis), skin, sleeved=garment.region != LOWER) & ~waistband,
               # The collar's rim, blended with the skin above it, may pass the skin test: it goes with the collar.
               bare=skin & ~collar,
               body=body_core(analysis) & ~leg_area & ~_grown(waistband, torso_length(analysis)) & ~inside.beside,
               person=analysis.person_mask,
               # An arm runs on wherever its old sleeve is replaced, in the person mask or not.
               limbs=arm_limbs(analysis, replaced=region),
               legs=leg_limbs(replace(analysis, person_mask=analysis.person_mask | region))
               if garment.region != UPPER else None,
               behind=sleeve_zone(analysis) | leg_area | inside.beside, neck=inside, look=look)


def replaced_region(analysis: PersonAnalysis, region: str) -> np.ndarray:
    """Bool H x W: what a garment for `region` replaces. Whatever its own length, a bottom or a dress
    replaces the old bottom whole, down to the ankles: trousers left below a new dress's or skirt's
    hem would show (what the new garment leaves bare is painted back as legs)."""
    replaced = region_mask(analysis, region)
    return replaced | region_mask(analysis, LOWER) if region == FULL else replaced


def knee_raised(analysis: PersonAnalysis) -> bool:
    """Whether a seen knee lies less than RAISED_KNEE torso lengths below its hip along the spine."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)
    shoulders, hips = points[list(SHOULDERS), :2].mean(axis=0), points[list(HIPS), :2].mean(axis=0)
    torso = max(float(np.linalg.norm(hips - shoulders)), 1.0)
    down = (hips - shoulders) / torso
    return any(points[knee, 2] > VISIBLE and float(np.dot(points[knee, :2] - points[hip, :2], down)) < RAISED_KNEE * torso
               for hip, knee in zip(HIPS, KNEES))


def _grown(mask: np.ndarray, unit: float) -> np.ndarray:
    """`mask` grown by WAISTBAND_MARGIN of the torso length `unit`."""
    side = 2 * max(1, round(WAISTBAND_MARGIN * unit)) + 1
    return cv2.dilate(mask.astype(np.uint8), np.ones((side, side), np.uint8)) > 0


def _paneled(rgb: np.ndarray, warped: np.ndarray, garment: tuple[np.ndarray, np.ndarray], body: np.ndarray,
             panel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The garment's body (`garment` is its bled photo and mask; `body` its mask less the sleeves)
    stretched over `panel` row by row: its top row onto the panel's top, its hem onto the panel's
    bottom, and each garment row's extent onto the panel row's run through the spine. Unlike the
    spline, this leaves no slit, wing or fold: the panel is the person's own outline, and the print
    keeps its place on it. In the garment's top rows its own mask is kept: the neckline stays open."""
    if not panel.any() or not body.any():
        return rgb, warped
    rows, columns = np.flatnonzero(body.any(axis=1)), np.flatnonzero(body.any(axis=0))
    inset = INSET * (columns[-1] - columns[0])
    g0, g1 = rows[0], max(rows[0], round(rows[-1] - inset))
    left, right = (_straightened(edge) for edge in _extents(body, g0, g1))
    left, right = left + inset, np.maximum(right - inset, left + inset)
    box = _bounds(panel)
    t0, t1 = box[0].start, box[0].stop - 1
    t_left, t_right = _frame(*_runs(panel, t0, t1))
    ys = np.arange(t0, t1 + 1)
    grow = (ys - t0) / max(t1 - t0, 1)
    g_rows = np.clip(np.rint(g0 + grow * (g1 - g0)).astype(int) - g0, 0, len(left) - 1)
    xs = np.arange(box[1].start, box[1].stop)
    share = (xs[None, :] - t_left[:, None]) / np.maximum(t_right - t_left, 1)[:, None]
    map_x = (left[g_rows][:, None] + share * (right[g_rows] - left[g_rows])[:, None]).astype(np.float32)
    map_y = np.repeat((g0 + grow * (g1 - g0)).astype(np.float32)[:, None], len(xs), axis=1)
    image, mask = garment
    stretched = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    coverage = cv2.remap(mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=0)
    coverage = np.where(grow[:, None] < NECKLINE_ROWS, coverage, 1.0) * panel[box]
    rgb, warped = rgb.copy(), warped.copy()
    inside = panel[box]
    rgb[box][inside] = stretched[inside]
    warped[box] = np.where(inside, coverage, warped[box])
    return rgb, warped


def _extents(mask: np.ndarray, top: int, bottom: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's leftmost and rightmost pixel of `mask` from `top` to `bottom`, rows without one
    taking their neighbours', smoothed over EXTENT_SMOOTH of the rows against a ragged edge."""
    part = mask[top:bottom + 1]
    present = part.any(axis=1)
    width = part.shape[1]
    left = np.where(present, part.argmax(axis=1), np.nan)
    right = np.where(present, width - 1 - part[:, ::-1].argmax(axis=1), np.nan)
    return tuple(_smoothed(_interpolated(values), EXTENT_SMOOTH) for values in (left, right))


def _runs(mask: np.ndarray, top: int, bottom: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's run of `mask` through the row's centre of mass (its whole extent when the centre
    falls in a gap), from `top` to `bottom`: an arm cut out beside the torso is left out."""
    part = mask[top:bottom + 1]
    count = part.sum(axis=1)
    columns = np.arange(part.shape[1])
    centre = np.rint((part * columns).sum(axis=1) / np.maximum(count, 1)).astype(int)
    hit = part[np.arange(len(part)), centre]
    gaps = ~part
    left = np.where(gaps & (columns < centre[:, None]), columns, -1).max(axis=1) + 1
    right = np.where(gaps & (columns > centre[:, None]), columns, part.shape[1]).min(axis=1) - 1
    first, last = part.argmax(axis=1), part.shape[1] - 1 - part[:, ::-1].argmax(axis=1)
    left, right = np.where(hit, left, first).astype(float), np.where(hit, right, last).astype(float)
    left[count == 0] = right[count == 0] = np.nan
    return _interpolated(left), _interpolated(right)


def _straightened(edge: np.ndarray) -> np.ndarray:
    """A garment body's side edge as the straight line through it, fitted again without the rows
    off it by more than STRAIGHT_OFF of the rows (a sleeve's cut, a pocket flap): a straight frame
    keeps a zip or a stripe straight, where the ragged edge would bend it into waves."""
    rows = np.arange(len(edge))
    line = np.polyfit(rows, edge, 1)
    close = np.abs(np.polyval(line, rows) - edge) <= STRAIGHT_OFF * len(edge)
    if close.sum() >= 2:
        line = np.polyfit(rows[close], edge[close], 1)
    return np.polyval(line, rows)


def _frame(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A panel's row edges bridged over notches: each the outermost within FRAME_ROWS of the rows,
    then averaged over half as many (the outermost alone steps where it changes, and a zip kinks
    with it), so the garment's rows keep their width where the panel is cut into; what lies
    outside the panel is cut by the panel itself."""
    size = max(1, round(FRAME_ROWS * len(left)))
    return (_smoothed(minimum_filter1d(left, size), FRAME_ROWS / 2),
            _smoothed(maximum_filter1d(right, size), FRAME_ROWS / 2))


def _interpolated(values: np.ndarray) -> np.ndarray:
    known = ~np.isnan(values)
    if not known.any():
        return np.zeros(len(values))
    return np.interp(np.arange(len(values)), np.flatnonzero(known), values[known])


def _smoothed(values: np.ndarray, share: float) -> np.ndarray:
    side = max(1, round(share * len(values)))
    padded = np.pad(values, side, mode="edge")
    return np.convolve(padded, np.ones(2 * side + 1) / (2 * side + 1), mode="same")[side:-side]


def _gaps_filled(rgb: np.ndarray, warped: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """`rgb` with the outline's pixels the warp left bare given the garment's nearest colours
    (inpainted at FILL_SIDE from where the warped garment is solid): a flat patch there, shaded
    later like the rest, reads as cloth; the photo's old garment would not."""
    gaps = (alpha > 0.05) & (warped < 0.5)
    if not gaps.any():
        return rgb
    box = _bounds(alpha > 0.05)
    height, width = box[0].stop - box[0].start, box[1].stop - box[1].start
    scale = min(1.0, FILL_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    solid = cv2.resize((warped[box] > 0.9).astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    if not solid.any():
        return rgb
    small = cv2.resize(rgb[box], size, interpolation=cv2.INTER_AREA)
    spread = cv2.resize(cv2.inpaint(small, 1 - solid, 5, cv2.INPAINT_TELEA), (width, height),
                        interpolation=cv2.INTER_LINEAR)
    out = rgb.copy()
    out[box] = np.where(gaps[box][..., None], spread, rgb[box])
    return out


def _bounds(mask: np.ndarray) -> tuple[slice, slice]:
    ys, xs = np.nonzero(mask)
    return slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)


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


def below_collar(garment: GarmentInput) -> GarmentInput:
    """A top or dress without what its photo shows above its collar between its shoulders
    (keypoints.collar_top): a hood laid up, a hanger's hook. Worn, a hood falls behind the neck and
    the hook is gone; warped, either would be stretched down over the chest with the garment's body."""
    if garment.region == LOWER:
        return garment
    points = garment.keypoints
    top = max(0, int(np.ceil(collar_top(points))))
    left, right = sorted((round(points["left_shoulder"][0]), round(points["right_shoulder"][0])))
    if not garment.mask[:top, left:right + 1].any():
        return garment
    mask = garment.mask.copy()
    mask[:top, left:right + 1] = False
    return replace(garment, mask=mask)


def garment_parts(*, analysis: PersonAnalysis, garment: GarmentInput,
                  rise: float = WAIST_RISE) -> tuple[list[Part], Ends]:
    """The pieces of the garment warped on their own, each with its (body, garment) point pairs,
    and where each piece ends on the body; a bottom's waistband `rise` above the hips."""
    sides = _image_sides(analysis)
    keypoints = _points(garment.keypoints)
    if garment.region == LOWER:
        return lower_parts(sides, keypoints, garment.mask, analysis.person_mask, rise=rise)
    return upper_parts(sides, keypoints, garment.mask, analysis.person_mask, dress=garment.region == FULL)


def warp_garment(*, image: np.ndarray, parts: list[Part],
                 size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The garment photo (uint8 RGB) and mask (float 0-1) bent onto the photo, part by part, each
    later part (a sleeve) laid over the earlier ones, and the later parts' own mask (the sleeves).
    Each part is only computed near its points. `image` is the garment photo bled (_bled)."""
    width, height = size
    rgb, alpha = np.zeros((height, width, 3), np.float32), np.zeros((height, width), np.float32)
    filled = np.zeros((height, width), bool)  # where some part has put colour, even at zero coverage
    later = np.zeros((height, width), np.float32)
    for mask, pairs in parts:
        body, cloth = (np.array(points) for points in zip(*pairs))
        near, box = _near(body, width, height)
        map_x, map_y = _inverse_map(body, cloth, box, unit=float(np.hypot(width, height)), landing=(mask, near))
        part_rgb = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        part_alpha = cv2.remap(mask.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=0) * near
        blended = rgb[box] + (part_rgb - rgb[box]) * part_alpha[..., None]
        rgb[box] = np.where(filled[box][..., None], blended, part_rgb)
        alpha[box] += (1 - alpha[box]) * part_alpha
        if filled.any():
            later[box] = np.maximum(later[box], part_alpha)
        filled[box] = True
    return np.rint(rgb).astype(np.uint8), alpha, later


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
    smeared outward, so that a feathered edge fades into garment colour, never into floor. Holes
    inside the garment keep their pixels: a white print a cut-out took for backdrop is garment."""
    height, width = mask.shape
    inside = _holes_filled(mask)
    # The smear is smooth: worked out at a quarter of the size, at a sixteenth of the cost.
    size = (max(1, width // 4), max(1, height // 4))
    weight = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    sigma = BLEED * max(size)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    smear = cv2.GaussianBlur(small * weight[..., None], (0, 0), sigma) / np.maximum(spread, 1e-4)[..., None]
    smear = cv2.resize(np.clip(smear, 0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)
    return np.where(inside[..., None], image, smear)


def _holes_filled(mask: np.ndarray) -> np.ndarray:
    """Bool: `mask` with every hole that does not reach the photo's border filled."""
    outside = np.pad((~mask).astype(np.uint8), 1)
    flood = np.zeros((outside.shape[0] + 2, outside.shape[1] + 2), np.uint8)
    cv2.floodFill(outside, flood, (0, 0), 2)
    return outside[1:-1, 1:-1] != 2


def _inverse_map(body: np.ndarray, cloth: np.ndarray, box: tuple[slice, slice], *, unit: float,
                 landing: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """For every photo pixel in `box`, where in the garment photo to sample: a thin-plate spline
    through the pairs (coordinates divided by `unit`), evaluated every GRID_STEP pixels and
    linearly interpolated between; the least smoothed one of the ladder that does not fold where
    the garment lands (`landing`: the garment's mask and where in `box` the part may land)."""
    rows, columns = box[0].stop - box[0].start, box[1].stop - box[1].start
    ny, nx = -(-rows // GRID_STEP), -(-columns // GRID_STEP)
    # Node k sits where cv2.resize puts source pixel k when scaling up by GRID_STEP.
    xs = box[1].start + (np.arange(nx) + 0.5) * GRID_STEP - 0.5
    ys = box[0].start + (np.arange(ny) + 0.5) * GRID_STEP - 0.5
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2) / unit
    for step in range(SMOOTHING_STEPS):
        spline = RBFInterpolator(body / unit, cloth / unit, kernel="thin_plate_spline",
                                 smoothing=SMOOTHING * SMOOTHING_GROWTH ** step)
        coarse = (spline(grid) * unit).astype(np.float32).reshape(ny, nx, 2)
        if not folds(coarse, _landing_nodes(coarse, landing, (rows, columns))).any():
            break
    fine = cv2.resize(coarse, (nx * GRID_STEP, ny * GRID_STEP), interpolation=cv2.INTER_LINEAR)[:rows, :columns]
    return np.ascontiguousarray(fine[..., 0]), np.ascontiguousarray(fine[..., 1])


def folds(coarse: np.ndarray, landing: np.ndarray) -> np.ndarray:
    """Bool per node of a map (ny x nx x 2, garment x and y per photo node): where, among the
    `landing` nodes, the map folds over (its Jacobian determinant negative) or squeezes the garment
    to next to nothing (under FOLD_SHARE of its median there): the print tears into stripes."""
    if not landing.any():
        return landing
    d_dx, d_dy = np.gradient(coarse, axis=1), np.gradient(coarse, axis=0)
    det = d_dx[..., 0] * d_dy[..., 1] - d_dx[..., 1] * d_dy[..., 0]
    return landing & (det <= FOLD_SHARE * max(float(np.median(det[landing])), 0.0))


def _landing_nodes(coarse: np.ndarray, landing: tuple[np.ndarray, np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """Bool per node: where the part may land (`landing[1]`, box pixels) and the map samples the
    garment's mask (`landing[0]`)."""
    mask, near = landing
    ny, nx = coarse.shape[:2]
    node_rows = np.minimum(np.arange(ny) * GRID_STEP + GRID_STEP // 2, size[0] - 1)
    node_columns = np.minimum(np.arange(nx) * GRID_STEP + GRID_STEP // 2, size[1] - 1)
    xs, ys = np.rint(coarse[..., 0]).astype(int), np.rint(coarse[..., 1]).astype(int)
    inside = (xs >= 0) & (xs < mask.shape[1]) & (ys >= 0) & (ys < mask.shape[0])
    sampled = mask[np.clip(ys, 0, mask.shape[0] - 1), np.clip(xs, 0, mask.shape[1] - 1)] & inside
    return sampled & (near[np.ix_(node_rows, node_columns)] > 0)


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
