"""The body areas a garment covers, drawn from the pose: what a try-on replaces, and what stays in front.

Region masks are drawn from the joints: a torso polygon, capsules along the limbs, cut to the
person mask dilated a little, so baggy clothes stay in while the background stays out. They are
rough on purpose: the warp engine blends at their edges. Sizes are shares of the torso (shoulder
midpoint to hip midpoint), which scales with the person in the photo whatever their pose.
The arms and legs are also drawn as limbs (arm_limbs: bands shaped as an arm, inside the old sleeve
and as wide as the hand at the wrist; leg_limbs: thigh, knee, calf and ankle), for painting back a
limb the old garment covered.
"""

from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from tryon.engines.base import PersonAnalysis
from vision.pose import ANKLES, ELBOWS, FACE_POINTS, HANDS, HIPS, KNEES, SHOULDERS, VISIBLE, WRISTS
from vision.regions import FULL, LOWER, UPPER, region_checked

# Shares of the torso length. WAIST_RISE and CROTCH_DROP are the body's proportions everywhere in the engine:
# where a bottom's region starts and ends here, where the garment's waistband and crotch are pinned (anchors,
# outline_fit).
SHOULDER_RISE, TOP_DROP, WAIST_RISE, CROTCH_DROP = 0.12, 0.12, 0.2, 0.15
MIN_HALF_WIDTH = 0.25  # the torso is at least this half-wide, for people seen side-on
UPPER_ARM, FOREARM, HAND, THIGH, CALF = 0.14, 0.11, 0.1, 0.22, 0.15  # capsule radii
HEAD = 0.3  # radius around the face's landmarks
HAND_REACH = 2.0  # fingertips lie this many wrist-to-knuckle lengths from the wrist
CUFF_REACH = 0.7  # a top replaces this many wrist-to-knuckle lengths past the wrist: the old cuff
DILATE = 0.04  # the person mask grows by this before it cuts a region: soft edges of hair and cloth
SPREAD = 1.5  # the torso's outline is this much wider than its shoulder or hip joints
FLARE = 0.15  # how far past the legs' outline a skirt or dress may flare, below the hips
# Half-widths of a bare arm along its bones, as (share of the bone from its upper joint, share of the
# torso length); a sleeve is wider than the arm inside. An adult's upper arm is about a fifth as thick
# as the torso is long, widest a fifth of the way down where the deltoid caps the shoulder, narrower
# where the deltoid ends and on to the elbow; the forearm's muscles make it widest a quarter of the way
# down, and it narrows to the wrist, about a ninth of the torso across.
UPPER_ARM_WIDTHS = ((0.0, 0.1), (0.2, 0.104), (0.5, 0.09), (0.8, 0.086), (1.0, 0.075))
FOREARM_WIDTHS = ((0.0, 0.075), (0.25, 0.082), (0.7, 0.064), (1.0, 0.055))
# The wrist is as wide as the person's hand, measured across it this many wrist-to-knuckle lengths past
# the wrist, where an old cuff no longer hides it. Widths measured in the person mask are believed
# within these shares of the torso's measure: a mask's outline is rough (fingers spread, a strap), and
# a bone need not lie in the middle of its limb.
HAND_WIDTH_AT, MEASURED = 0.85, (0.7, 1.3)
ARM_IN_SLEEVE = 0.85  # an arm is at most this share of its old sleeve's width: cloth stands off the skin
# A hand's or a sleeve's width is looked for this many times the arm's half-width out from the bone;
# a run going on past that has merged into the body or the trousers.
HAND_SEARCH, SLEEVE_SEARCH = 2.5, 2.0
# Half-widths of a bare leg along it (0 the hip joint, 1 the knee, 2 the ankle), shares of the torso
# length: the thigh tapers to the knee, the calf swells a third of the way down the shin and
# narrows to the ankle (adult proportions). At the hip joint each thigh is half as wide as the hip
# joints lie apart: the thighs meet under the crotch.
LEG_WIDTHS = ((0.5, 0.13), (0.9, 0.095), (1.0, 0.09), (1.35, 0.105), (2.0, 0.06))
IN_TROUSERS = 0.9  # a leg fills about this share of the width of a slim trouser leg around it
# Share of the torso length: a trouser leg is measured this far either side of its bone; one wider (legs
# together, a skirt) is not measured.
LEG_REACH = 0.3
FOOT = 0.3  # share of the shin: how far past the ankle a foot (a boot, a shoe) reaches
LEG_PIECES = 4  # each leg is told bare or not in this many pieces, hip to ankle: a skirt ends mid-thigh
ARM_PIECES = 2  # each arm bone is told bare or not in this many pieces: a short sleeve ends mid-bone
CUFF_GROW = 1.6  # an old sleeve's end is looked for this many of the region's radii around each bone: cuffs flare

