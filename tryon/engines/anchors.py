"""Where each garment point goes on the body, for the warp engine's thin-plate spline.

Pose landmarks sit at joint centres, inside the body outline, so the body points are pushed out
from them by fixed fractions of the shoulder or hip distance (rough adult proportions, checked by
eye on docs/tryon-quality-sheet.jpg). What the pose cannot say (how long a sleeve, trouser
leg, top, skirt or dress is) comes from the garment photo itself, scaled by the body/garment
width ratio and walked along the limb's landmarks, so a long sleeve follows a bent arm and shorts
stop above the knee. A garment lying flat is about 1.4 times as wide as the same garment seen on
a body from the front (half its girth against a third), so lengths of bottoms, scaled by waist
width, are stretched by FLAT_LAY; tops are scaled by their shoulder corners, which a flat top and
a body show alike. Sleeves and legs are laid along the limb as a ribbon: centre and both edges at
a few points, so they bend with an elbow or a seated knee instead of shearing. Where each piece
ends (Ends) is handed on to outline_fit.py, which draws the outline to it: the spline itself
stretches a garment well past its pinned points.
"""

from dataclasses import dataclass, field

import numpy as np

from tryon.engines.body import WAIST_RISE
from tryon.engines.outline import (SIDES, armpits, cross_section, cuff, is_skirt, norm, normal, opening,
                                   sleeve_mask, symmetric, unit)

Pair = tuple[np.ndarray, np.ndarray]  # (body point, garment point)
Part = tuple[np.ndarray, list[Pair]]  # a piece of the garment (bool mask) warped on its own, and its pairs
Sides = dict[str, dict[str, np.ndarray]]


@dataclass
class Ends:
    """Where each piece of the garment ends on this body, from the garment's own proportions (body
    px): the outline is drawn to these, never to where the spline stretched the garment."""
    hem: np.ndarray | None = None  # the centre of a top's, dress's or skirt's hem
    hem_half: float = 0.0  # the hem's half-width
    # How far above its centre the hem lies at HEM_SAMPLES points evenly across it, left corner to
    # right corner: a skirt's hem curves as the garment's own does, not straight across.
    hem_rise: np.ndarray = field(default_factory=lambda: np.zeros(HEM_SAMPLES))
    limbs: list[np.ndarray] = field(default_factory=list)  # the end of each sleeve or trouser leg found

# Fractions of the shoulder-landmark distance.
SHOULDER_OUT, SHOULDER_UP = 0.12, 0.04
NECK_UP = 0.2  # the highest a collar may reach above the shoulder joints
ARMPIT_DOWN, ARMPIT_HALF_WIDTH = 0.42, 0.42  # the torso's side where the arm leaves it
# A sleeve whose cuff and key point both lie nearer its shoulder than this (share of the shoulder
# width) is none. Either may be the far one: a short sleeve barely clear of a tee's body has its
# farthest reach (the cuff found) up by the shoulder, and its key point down at the sleeve's hem.
MIN_SLEEVE = 0.1
HIP_HALF_WIDTH = 0.85  # the body's half width at the hips, as a share of the hip-landmark distance
TOP_LOOSENESS, DRESS_FLARE = 1.15, 2.5  # how much wider than the body a hem may be
# Fractions of the torso length (shoulder to hip midpoints).
TOP_LENGTH = (1.15, 1.35)  # a top reaches at least a little past the hip joints
DRESS_MIN_LENGTH = 1.1
# Fractions of the hip-landmark distance, and of the thigh length for the crotch.
WAIST_OUT, CROTCH_DOWN = 0.35, 0.15
SKIRT_HALF_WIDTH = (0.8, 2.5)
FLAT_LAY = 1.4
# Trousers whose outseam (waist corner to leg corner) is this many times their flat waist are full
# length: they reach the ankle on anyone (shorts are under 1.6, full-length trousers 2.3 and more),
# where their inseam scaled by a slim body's narrow hips would stop them above it.
FULL_LEG = 2.0
LEG_FLARE = 0.75  # a trouser leg is at most this share of half the waist wide (half-width)
ARM_HALF, LEG_HALF = 0.12, 0.2  # the widest an arm or leg is taken to be (half, share of the torso length)
LIMB_REACH = 1.04  # a sleeve, leg or dress may run a little past the wrist or ankle landmark
SHORTEST_SLEEVE = 0.3  # share of the torso length: a sleeve reaches at least this far down the arm
HEM_SAMPLES = 17  # points across a hem where its curve is read
SLEEVE_SECTIONS = (0.5, 0.9)  # where along a sleeve its width is laid across the arm
LEG_SECTIONS = (0.2, 0.55, 0.9)  # the same along a trouser leg, below the crotch


