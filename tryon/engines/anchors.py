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
a few points, so they bend with an elbow or a seated knee instead of shearing.
"""

import numpy as np

from tryon.engines.outline import (SIDES, armpits, cross_section, cuff, is_skirt, norm, normal, opening,
                                   sleeve_mask, symmetric, unit)

Pair = tuple[np.ndarray, np.ndarray]  # (body point, garment point)
Part = tuple[np.ndarray, list[Pair]]  # a piece of the garment (bool mask) warped on its own, and its pairs
Sides = dict[str, dict[str, np.ndarray]]

# Fractions of the shoulder-landmark distance.
SHOULDER_OUT, SHOULDER_UP = 0.12, 0.04
NECK_UP = 0.2  # the highest a collar may reach above the shoulder joints
ARMPIT_DOWN, ARMPIT_HALF_WIDTH = 0.42, 0.42  # the torso's side where the arm leaves it
MIN_SLEEVE = 0.1  # a cuff nearer its shoulder than this (share of the shoulder width) is no sleeve
HIP_HALF_WIDTH = 0.85  # the body's half width at the hips, as a share of the hip-landmark distance
TOP_LOOSENESS, DRESS_FLARE = 1.15, 2.5  # how much wider than the body a hem may be
# Fractions of the torso length (shoulder to hip midpoints).
TOP_LENGTH = (1.15, 1.35)  # a top reaches at least a little past the hip joints
DRESS_MIN_LENGTH = 1.1
WAIST_UP = 0.2
# Fractions of the hip-landmark distance, and of the thigh length for the crotch.
WAIST_OUT, CROTCH_DOWN = 0.35, 0.15
SKIRT_HALF_WIDTH = (0.8, 2.5)
FLAT_LAY = 1.4
LEG_FLARE = 0.75  # a trouser leg is at most this share of half the waist wide (half-width)
ARM_HALF, LEG_HALF = 0.12, 0.2  # the widest an arm or leg is taken to be (half, share of the torso length)
LIMB_REACH = 1.04  # a sleeve, leg or dress may run a little past the wrist or ankle landmark
SHORTEST_SLEEVE = 0.3  # share of the torso length: a sleeve reaches at least this far down the arm
SLEEVE_SECTIONS = (0.5, 0.9)  # where along a sleeve its width is laid across the arm
LEG_SECTIONS = (0.2, 0.55, 0.9)  # the same along a trouser leg, below the crotch


def upper_parts(sides: Sides, kp: dict[str, np.ndarray], mask: np.ndarray, person: np.ndarray, *,
                dress: bool) -> list[Part]:
    """The torso, then each sleeve found, each with its own pairs: a spline through them all could
    not fold a sleeve spread out on the floor down to a hanging arm without dragging the torso."""
    kp = symmetric(kp)
    width, down = norm(sides["right"]["shoulder"] - sides["left"]["shoulder"]), _torso_down(sides)
    across = unit(sides["right"]["shoulder"] - sides["left"]["shoulder"])
    tops = {side: sides[side]["shoulder"] + sign * across * SHOULDER_OUT * width - down * SHOULDER_UP * width
            for side, sign in SIDES}
    garment_width = max(norm(kp["right_shoulder"] - kp["left_shoulder"]), 1.0)
    scale = norm(tops["right"] - tops["left"]) / garment_width
    pairs, sleeves, notches = [(_neck(kp, tops, sides, down), kp["neck"])], [], armpits(mask, kp)
    for side, sign in SIDES:
        inward = -sign * across * (0.5 - ARMPIT_HALF_WIDTH) * width
        armpit = sides[side]["shoulder"] + down * ARMPIT_DOWN * width + inward
        joint = [(tops[side], kp[f"{side}_shoulder"]), (armpit, notches[side])]
        pairs += joint
        end = cuff(mask, kp, notches, side)
        if norm(end - kp[f"{side}_shoulder"]) > MIN_SLEEVE * garment_width:
            ribbon = _sleeve_pairs(sides[side], joint, end, (mask, person), scale, _torso_length(sides))
            sleeves.append((sleeve_mask(mask, kp, notches, side, end), joint + ribbon))
    pairs += _top_hem(sides, kp, tops, scale, dress=dress)
    body = mask & ~np.any([sleeve for sleeve, _ in sleeves], axis=0) if sleeves else mask
    return [(body, pairs)] + sleeves


def _sleeve_pairs(limb: dict[str, np.ndarray], joint: list[Pair], end: np.ndarray,
                  masks: tuple[np.ndarray, np.ndarray], scale: float, torso: float) -> list[Pair]:
    """A sleeve laid down the arm as a ribbon, from between its shoulder top and armpit (`joint`)."""
    (top, shoulder), (armpit, notch) = joint
    arm = [(top + armpit) / 2, limb["elbow"], limb["wrist"]]
    return _ribbon(arm, ((shoulder + notch) / 2, end), masks, (scale, scale), shares=SLEEVE_SECTIONS,
                   widest=(norm(shoulder - notch) / 2, ARM_HALF * torso), shortest=SHORTEST_SLEEVE * torso)


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


def lower_parts(sides: Sides, kp: dict[str, np.ndarray], mask: np.ndarray, person: np.ndarray) -> list[Part]:
    """One part: trouser legs bend at the knee smoothly enough for one spline."""
    left, right = sides["left"], sides["right"]
    hips, torso = norm(right["hip"] - left["hip"]), _torso_length(sides)
    across, down = unit(right["hip"] - left["hip"]), _torso_down(sides)
    raise_ = down * WAIST_UP * torso
    waist = {side: sides[side]["hip"] + sign * across * WAIST_OUT * hips - raise_ for side, sign in SIDES}
    scale = norm(waist["right"] - waist["left"]) / max(norm(kp["right_waist"] - kp["left_waist"]), 1.0)
    pairs = [(waist[side], kp[f"{side}_waist"]) for side, _ in SIDES]
    middle = (kp["left_waist"] + kp["right_waist"]) / 2
    if is_skirt(kp):
        axis = [(waist["left"] + waist["right"]) / 2] + [(left[name] + right[name]) / 2 for name in ("knee", "ankle")]
        return [(mask, pairs + _hem_pairs(axis, middle, (kp["left_leg"], kp["right_leg"], kp["crotch"]),
                                          scale * FLAT_LAY, length=(0.0, _length(axis) * LIMB_REACH),
                                          half=tuple(np.multiply(SKIRT_HALF_WIDTH, hips)), across=across))]
    thigh = (norm(left["knee"] - left["hip"]) + norm(right["knee"] - right["hip"])) / 2
    pairs.append(((left["hip"] + right["hip"]) / 2 + down * CROTCH_DOWN * thigh, kp["crotch"]))
    for side, _ in SIDES:
        leg = [sides[side]["hip"] - raise_, sides[side]["knee"], sides[side]["ankle"]]
        top, end = (kp[f"{side}_waist"] + middle) / 2, opening(mask, kp[f"{side}_leg"])
        crotch = float(np.clip((kp["crotch"][1] - top[1]) / max(end[1] - top[1], 1.0), 0, 0.9))
        pairs += _ribbon(leg, (top, end), (mask, person), (scale * FLAT_LAY, scale),
                         shares=tuple(crotch + (1 - crotch) * np.array(LEG_SECTIONS)),
                         widest=(LEG_FLARE * norm(kp[f"{side}_waist"] - middle), LEG_HALF * torso))
    return [(mask, pairs)]


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
            shortest: float = 0.0) -> list[Pair]:
    """A sleeve or trouser leg (garment `axis`, start to end) laid along `limb` at its own length:
    its end, and at each share of its length its centre and both edges across the limb. `masks`
    are the garment's and the person's, `scales` for lengths and widths, and `widest` caps the
    half-widths read off each mask (garment px, body px). An edge never lies inside the limb as
    the person mask shows it, so the new sleeve or leg covers the old one's width. The reach along
    the limb is at least `shortest` (body px)."""
    start, end = axis
    length, along = norm(end - start), unit(end - start)
    reach = min(max(length * scales[0], shortest), _length(limb) * LIMB_REACH)
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