# Where a garment's hem falls along the leg: 0 hip joint, 1 knee, 2 ankle.
HEMS = {"mini": 0.5, "above-knee": 0.8, "short": 0.8, "knee": 1.0, "midi": 1.5, "cropped": 1.6,
        "maxi": 2.0, "full": 2.0}
DEFAULT_HEM = {LOWER: 2.0, FULL: 1.0}
BOTTOM_MIN_HEM = 1.0  # a bottom replaces at least down to the knees: shorts' legs flare


def region_mask(analysis: PersonAnalysis, region: str, *, length: str | None = None) -> np.ndarray:
    """Bool H x W: the body a garment for `region` covers, i.e. what it replaces. Tops take the
    torso and arms to the wrists; bottoms the waist down to the hem for `length` (a caption
    length: mini, above-knee, knee, midi, cropped, maxi, full), ankles by default; dresses both,
    the hem at the knees by default. Never the head, nor the hands, nor (for a bottom) the arms."""
    points, canvas, spared = _points(analysis), _canvas(analysis), _canvas(analysis)
    if region_checked(region) in (UPPER, FULL):
        cv2.fillPoly(canvas, [_torso(points).round().astype(np.int32)], 1)
        _draw_arms(canvas, points)
    if region in (LOWER, FULL):
        _draw_legs(canvas, points, _hem(region, length), skirt=True)
    _draw_hands(spared, points, forearms=region == LOWER, cuffs=region != LOWER)
    _draw_head(spared, points)
    return (canvas & ~spared).astype(bool) & _dilated(analysis.person_mask, _torso_length(points))


def garment_silhouette(analysis: PersonAnalysis, *, flare: bool) -> np.ndarray:
    """Bool H x W: where a new garment's pixels may land. Tops and trousers stay inside the person
    (a sleeve wider than the arm in the photo would be a wing in the background); with `flare`
    (skirts, dresses) also between the legs and a little past them below the hips. Never on the head:
    a neckline sits at the neck, not over the chin."""
    allowed = analysis.person_mask.copy()
    if flare:
        allowed |= _flare(analysis, _points(analysis))
    return allowed & ~head_mask(analysis)