def upper_parts(sides: Sides, kp: dict[str, np.ndarray], mask: np.ndarray, person: np.ndarray, *,
                dress: bool) -> tuple[list[Part], Ends]:
    """The torso, then each sleeve found, each with its own pairs: a spline through them all could
    not fold a sleeve spread out on the floor down to a hanging arm without dragging the torso; and
    where the hem and each sleeve end."""
    kp = symmetric(kp)
    width, down = norm(sides["right"]["shoulder"] - sides["left"]["shoulder"]), _torso_down(sides)
    across = unit(sides["right"]["shoulder"] - sides["left"]["shoulder"])
    tops = {side: sides[side]["shoulder"] + sign * across * SHOULDER_OUT * width - down * SHOULDER_UP * width
            for side, sign in SIDES}
    garment_width = max(norm(kp["right_shoulder"] - kp["left_shoulder"]), 1.0)
    scale = norm(tops["right"] - tops["left"]) / garment_width
    pairs, sleeves, notches = [(_neck(kp, tops, sides, down), kp["neck"])], [], armpits(mask, kp)
    ends = Ends()
    for side, sign in SIDES:
        inward = -sign * across * (0.5 - ARMPIT_HALF_WIDTH) * width
        armpit = sides[side]["shoulder"] + down * ARMPIT_DOWN * width + inward
        joint = [(tops[side], kp[f"{side}_shoulder"]), (armpit, notches[side])]
        pairs += joint
        end = cuff(mask, kp, notches, side)
        reach = max(norm(point - kp[f"{side}_shoulder"]) for point in (end, kp.get(f"{side}_sleeve", end)))
        if reach > MIN_SLEEVE * garment_width:
            # Its widths are read off the sleeve alone: a sleeve hanging against the body would
            # otherwise measure as wide as the whole garment, centred on the chest.
            sleeve = sleeve_mask(mask, kp, notches, side, end)
            ribbon = _sleeve_pairs(sides[side], joint, end, (sleeve, person), scale, _torso_length(sides))
            sleeves.append((sleeve, joint + ribbon))
            ends.limbs.append(ribbon[0][0])
    hem = _top_hem(sides, kp, tops, scale, dress=dress)
    pairs += hem
    ends.hem, ends.hem_half = _hem_centre(hem)
    if dress:
        ends.hem_rise = _hem_rise(mask, kp["left_hem"], kp["right_hem"], scale)
    body = mask & ~np.any([sleeve for sleeve, _ in sleeves], axis=0) if sleeves else mask
    return [(body, pairs)] + sleeves, ends


def _sleeve_pairs(limb: dict[str, np.ndarray], joint: list[Pair], end: np.ndarray,
                  masks: tuple[np.ndarray, np.ndarray], scale: float, torso: float) -> list[Pair]:
    """A sleeve laid down the arm as a ribbon, from between its shoulder top and armpit (`joint`)."""
    (top, shoulder), (armpit, notch) = joint
    arm, start = [(top + armpit) / 2, limb["elbow"], limb["wrist"]], (shoulder + notch) / 2
    return _ribbon(arm, (start, end), masks, (scale, scale), shares=SLEEVE_SECTIONS,
                   widest=(norm(shoulder - notch) / 2, ARM_HALF * torso),
                   reach=max(norm(end - start) * scale, SHORTEST_SLEEVE * torso))


def _top_hem(sides: Sides, kp: dict[str, np.ndarray], tops: dict[str, np.ndarray], scale: float, *,
             dress: bool) -> list[Pair]:
    """A top's hem near the hips, a dress's down the legs; at least as wide as the hips."""
    left, right = sides["left"], sides["right"]
    axis = [(tops["left"] + tops["right"]) / 2] + [(left[name] + right[name]) / 2 for name in ("hip", "knee", "ankle")]
    torso = norm(axis[1] - axis[0])
    length = (DRESS_MIN_LENGTH * torso, _length(axis) * LIMB_REACH) if dress else \
        (TOP_LENGTH[0] * torso, TOP_LENGTH[1] * torso)
    hips = max(norm(right["hip"] - left["hip"]) * HIP_HALF_WIDTH,
               ARMPIT_HALF_WIDTH * norm(right["shoulder"] - left["shoulder"]))
    half = (hips, hips * (DRESS_FLARE if dress else TOP_LOOSENESS))
    garment_top = (kp["left_shoulder"] + kp["right_shoulder"]) / 2
    return _hem_pairs(axis, garment_top, (kp["left_hem"], kp["right_hem"]), scale, length=length,
                      half=half, across=unit(right["hip"] - left["hip"]))


def lower_parts(sides: Sides, kp: dict[str, np.ndarray], mask: np.ndarray, person: np.ndarray, *,
                rise: float = WAIST_RISE) -> tuple[list[Part], Ends]:
    """One part: trouser legs bend at the knee smoothly enough for one spline; and where the hem or
    each leg ends. A leg's length is its inseam (crotch to the leg opening's inner corner) scaled
    from the crotch down: the rise of a garment lying flat (its elastic gathered, its crotch seam
    spread) says little about the body's, and waist to hem would carry its error into the leg.
    Full-length trousers (FULL_LEG) run to the ankle. The waistband lies `rise` (share of the torso
    length) above the hips: where the old bottom's did, when it sat higher than WAIST_RISE."""
    left, right = sides["left"], sides["right"]
    hips, torso = norm(right["hip"] - left["hip"]), _torso_length(sides)
    across, down = unit(right["hip"] - left["hip"]), _torso_down(sides)
    raise_ = down * WAIST_RISE * torso
    waist = {side: sides[side]["hip"] + sign * across * WAIST_OUT * hips - down * rise * torso for side, sign in SIDES}
    scale = norm(waist["right"] - waist["left"]) / max(norm(kp["right_waist"] - kp["left_waist"]), 1.0)
    pairs = [(waist[side], kp[f"{side}_waist"]) for side, _ in SIDES]
    middle = (kp["left_waist"] + kp["right_waist"]) / 2
    if is_skirt(kp):
        axis = [(waist["left"] + waist["right"]) / 2] + [(left[name] + right[name]) / 2 for name in ("knee", "ankle")]
        hem = _hem_pairs(axis, middle, (kp["left_leg"], kp["right_leg"], kp["crotch"]), scale * FLAT_LAY,
                         length=(0.0, _length(axis) * LIMB_REACH), half=tuple(np.multiply(SKIRT_HALF_WIDTH, hips)),
                         across=across)
        rise = _hem_rise(mask, kp["left_leg"], kp["right_leg"], scale * FLAT_LAY)
        return [(mask, pairs + hem)], Ends(*_hem_centre(hem), hem_rise=rise)
    thigh = (norm(left["knee"] - left["hip"]) + norm(right["knee"] - right["hip"])) / 2
    pairs.append(((left["hip"] + right["hip"]) / 2 + down * CROTCH_DOWN * thigh, kp["crotch"]))
    ends = Ends()
    for side, _ in SIDES:
        leg = [sides[side]["hip"] - raise_, sides[side]["knee"], sides[side]["ankle"]]
        top, end = (kp[f"{side}_waist"] + middle) / 2, opening(mask, kp[f"{side}_leg"])
        crotch = float(np.clip((kp["crotch"][1] - top[1]) / max(end[1] - top[1], 1.0), 0, 0.9))
        inseam = norm(kp[f"{side}_leg_inner"] - kp["crotch"]) * scale * FLAT_LAY
        full = norm(kp[f"{side}_leg"] - kp[f"{side}_waist"]) >= FULL_LEG * norm(kp["right_waist"] - kp["left_waist"])
        ribbon = _ribbon(leg, (top, end), (mask, person), (scale * FLAT_LAY, scale),
                         shares=tuple(crotch + (1 - crotch) * np.array(LEG_SECTIONS)),
                         widest=(LEG_FLARE * norm(kp[f"{side}_waist"] - middle), LEG_HALF * torso),
                         reach=_length(leg) * LIMB_REACH if full else WAIST_RISE * torso + CROTCH_DOWN * thigh + inseam)
        pairs += ribbon
        ends.limbs.append(ribbon[0][0])
    return [(mask, pairs)], ends


def _neck(kp: dict[str, np.ndarray], tops: dict[str, np.ndarray], sides: Sides, down: np.ndarray) -> np.ndarray:
    """The garment's neck point placed as the garment has it relative to its shoulder corners
    (rotated and scaled onto the body's), but never higher than NECK_UP: a collar, not a chin."""
    garment = complex(*(kp["right_shoulder"] - kp["left_shoulder"]))
    turn = complex(*(tops["right"] - tops["left"])) / garment if abs(garment) > 1e-6 else 1
    offset = complex(*(kp["neck"] - kp["left_shoulder"])) * turn
    point = tops["left"] + np.array([offset.real, offset.imag])
    joints = (sides["left"]["shoulder"] + sides["right"]["shoulder"]) / 2
    width = norm(sides["right"]["shoulder"] - sides["left"]["shoulder"])
    rise = float(np.dot(joints - NECK_UP * width * down - point, down))
    return point + down * rise if rise > 0 else point