def head_mask(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: the disc of the head (face, hair, chin), which no garment touches."""
    head = _canvas(analysis)
    _draw_head(head, _points(analysis))
    return head.astype(bool)


def sleeve_zone(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: where a top's sleeves lie off the torso (the arms of region_mask less its torso).
    An old sleeve painted out there leaves the arm (arm_limbs) and, beside it, what is behind."""
    points, arms, torso = _points(analysis), _canvas(analysis), _canvas(analysis)
    _draw_arms(arms, points)
    cv2.fillPoly(torso, [_torso(points).round().astype(np.int32)], 1)
    return (arms & ~torso).astype(bool)


def leg_zone(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: where trouser legs lie below the crotch (the legs of a bottom's region_mask). Old
    trousers painted out there leave the legs (leg_limbs) and, beside and between them, what is behind."""
    legs = _canvas(analysis)
    _draw_legs(legs, _points(analysis), DEFAULT_HEM[LOWER], skirt=False)
    return legs.astype(bool) & _below_crotch(analysis)


def _below_crotch(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: below the crotch (CROTCH_DROP below the hips, across the spine), where the legs
    part; above it lie the hips, which a bottom covers."""
    points = _points(analysis)
    up, _ = _axes(points)
    crotch = _spine(points)[1] - CROTCH_DROP * _torso_length(points) * up
    xs, ys = np.arange(analysis.width)[None, :], np.arange(analysis.height)[:, None]
    return (xs - crotch[0]) * up[0] + (ys - crotch[1]) * up[1] < 0


def _flare(analysis: PersonAnalysis, points: np.ndarray) -> np.ndarray:
    """Below the hip line: the legs' convex outline grown by FLARE of the torso."""
    up, _ = _axes(points)
    unit, (_, hips) = _torso_length(points), _spine(points)
    ys, xs = np.nonzero(analysis.person_mask)
    below = (np.stack([xs, ys], axis=1) - hips) @ up < 0
    canvas = _canvas(analysis)
    if below.sum() >= 3:
        hull = cv2.convexHull(np.stack([xs[below], ys[below]], axis=1).astype(np.int32))
        cv2.fillConvexPoly(canvas, hull, 1)
    side = max(3, round(2 * FLARE * unit) | 1)
    grown = cv2.dilate(canvas, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    rows = np.arange(analysis.height)[:, None] - hips[1]
    return grown.astype(bool) & (rows > 0)


def arms_front_mask(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: forearm and hand pixels over the torso, which stay in front of a new top."""
    points, arms, torso = _points(analysis), _canvas(analysis), _canvas(analysis)
    _draw_hands(arms, points, forearms=True)
    cv2.fillPoly(torso, [_torso(points).round().astype(np.int32)], 1)
    return (arms & torso).astype(bool) & analysis.person_mask


@dataclass
class Limbs:
    """Arms or legs drawn from the pose as limbs: tapered from shoulder to wrist or hip to ankle, not
    as wide as a sleeve or a trouser leg."""

    across: np.ndarray  # float H x W: the place across the limb, -1 at its image-left edge to 1 at its right
    cover: np.ndarray  # float H x W, 0-1: the limb's coverage, soft over one pixel at its outline
    girth: float  # px: an upper arm's or a thigh's half-width, the scale of what is drawn along the limb


def arm_limbs(analysis: PersonAnalysis, *, replaced: np.ndarray | None = None) -> Limbs:
    """Each arm whose elbow is seen as a band along its bones shaped as an arm (_arm_knots: on past the
    wrist to where an old cuff ends), rounded at the joints and cut to the person (and to `replaced`,
    bool H x W: old sleeve replaced outside the person mask): where an old sleeve is painted out, this
    is the arm inside it, and what the sleeve covered beyond it is background."""
    points = _points(analysis)
    unit = _torso_length(points)
    pieces = []
    for shoulder, elbow, wrist, hand in zip(SHOULDERS, ELBOWS, WRISTS, HANDS):
        if points[elbow, 2] <= VISIBLE:  # behind the body
            continue
        knots = _arm_knots(analysis.person_mask, points, (shoulder, elbow, wrist, hand), unit)
        pieces += [(start, end, [start_width, end_width])
                   for (start, start_width), (end, end_width) in pairwise(knots)]
    return _drawn_limbs(analysis, pieces, girth=UPPER_ARM_WIDTHS[0][1] * unit, replaced=replaced)


def _arm_knots(person: np.ndarray, points: np.ndarray, joints: tuple[int, int, int, tuple[int, ...]],
               unit: float) -> list[tuple[np.ndarray, float]]:
    """An arm's outline as (place, half-width px) from the shoulder to where an old cuff ends:
    UPPER_ARM_WIDTHS and FOREARM_WIDTHS of the torso along the bones, but at the wrist and on to the
    cuff as wide as the person's own hand (so the arm runs into the photographed hand), and never
    wider than ARM_IN_SLEEVE of the old sleeve around it (the `person` mask's width there)."""
    shoulder, elbow, wrist = (points[joint, :2] for joint in joints[:3])
    cuff, knuckles = _cuff_end(points, joints[2], joints[3]), points[list(joints[3]), :2].mean(axis=0)
    wrist_width = FOREARM_WIDTHS[-1][1] * unit
    hand_width = _run_half_width(person, wrist + HAND_WIDTH_AT * (knuckles - wrist), knuckles - wrist,
                                 HAND_SEARCH * wrist_width)
    if hand_width is not None:
        wrist_width *= float(np.clip(hand_width / wrist_width, *MEASURED))
    knots = [(shoulder + share * (elbow - shoulder), width * unit, elbow - shoulder)
             for share, width in UPPER_ARM_WIDTHS]
    knots += [(elbow + share * (wrist - elbow), width * unit, wrist - elbow) for share, width in FOREARM_WIDTHS[1:-1]]
    knots += [(wrist, wrist_width, wrist - elbow), (cuff, wrist_width, cuff - wrist)]
    fitted = []
    for place, width, along in knots:
        sleeve = _run_half_width(person, place, along, SLEEVE_SEARCH * width)
        inside = width if sleeve is None else ARM_IN_SLEEVE * sleeve
        fitted.append((place, float(np.clip(inside, MEASURED[0] * width, width))))
    return fitted


def _run_half_width(mask: np.ndarray, point: np.ndarray, along: np.ndarray, reach: float) -> float | None:
    """Half the width of `mask`'s run through `point` across the direction `along`, looked for out to
    `reach` px on each side, about `point` (a bone lies near the middle of its limb). A side whose run
    goes on past `reach` has merged into the body (an arm hanging against the torso): the other
    side's extent is taken alone. None where `point` is off the mask or both sides merge."""
    height, width = mask.shape
    normal = np.array([-along[1], along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
    x, y = np.rint(point).astype(int)
    if not (0 <= x < width and 0 <= y < height and mask[y, x]):
        return None
    steps = np.arange(1, max(2, int(reach) + 1))
    extents = []
    for sign in (-1, 1):
        xs = np.rint(point[0] + sign * steps * normal[0]).astype(int)
        ys = np.rint(point[1] + sign * steps * normal[1]).astype(int)
        inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
        inside[inside] = mask[ys[inside], xs[inside]]
        off = np.flatnonzero(~inside)
        if len(off):
            extents.append(float(off[0]) + 0.5)
    return float(np.mean(extents)) if extents else None


def leg_limbs(analysis: PersonAnalysis) -> Limbs:
    """Each leg as a bare leg from the crotch to the ankle (LEG_WIDTHS: thigh, knee, calf, ankle
    along its own hip, knee and ankle), rounded at the joints and cut to the person: where old
    trousers are painted out, this is the leg inside them, and beside it is background. Pose puts
    a knee or an ankle a little off the middle of the trouser leg around it, so each is moved
    there (a leg off-centre would be cut by the trousers' outline), and a leg in trousers slimmer
    than the proportions is drawn slimmer (_in_trousers)."""
    points = _points(analysis)
    unit = _torso_length(points)
    reach = LEG_REACH * unit
    hip_half = float(np.linalg.norm(points[HIPS[0], :2] - points[HIPS[1], :2])) / 2
    profile = [(0.0, max(hip_half, LEG_WIDTHS[0][1] * unit))] + [(at, share * unit) for at, share in LEG_WIDTHS]
    pieces = []
    for hip, knee, ankle in zip(HIPS, KNEES, ANKLES):
        joints = points[[hip, knee, ankle], :2]
        for index in (1, 2):
            run = _run_across(analysis.person_mask, joints[index], joints[index] - joints[index - 1], reach)
            joints[index] = joints[index] if run is None else run[0]
        scale = _in_trousers(analysis.person_mask, joints, profile, reach)
        spots = [(_along_leg(joints, at), scale * half) for at, half in profile]
        pieces += [(start, end, [start_half, end_half])
                   for (start, start_half), (end, end_half) in zip(spots, spots[1:])]
    legs = _drawn_limbs(analysis, pieces, girth=LEG_WIDTHS[0][1] * unit)
    legs.cover *= _below_crotch(analysis)  # above, the thighs' rounded tops would reach onto the hips
    return legs


def leg_pieces(analysis: PersonAnalysis) -> list[np.ndarray]:
    """Bool H x W: each leg's limb (leg_limbs) in LEG_PIECES pieces from the hip to the ankle, cut
    square across the leg, within the person: a leg is told bare or not piece by piece, since a
    skirt or shorts end part of the way down it."""
    limb, points = leg_limbs(analysis).cover > 0, _points(analysis)
    reach = 2 * THIGH * _torso_length(points)  # wider than any leg: the square cut holds the whole limb
    found = []
    for hip, knee, ankle in zip(HIPS, KNEES, ANKLES):
        joints = points[[hip, knee, ankle], :2]
        for piece in range(LEG_PIECES):
            band = _canvas(analysis)
            start, end = (_along_leg(joints, 2 * share / LEG_PIECES) for share in (piece, piece + 1))
            cv2.fillConvexPoly(band, _band_corners(start, end, reach).round().astype(np.int32), 1)
            found.append(limb & band.astype(bool))
    return found


def leg_below(analysis: PersonAnalysis, leg: int, at: float) -> np.ndarray:
    """Bool H x W: leg `leg` (0 the person's left, 1 their right) from `at` along it (0 the hip, 1
    the knee, 2 the ankle) down past the ankle as far as the foot reaches, as wide as a bottom's region."""
    points, canvas = _points(analysis), _canvas(analysis)
    joints = points[[HIPS[leg], KNEES[leg], ANKLES[leg]], :2]
    _capsule(canvas, _along_leg(joints, 2 + FOOT), _along_leg(joints, at), THIGH * _torso_length(points))
    return canvas.astype(bool)


def _run_across(person: np.ndarray, point: np.ndarray, bone: np.ndarray,
                reach: float) -> tuple[np.ndarray, float] | None:
    """The middle and half-width of the person's run through `point` across `bone`; None when the
    run does not end within `reach` of it on both sides (legs together, a skirt) or misses it."""
    normal = np.array([-bone[1], bone[0]]) / max(float(np.linalg.norm(bone)), 1e-6)
    offsets = np.arange(-round(reach), round(reach) + 1)
    spots = np.rint(point + offsets[:, None] * normal).astype(int)
    height, width = person.shape
    inside = (spots[:, 0] >= 0) & (spots[:, 0] < width) & (spots[:, 1] >= 0) & (spots[:, 1] < height)
    held = np.zeros(len(offsets), bool)
    held[inside] = person[spots[inside, 1], spots[inside, 0]]
    middle = len(offsets) // 2
    if not held[middle] or held[:middle].all() or held[middle:].all():
        return None
    first = middle - np.argmin(held[middle::-1])  # the first pixel outside the run on either side
    last = middle + np.argmin(held[middle:])
    return point + (first + last - 2 * middle) / 2 * normal, (last - first - 1) / 2


def _in_trousers(person: np.ndarray, joints: np.ndarray, profile: list[tuple[float, float]], reach: float) -> float:
    """The share of the body's proportions (`profile`: half-widths along the leg) that this leg is
    drawn at: 1, or less where the trouser leg around it (the person's run across the leg, below
    the hip) is slimmer, so that the leg fills about IN_TROUSERS of it. A slim person in slim
    trousers has slimmer legs than the proportions; the median over the leg keeps the leg's own
    shape (knee, calf, ankle) where the trousers run straight."""
    shares = []
    for at, half in profile[1:]:
        bone = joints[1] - joints[0] if at <= 1 else joints[2] - joints[1]
        run = _run_across(person, _along_leg(joints, at), bone, reach)
        if run is not None:
            shares.append(IN_TROUSERS * run[1] / half)
    return float(min(1.0, np.median(shares))) if shares else 1.0


def _along_leg(joints: np.ndarray, at: float) -> np.ndarray:
    """The point `at` along a leg (joints: hip, knee, ankle): 0 the hip, 1 the knee, 2 the ankle."""
    bone = min(int(at), 1)
    return joints[bone] + (at - bone) * (joints[bone + 1] - joints[bone])


def _drawn_limbs(analysis: PersonAnalysis, pieces: list[tuple[np.ndarray, np.ndarray, list[float]]], *,
                 girth: float, replaced: np.ndarray | None = None) -> Limbs:
    """Limbs of `pieces` (start, end, half-widths at both ends), cut to the person (and to `replaced`,
    bool H x W: old garment replaced outside the person mask); `girth` is their scale (Limbs)."""
    across = np.zeros((analysis.height, analysis.width), np.float32)
    margin = np.full(across.shape, -np.inf, np.float32)  # px inside the limb's outline
    for start, end, widths in pieces:
        _bone_band(across, margin, start, end, widths)
    person = analysis.person_mask if replaced is None else analysis.person_mask | replaced
    cover = np.clip(margin + 0.5, 0, 1) * person
    return Limbs(across=np.where(cover > 0, across, 0).astype(np.float32), cover=cover.astype(np.float32),
                 girth=girth)


def arm_pieces(analysis: PersonAnalysis) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """For each arm whose elbow is seen, its pieces from shoulder to cuff (ARM_PIECES to the upper
    arm, as many to the forearm), each as its limb (arm_limbs' band) and the band region_mask
    replaces around it (wider: a sleeve), both bool H x W within the person and cut square where
    the piece ends."""
    limb = arm_limbs(analysis).cover > 0
    arms = []
    for bones in _arm_bones(analysis):
        pieces = []
        for start, end, radius in bones:
            # Cut square at both ends: a rounded end would reach into the next piece (a sleeve's hem).
            band = _canvas(analysis)
            cv2.fillConvexPoly(band, _band_corners(start, end, radius).round().astype(np.int32), 1)
            band = band.astype(bool) & analysis.person_mask
            pieces.append((limb & band, band))
        arms.append(pieces)
    return arms


def arm_ends(analysis: PersonAnalysis) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per arm whose elbow and wrist are seen, bool H x W around its upper arm and its forearm (on
    to where an old cuff ends), CUFF_GROW times the region's radii, less the hands, whether the
    person mask holds them or not: a sleeve's shoulder often reaches past the region's band, and a
    white cuff on a white backdrop is often left out of the mask; a top must still replace them.
    Third, the forearm's band at the region's own radius (a sleeve's width), less the hands."""
    points, hands = _points(analysis), _canvas(analysis)
    unit = _torso_length(points)
    _draw_hands(hands, points, forearms=False, cuffs=True)
    ends = []
    for shoulder, elbow, wrist, hand in zip(SHOULDERS, ELBOWS, WRISTS, HANDS):
        if points[elbow, 2] > VISIBLE and points[wrist, 2] > VISIBLE:
            cuff = _cuff_end(points, wrist, hand)
            bones = []
            shoulder_at, elbow_at = points[shoulder, :2], points[elbow, :2]
            for start, end, radius in ((shoulder_at, elbow_at, CUFF_GROW * UPPER_ARM),
                                       (elbow_at, cuff, CUFF_GROW * FOREARM), (elbow_at, cuff, FOREARM)):
                canvas = _canvas(analysis)
                _capsule(canvas, start, end, radius * unit, end_cap=True)
                bones.append((canvas & ~hands).astype(bool))
            ends.append(tuple(bones))
    return ends


def _arm_bones(analysis: PersonAnalysis) -> list[list[tuple[np.ndarray, np.ndarray, float]]]:
    """For each arm whose elbow is seen (one whose elbow is not is behind the body), its pieces from
    the shoulder (ARM_PIECES per bone) as (start, end, sleeve radius). The forearm runs on to where
    an old cuff ends; a wrist the pose does not see (a hand in a pocket) is still placed."""
    points = _points(analysis)
    unit = _torso_length(points)
    arms = []
    for shoulder, elbow, wrist, hand in zip(SHOULDERS, ELBOWS, WRISTS, HANDS):
        if points[elbow, 2] <= VISIBLE:
            continue
        cuff = _cuff_end(points, wrist, hand)
        pieces = []
        for start, end, radius in ((points[shoulder, :2], points[elbow, :2], UPPER_ARM),
                                   (points[elbow, :2], cuff, FOREARM)):
            for piece in range(ARM_PIECES):
                a, b = piece / ARM_PIECES, (piece + 1) / ARM_PIECES
                pieces.append((start + a * (end - start), start + b * (end - start), radius * unit))
        arms.append(pieces)
    return arms


def _cuff_end(points: np.ndarray, wrist: int, hand: tuple[int, ...]) -> np.ndarray:
    """Where an old sleeve's cuff ends: CUFF_REACH of the way from the wrist to the knuckles."""
    knuckles = points[list(hand), :2].mean(axis=0)
    return points[wrist, :2] + CUFF_REACH * (knuckles - points[wrist, :2])


def _bone_band(across: np.ndarray, margin: np.ndarray, start: np.ndarray, end: np.ndarray,
               widths: list[float]) -> None:
    """Draw one bone's band into `across` and `margin` (in place, where it lies deeper inside than
    what is there): its half-width runs linearly from widths[0] at `start` to widths[1] at `end`,
    and past either end the band is rounded."""
    reach = int(np.ceil(max(widths))) + 2
    height, width = across.shape
    x0, y0 = (np.floor(np.minimum(start, end)).astype(int) - reach).clip(0)
    x1, y1 = np.ceil(np.maximum(start, end)).astype(int) + reach + 1
    x1, y1 = min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    direction = (end - start).astype(np.float32)
    length2 = max(float(direction @ direction), 1e-6)
    along = np.clip(((xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]) / length2, 0, 1)
    dx, dy = xs - (start[0] + along * direction[0]), ys - (start[1] + along * direction[1])
    half = widths[0] + along * (widths[1] - widths[0])
    normal = np.array([-direction[1], direction[0]]) / np.sqrt(length2)
    side = np.sign(normal[0] or 1.0) * np.sign(dx * normal[0] + dy * normal[1])  # + towards the image's right
    distance = np.hypot(dx, dy)
    inside = half - distance
    deeper = inside > margin[y0:y1, x0:x1]
    margin[y0:y1, x0:x1] = np.where(deeper, inside, margin[y0:y1, x0:x1])
    across[y0:y1, x0:x1] = np.where(deeper, np.clip(side * distance / half, -1, 1), across[y0:y1, x0:x1])


def _points(analysis: PersonAnalysis) -> np.ndarray:
    return np.asarray(analysis.landmarks, dtype=np.float64)


def _canvas(analysis: PersonAnalysis) -> np.ndarray:
    return np.zeros((analysis.height, analysis.width), np.uint8)


def _spine(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The shoulders' and the hips' midpoints."""
    return points[list(SHOULDERS), :2].mean(axis=0), points[list(HIPS), :2].mean(axis=0)


def torso_length(analysis: PersonAnalysis) -> float:
    """Shoulders' to hips' midpoint, px: the unit the engine's body measures are shares of."""
    return _torso_length(_points(analysis))


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
    cv2.fillConvexPoly(canvas, _band_corners(start, end, radius).round().astype(np.int32), 1)
    for centre in (start, end) if end_cap else (start,):
        cv2.circle(canvas, tuple(int(v) for v in centre.round()), max(1, round(radius)), 1, thickness=-1)


def _band_corners(start: np.ndarray, end: np.ndarray, radius: float) -> np.ndarray:
    """The four corners of the band of half-width `radius` from `start` to `end`, cut square."""
    direction = end - start
    normal = np.array([-direction[1], direction[0]]) * radius / max(1e-6, float(np.linalg.norm(direction)))
    return np.array([start + normal, end + normal, end - normal, start - normal])


def _draw_arms(canvas: np.ndarray, points: np.ndarray) -> None:
    """Each arm, down past the wrist to where an old cuff ends (CUFF_REACH towards the knuckles)."""
    unit = _torso_length(points)
    for shoulder, elbow, wrist, hand in zip(SHOULDERS, ELBOWS, WRISTS, HANDS):
        knuckles = points[list(hand), :2].mean(axis=0)
        cuff = points[wrist, :2] + CUFF_REACH * (knuckles - points[wrist, :2])
        _capsule(canvas, points[shoulder, :2], points[elbow, :2], UPPER_ARM * unit, end_cap=True)
        _capsule(canvas, points[elbow, :2], cuff, FOREARM * unit)


def _draw_hands(canvas: np.ndarray, points: np.ndarray, *, forearms: bool, cuffs: bool = False) -> None:
    """The hands (and forearms) of the arms whose elbow and wrist are seen: a hidden arm is behind
    the body, and drawing it would cut the body away. With `cuffs`, from CUFF_REACH of the way to
    the knuckles: an old sleeve's cuff lies over the wrist, and is replaced with the top (the hand's
    own skin there is kept as bare skin)."""
    unit = _torso_length(points)
    for elbow, wrist, hand in zip(ELBOWS, WRISTS, HANDS):
        if points[elbow, 2] > VISIBLE and points[wrist, 2] > VISIBLE:
            knuckles = points[list(hand), :2].mean(axis=0)
            fingertips = points[wrist, :2] + HAND_REACH * (knuckles - points[wrist, :2])
            start = points[wrist, :2] + (CUFF_REACH if cuffs else 0.0) * (knuckles - points[wrist, :2])
            _capsule(canvas, fingertips, start, HAND * unit)  # square at its start: the cuff stays, or goes
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
    return max(hem, BOTTOM_MIN_HEM) if region == LOWER else hem


def _dilated(mask: np.ndarray, unit: float) -> np.ndarray:
    side = max(3, round(DILATE * unit) | 1)
    return cv2.dilate(mask.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))).astype(bool)