def _ribbon(limb: list[np.ndarray], axis: tuple[np.ndarray, np.ndarray], masks: tuple[np.ndarray, np.ndarray],
            scales: tuple[float, float], *, shares: tuple[float, ...], widest: tuple[float, float],
            reach: float) -> list[Pair]:
    """A sleeve or trouser leg (garment `axis`, start to end) laid along `limb` to `reach` (body
    px, at most the limb's length): its end first, then at each share of its length its centre and
    both edges across the limb. `masks` are the garment's and the person's, `scales` for lengths
    and widths, and `widest` caps the half-widths read off each mask (garment px, body px). An edge
    never lies inside the limb as the person mask shows it, so the new sleeve or leg covers the old
    one's width."""
    start, end = axis
    length, along = norm(end - start), unit(end - start)
    reach = min(reach, _length(limb) * LIMB_REACH)
    pairs = [(_walk(limb, reach), end)]
    for share in shares:
        centre, half = cross_section(masks[0], start + along * share * length, along)
        spot = _walk(limb, share * reach)
        pairs.append((spot, centre))
        if half < 1:
            continue
        across = normal(unit(_walk(limb, share * reach + 1) - _walk(limb, share * reach - 1)))
        half = min(half, widest[0])
        spread = max(half * scales[1], min(cross_section(masks[1], spot, normal(across))[1], widest[1]))
        pairs += [(spot + sign * across * spread, centre + sign * normal(along) * half) for sign in (-1, 1)]
    return pairs


def _hem_pairs(axis: list[np.ndarray], garment_top: np.ndarray, hem: tuple[np.ndarray, ...], scale: float, *,
               length: tuple[float, float], half: tuple[float, float], across: np.ndarray) -> list[Pair]:
    """A hem (left and right corners, then its centre when given) laid across the body axis at the
    garment's own length and width, scaled and held within `length` and `half` (body px)."""
    left_hem, right_hem = hem[:2]
    garment_hem = hem[2] if len(hem) > 2 else (left_hem + right_hem) / 2
    centre = _walk(axis, float(np.clip(norm(garment_hem - garment_top) * scale, *length)))
    spread = float(np.clip(norm(right_hem - left_hem) / 2 * scale, *half))
    pairs = [(centre - across * spread, left_hem), (centre + across * spread, right_hem)]
    return pairs + [(centre, hem[2])] if len(hem) > 2 else pairs


def _hem_centre(hem: list[Pair]) -> tuple[np.ndarray, float]:
    """The body centre and half-width of a hem laid by _hem_pairs (its two corners come first)."""
    (left, _), (right, _) = hem[:2]
    return (left + right) / 2, norm(right - left) / 2


def _hem_rise(mask: np.ndarray, left: np.ndarray, right: np.ndarray, scale: float) -> np.ndarray:
    """How far (body px, at `scale`) the garment's lowest pixel lies above the one at the middle
    column, in HEM_SAMPLES columns evenly from its hem's `left` to its `right` corner; a column
    lower than the middle counts as level with it (a skirt's hem only rises from its centre)."""
    columns = np.linspace(left[0], right[0], HEM_SAMPLES).round().astype(int).clip(0, mask.shape[1] - 1)
    held = mask[:, columns]
    bottoms = np.where(held.any(axis=0), mask.shape[0] - 1 - held[::-1].argmax(axis=0), 0)
    return np.clip(bottoms[HEM_SAMPLES // 2] - bottoms, 0, None) * scale


def _torso_length(sides: Sides) -> float:
    left, right = sides["left"], sides["right"]
    return norm((left["hip"] + right["hip"] - left["shoulder"] - right["shoulder"]) / 2)


def _torso_down(sides: Sides) -> np.ndarray:
    left, right = sides["left"], sides["right"]
    return unit(left["hip"] + right["hip"] - left["shoulder"] - right["shoulder"])


def _walk(points: list[np.ndarray], distance: float) -> np.ndarray:
    """The point `distance` along a polyline, continuing past either end along the end segment."""
    for index, (start, end) in enumerate(zip(points, points[1:])):
        segment = norm(end - start)
        if distance <= segment or index == len(points) - 2:
            return start + (end - start) / max(segment, 1e-6) * distance
        distance -= segment
    return points[-1]


def _length(points: list[np.ndarray]) -> float:
    return float(sum(norm(b - a) for a, b in zip(points, points[1:])))
