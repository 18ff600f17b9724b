"""Which pixels of the photo are bare skin or body, for painting out the old garment.

body.py's region for a top takes the torso and whole arms, bare or not, and a bottom's the
whole legs; painting all of that out would erase bare forearms. So the face, when seen, gives a
skin colour (its median chroma and luma, with a tolerance from its own spread, and its own
middle hues: beige cloth is yellower than the person's skin): matching pixels inside the person
are kept, and they are the sources when skin the old garment covered has to be painted back. An
arm whose pieces are mostly skin is bare whole (its highlights and shadows too), so it stays as
photographed. The body's core (chest, neck and a narrow band along each leg) says where such
painting should give skin rather than background; an arm is painted with the skin's look
(SkinLook: colour, grain, the light's side). Old sleeve the region misses (a white cuff the
person mask left out) is found by its colours along the arm (sleeve_ends), and so is the old collar
(and a tie's knot) standing above a new top's neckline (old_collar): the neck inside it is painted
on from the neck seen above it (neck), as wide as the face and that neck say; beside the neck, a
collar standing above the shoulders turns to background.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from tryon.engines.base import PersonAnalysis
from tryon.engines.body import (arm_ends, arm_pieces, head_mask, leg_below, leg_pieces, region_mask, sleeve_zone,
                                 torso_length)
from vision.pose import ANKLES, EARS, EYES, HIPS, KNEES, MOUTH, SHOULDERS, VISIBLE
from vision.regions import LOWER

FACE = EYES + MOUTH  # eyes and mouth corners: the box between them is mostly cheek and nose
MIN_FACE_PIXELS = 50
BARE_ARMS = 0.5  # share of the arms mask that must be skin for the arms to count as bare
# Share of an arm piece's limb (body.arm_pieces) that must be skin for that piece to count as bare,
# all of it (a lit side or a shadow the colour test misses is still the same bare arm); next to a
# bare piece of the same arm the second, lower share will do: skin runs on down a bare arm.
BARE_LIMB = (0.45, 0.2)
SKIN_SPREAD, SKIN_SLACK = 2.0, 3.0  # skin: chroma within this many median deviations (+ slack) of the face's
SKIN_LIGHTNESS = (0.55, 1.5)  # and luma within these shares of the face's: brown cloth is darker
# And its hue (CIELab's angle) within the face's middle half of hues widened by this many degrees:
# a person's skin varies in lightness far more than in hue, and beige or tan cloth is yellower.
HUE_SLACK = 5.0
SKIN_INSET = 0.006  # share of the photo's long side: the person mask's rim, where no skin is believed
SKIN_SPECK = 4  # px at half size: skin pieces narrower than this are specks
NECK = 0.12  # half-width of the neck's core (shoulder midpoint up to the mouth), share of the torso length
BELLY = 0.75  # the chest's skin core ends this share of the way from the shoulders to the hips
# Half-widths of the legs' cores, as shares of the torso length (shoulder to hip midpoints); the
# arms are drawn as limbs (body.arm_limbs) and painted as such (SkinLook).
LIMB_CORES = {**dict.fromkeys(zip(HIPS, KNEES), 0.14), **dict.fromkeys(zip(KNEES, ANKLES), 0.1)}
LAB_UNITS = np.array([100 / 255, 1, 1], np.float32)  # OpenCV's 8-bit Lab to CIELab units (a and b only offset)
# Skin off the face (hands, neck, forearms) gives the skin's look when there is at least this much of
# it, in squared torso lengths (a hand is about 0.02): a lone hand's rim and knuckles are not its grain.
MIN_LOOK_AREA = 0.04
SLEEVE_DELTA = 12.0  # CIE76: a pixel this close to one of the old sleeve's tones continues the sleeve
SLEEVE_WORN = 0.5  # share of an arm bone's replaced pixels in the person that must be cloth for it to be sleeved
SLEEVE_TONES = 3  # the old sleeve's colour is told by this many tones, dark to light
SEAM = 0.015  # share of the torso length: lines this thin between the region and a sleeve's end go with them
# Shares of the torso length: the old bottom's colours are read this far down from the hips, looked for
# this far above a bottom's region (body.region_mask, WAIST_RISE above the hips: a high waistband goes
# higher) and beside it, down to this far below its top (the crotch: wide trousers at the hips).
WAISTBAND_SAMPLE, WAISTBAND_REACH, WAISTBAND_DEPTH = 0.12, 0.15, 0.35
WAISTBAND_TOP = 95  # percentile of the old waistband's heights above the hips taken as its top: a stray pixel is not
GRAIN_SIGMA = 1.0  # px: the skin's grain is its lightness less this blur of it (features are wider)
LIGHT_MAX = 0.7  # the light's sideways share is at most this: a face lit fully from the side is rare
CHIN = 0.8  # the chin lies this many eye-to-mouth lengths below the mouth, along the face
NECK_UNDER_EARS = 0.5  # the neck's top lies this share of the way across from the chin to below the ears
# An old collar lies within this share of the shoulder joints' half distance of the neck's axis: a
# collar and its points spread wider than the neck, but not out to the shoulders.
COLLAR_REACH = 0.8
# Share of the old garment's pixels below the neck that may match the skin's tones: with more, it is a low
# neckline's skin the skin test missed (a chest in shadow), and there is no collar.
BARE_NECKLINE = 0.5
COLLAR_SAMPLE = 0.15  # share of the torso length below the shoulders' midpoint where the old garment's colours are read
NECK_FACE = 0.4  # the neck's half-width, as a share of the distance between the ears (the face's width)
# The neck seen above a collar may be up to this many times as wide as the face's measure says (a head
# turned aside brings the ears closer, not the neck's sides); never narrower: between a collar's points
# the skin seen is narrower than the neck.
NECK_WIDER = 1.3
NECK_EDGE = 0.06  # share of the neck's half-width over which its painted outline fades
JAW_SHADOW = 0.25  # the head's shadow darkens the neck by this share just under the chin


@dataclass
class SkinLook:
    """How the person's visible skin looks: what a repainted arm is painted with."""

    colour: np.ndarray  # its median CIELab (OpenCV's 8-bit scale)
    grain: float  # the spread (robust standard deviation) of its fine lightness texture, Lab L units
    light: float  # the light's sideways share (-1 from the image's left to 1 from its right), read off the face


def bare_skin(photo: np.ndarray, analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: person pixels with the colour of the face's skin. The replaced region takes whole
    arms and legs, bare or not; bare ones are kept rather than painted out (all False with no face).
    The person mask's rim is left out, since it often holds a skin-coloured wall, and so are specks.
    Worked out at half size: a skin edge is feathered anyway."""
    height, width = photo.shape[:2]
    model = _face_skin(photo, analysis)
    if model is None:
        return np.zeros((height, width), bool)
    centre, spread, hues = model
    half = (max(1, width // 2), max(1, height // 2))
    small = cv2.resize(photo, half, interpolation=cv2.INTER_AREA)
    ycc = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    chroma = (np.abs(ycc[..., 1:] - centre[1:]) / spread).max(axis=2) <= 1
    lit = (ycc[..., 0] >= SKIN_LIGHTNESS[0] * centre[0]) & (ycc[..., 0] <= SKIN_LIGHTNESS[1] * centre[0])
    hue = _hue(small)
    tinted = (hue >= hues[0] - HUE_SLACK) & (hue <= hues[1] + HUE_SLACK)
    inset = 2 * max(1, round(SKIN_INSET * max(half))) + 1
    person = cv2.resize(analysis.person_mask.astype(np.uint8), half, interpolation=cv2.INTER_NEAREST)
    inside = cv2.erode(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (inset, inset))) > 0
    skin = cv2.morphologyEx((chroma & lit & tinted & inside).astype(np.uint8), cv2.MORPH_OPEN,
                            np.ones((SKIN_SPECK, SKIN_SPECK), np.uint8))
    return _bare_arms_whole(cv2.resize(skin, (width, height), interpolation=cv2.INTER_NEAREST) > 0, analysis)


def _bare_arms_whole(skin: np.ndarray, analysis: PersonAnalysis) -> np.ndarray:
    """`skin` with each bare piece of an arm (bare_pieces) taken whole: the limb, and the person
    beside it off the torso. A bare arm stays as photographed, sharp, not patched with repainted
    skin where the colour test missed its highlights and shadows. What is not skin there and runs
    on up into a piece above that is not bare is that piece's sleeve (its hem), and stays out."""
    whole, beside = skin.copy(), None
    for pieces in arm_pieces(analysis):
        shares = [float(skin[limb].mean()) if limb.any() else 0.0 for limb, _ in pieces]
        bare = bare_pieces(shares)
        for index, (limb, band) in enumerate(pieces):
            if not bare[index]:
                continue
            beside = sleeve_zone(analysis) if beside is None else beside
            taken = limb | (band & beside)
            if index > 0 and not bare[index - 1]:  # a sleeve above, from the shoulder: its hem stays out
                taken &= ~_touching(taken & ~skin, pieces[index - 1][1])
            whole |= taken
    return whole


def bare_legs(skin: np.ndarray, analysis: PersonAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """For a new bottom or dress: `skin` (bare_skin's) with each bare piece of a leg (body.leg_pieces
    told bare by bare_pieces, down each leg) taken whole, so that a bare leg stays as photographed,
    its knee and shadows too, not patched with painted skin where the colour test missed them; and
    each leg below its highest bare piece, past the ankle (bool H x W): an old bottom runs down the
    leg from the waist, so below bare skin lies a boot or a sock, never the old bottom."""
    whole, below = skin.copy(), np.zeros(skin.shape, bool)
    pieces = leg_pieces(analysis)
    per_leg = len(pieces) // 2
    for leg in range(2):
        own = pieces[leg * per_leg:(leg + 1) * per_leg]
        bare = bare_pieces([float(skin[piece].mean()) if piece.any() else 0.0 for piece in own])
        for piece in (piece for piece, is_bare in zip(own, bare) if is_bare):
            whole |= piece
        if any(bare):
            below |= leg_below(analysis, leg, 2 * (bare.index(True) + 1) / per_leg)
    return whole, below


def bare_pieces(shares: list[float]) -> list[bool]:
    """Which pieces of an arm (their skin shares, shoulder to cuff) are bare: those with BARE_LIMB[0]
    of skin, and, spreading along the arm from them, neighbours with BARE_LIMB[1]."""
    bare = [share >= BARE_LIMB[0] for share in shares]
    changed = True
    while changed:
        changed = False
        for index, share in enumerate(shares):
            near = any(bare[j] for j in (index - 1, index + 1) if 0 <= j < len(shares))
            if not bare[index] and near and share >= BARE_LIMB[1]:
                bare[index] = changed = True
    return bare


def _face_skin(photo: np.ndarray, analysis: PersonAnalysis) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The face's median YCrCb, the chroma distance that still counts as skin, and the face's
    middle half of hues (CIELab angle, degrees: its 25th and 75th percentiles); None when the face
    is not seen (or too small to sample)."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[list(FACE)]
    if not (points[:, 2] > VISIBLE).all():
        return None
    (x0, y0), (x1, y1) = points[:, :2].min(axis=0).astype(int), np.ceil(points[:, :2].max(axis=0)).astype(int)
    patch = photo[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1]
    if patch.shape[0] * patch.shape[1] < MIN_FACE_PIXELS:
        return None
    face = cv2.cvtColor(patch, cv2.COLOR_RGB2YCrCb).reshape(-1, 3).astype(np.float32)
    centre = np.median(face, axis=0)
    return (centre, SKIN_SPREAD * np.median(np.abs(face - centre), axis=0)[1:] + SKIN_SLACK,
            np.percentile(_hue(patch), (25, 75)))


def _hue(rgb: np.ndarray) -> np.ndarray:
    """CIELab hue angle in degrees (-180 to 180; skin lies near 50-70)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    return np.degrees(np.arctan2(lab[..., 2] - 128, lab[..., 1] - 128))


def sleeve_ends(photo: np.ndarray, analysis: PersonAnalysis, region: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Bool H x W: old sleeve the replaced `region` misses around the arms (body.arm_ends): where the
    person mask left it out (a white cuff on a white backdrop) or the region's band is too narrow
    (a shoulder's seam, a bent elbow): the pixels there of the old sleeve's colours (its tones in
    the region's sleeve around that bone, in the person, bare `skin` left out, within SLEEVE_DELTA)
    that touch the region, the trousers left out. A top replaces them with the rest of the sleeve.
    A bone that is mostly bare has no sleeve to go on with."""
    found, zone, sleeves = np.zeros_like(region), np.zeros_like(region), sleeve_zone(analysis)
    # Free to take: neither replaced already, nor bare skin, nor the trousers beside a hand.
    free = ~region & ~skin & ~(region_mask(analysis, LOWER) & analysis.person_mask)
    for upper, forearm, sleeve_band in arm_ends(analysis):
        # Off the person only along the forearm, as wide as a sleeve: the cuff the mask misses. Further
        # off, a backdrop of the sleeve's colour would be taken for sleeve.
        for ends, reach in ((upper, analysis.person_mask), (forearm, analysis.person_mask | sleeve_band)):
            worn = ends & region & analysis.person_mask & sleeves  # the sleeve itself, not the torso below it
            sleeve = worn & ~skin
            if sleeve.sum() < max(SLEEVE_TONES, SLEEVE_WORN * worn.sum()):
                continue
            ys, xs = np.nonzero(ends)  # colours are compared only around the bone: a small share of the photo
            box = slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)
            lab = _lab(photo[box])
            found[box] |= ends[box] & reach[box] & free[box] & _alike(lab, lab[sleeve[box]])
            zone |= ends
    if not found.any():
        return found
    ys, xs = np.nonzero(zone)  # all that follows is within the zone (and a pixel around it)
    box = slice(max(ys.min() - 1, 0), ys.max() + 2), slice(max(xs.min() - 1, 0), xs.max() + 2)
    taken = (region[box] | _touching(found[box], region[box])).astype(np.uint8)
    # The sleeve's seams and its outline's shading are not of its colour, and would stay as lines.
    closed = cv2.morphologyEx(taken, cv2.MORPH_CLOSE, _disc(SEAM * torso_length(analysis)))
    ends = np.zeros_like(region)
    ends[box] = closed.astype(bool) & zone[box] & free[box]
    return ends


def _lab(photo: np.ndarray) -> np.ndarray:
    """Float H x W x 3: `photo` (uint8 RGB) in CIELab units."""
    return cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32) * LAB_UNITS


def _alike(lab: np.ndarray, worn: np.ndarray, skin: np.ndarray | None = None) -> np.ndarray:
    """Bool, one per colour of `lab` (Lab, ... x 3): within SLEEVE_DELTA of one of the tones
    (_palette) of the `worn` colours (N x 3): the old garment's, a check's or a stripe's threads
    each. With `skin` colours to compare with, only those whose colour (CIELab's a and b: light and
    shade change the lightness, not the colour) is nearer the garment's tones than the skin's: pale
    skin lies within SLEEVE_DELTA of a white collar, and a lit white collar of pale skin, yet each
    has its own hue."""
    palette = _palette(worn)
    alike = _distance(lab, palette) < SLEEVE_DELTA ** 2
    if skin is not None and len(skin) >= SLEEVE_TONES:
        alike &= _distance(lab[..., 1:], palette[:, 1:]) < _distance(lab[..., 1:], _palette(skin)[:, 1:])
    return alike


def old_waistband(photo: np.ndarray, analysis: PersonAnalysis, region: np.ndarray,
                  skin: np.ndarray) -> tuple[np.ndarray, float]:
    """Old bottom around the top of a bottom's replaced `region` that the region misses, and how far
    above the hips it reaches (share of the torso length; 0 when none is found above). The region
    is drawn from the joints: high-waisted trousers or a skirt reach above its top, and wide ones
    past its sides at the hips. Within WAISTBAND_REACH above the region and beside it down to the
    crotch (WAISTBAND_DEPTH), the pixels in the person, not bare skin, of the old bottom's colours
    (its tones between the hip joints, WAISTBAND_SAMPLE below the hips) that touch the region;
    above it each column is then taken whole from the highest of them down (a button, a belt loop
    or a label is not of the denim's colours). Left, the old waistband shows around the new one."""
    none = np.zeros_like(region), 0.0
    unit = torso_length(analysis)
    worn = region & analysis.person_mask & ~skin
    rows = np.flatnonzero(worn.any(axis=1))
    if len(rows) < SLEEVE_TONES:
        return none
    top, reach = rows[0], max(1, round(WAISTBAND_REACH * unit))
    box = slice(max(top - reach, 0), top + round(WAISTBAND_DEPTH * unit)), slice(None)
    colours = _lab(photo[box])
    points = np.asarray(analysis.landmarks, dtype=np.float64)[:, :2]
    hips, shoulders = points[list(HIPS)].mean(axis=0), points[list(SHOULDERS)].mean(axis=0)
    up = (shoulders - hips) / max(float(np.linalg.norm(shoulders - hips)), 1e-6)
    xs, ys = np.arange(photo.shape[1])[None, :] - hips[0], np.arange(box[0].start, box[0].stop)[:, None] - hips[1]
    height, side = xs * up[0] + ys * up[1], np.abs(xs * up[1] - ys * up[0])
    # The old bottom's colours are read between the hip joints, from the hips down WAISTBAND_SAMPLE: the
    # front of the old bottom, which an open jacket or an untucked top hanging at the sides does not reach.
    hip_half = float(np.linalg.norm(points[HIPS[0]] - points[HIPS[1]])) / 2
    sampled = worn[box] & (height <= 0) & (height >= -WAISTBAND_SAMPLE * unit) & (side <= hip_half)
    if sampled.sum() < SLEEVE_TONES:
        return none
    free = ~region[box] & analysis.person_mask[box] & ~skin[box]
    above = np.arange(colours.shape[0])[:, None] < top - box[0].start
    # Grown up only above the region's top, sideways only beside it: never down onto the legs.
    upward, sideways = np.zeros((2 * reach + 1, 1), np.uint8), np.ones((1, 2 * reach + 1), np.uint8)
    upward[reach:] = 1
    seed = region[box].astype(np.uint8)
    near = np.where(above, cv2.dilate(seed, upward), cv2.dilate(seed, sideways)) > 0
    found = _touching(free & near & _alike(colours, colours[sampled]), region[box])
    if not found.any():
        return none
    highest = np.where((found & above).any(axis=0), (found & above).argmax(axis=0), found.shape[0])
    raised = free & above & near & (np.arange(found.shape[0])[:, None] >= highest)
    band = np.zeros_like(region)
    band[box] = raised | found
    if not raised.any():
        return band, 0.0
    return band, float(np.percentile(height[raised], WAISTBAND_TOP)) / unit


def _palette(colours: np.ndarray) -> np.ndarray:
    """SLEEVE_TONES colours (N x 3 Lab): the medians of `colours` split by lightness into as many
    equal shares; a check or a stripe has its dark and light threads, and a plain sleeve its folds."""
    order = np.argsort(colours[:, 0])
    return np.array([np.median(colours[part], axis=0) for part in np.array_split(order, SLEEVE_TONES)])


def _distance(lab: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """Float, one per colour of `lab` (... x 3): its squared CIE76 distance to the nearest of `palette`."""
    return np.min([np.square(lab - colour).sum(axis=-1) for colour in palette], axis=0)


@dataclass
class NeckFrame:
    """Coordinates around the neck's axis, from the chin down to the shoulders' midpoint, over `box`."""

    box: tuple[slice, slice]
    along: np.ndarray  # float, px below the chin along the axis
    side: np.ndarray  # float, px across the axis, + towards the image's right
    mouth: float  # px along the axis where the mouth is (negative: above the chin)
    length: float  # px from the chin to the shoulders' midpoint
    reach: float  # px across the axis an old collar may lie (COLLAR_REACH)
    half: float  # px, the neck's half-width as the face gives it (NECK_FACE), or the torso (NECK)

    def span(self, top: float) -> np.ndarray:
        """Bool over `box`: from `top` (px along the axis) down to the shoulders' midpoint."""
        return (self.along >= top) & (self.along <= self.length)


@dataclass
class Neck:
    """The neck inside an old collar, painted on from the neck seen above it."""

    cover: np.ndarray  # float H x W: the neck's column, mouth to shoulders' midpoint (0 without an old collar)
    seen: np.ndarray  # bool H x W: the column's skin above the collar (neck or chin), which the painting continues
    beside: np.ndarray  # bool H x W: the collar beside the neck, in front of what is behind the person
    shadow: np.ndarray  # float H x W: the head's shadow on the neck (1 none), deepest at the chin


def neck_frame(analysis: PersonAnalysis) -> NeckFrame | None:
    """The neck's frame (the neck's top from the eyes and mouth, CHIN, moved NECK_UNDER_EARS across
    towards the ears for a head turned aside), over the box that holds an old collar
    and the old garment COLLAR_SAMPLE below it; None when the face or a shoulder is not seen."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)
    if not (points[list(EYES + MOUTH + SHOULDERS), 2] > VISIBLE).all():
        return None
    eyes, mouth = points[list(EYES), :2].mean(axis=0), points[list(MOUTH), :2].mean(axis=0)
    shoulders, ears = points[list(SHOULDERS), :2], points[list(EARS)]
    chin = mouth + CHIN * (mouth - eyes)
    if (ears[:, 2] > VISIBLE).all():  # a head turned aside has its neck behind the chin, towards the ears
        face_down = (mouth - eyes) / max(float(np.linalg.norm(mouth - eyes)), 1e-6)
        turn = ears[:, :2].mean(axis=0) - mouth
        chin = chin + NECK_UNDER_EARS * (turn - (turn @ face_down) * face_down)
    length = float(np.linalg.norm(shoulders.mean(axis=0) - chin))
    if length < 1 or (shoulders.mean(axis=0) - chin)[1] <= 0:  # a chin below the shoulders: no neck to read
        return None
    down = (shoulders.mean(axis=0) - chin) / length
    across = np.array([down[1], -down[0]])
    reach = COLLAR_REACH * float(np.linalg.norm(shoulders[0] - shoulders[1])) / 2
    bottom = chin + (length + COLLAR_SAMPLE * torso_length(analysis)) * down
    corners = np.array([end + sign * reach * across for end in (mouth, bottom) for sign in (1, -1)])
    (x0, y0), (x1, y1) = np.floor(corners.min(axis=0)).astype(int), np.ceil(corners.max(axis=0)).astype(int)
    box = (slice(max(y0, 0), max(min(y1 + 1, analysis.height), 1)),
           slice(max(x0, 0), max(min(x1 + 1, analysis.width), 1)))
    ys, xs = np.mgrid[box].astype(np.float32)
    along = (xs - chin[0]) * down[0] + (ys - chin[1]) * down[1]
    side = (xs - chin[0]) * across[0] + (ys - chin[1]) * across[1]
    face = NECK_FACE * float(np.linalg.norm(ears[0, :2] - ears[1, :2])) if (ears[:, 2] > VISIBLE).all() else 0.0
    half = face if face >= 1 else NECK * torso_length(analysis)  # ears unseen, or one behind the other
    return NeckFrame(box=box, along=along, side=side, mouth=float((mouth - chin) @ down), length=length,
                     reach=reach, half=half)


def old_collar(photo: np.ndarray, analysis: PersonAnalysis, region: np.ndarray, skin: np.ndarray,
               covered: np.ndarray) -> np.ndarray:
    """Bool H x W: the old garment standing above the new one at the neck (a collar, a tie's knot),
    which the region (its neckline dips to the shoulder joints) leaves: between the mouth and the
    shoulders' midpoint, within the collar's reach of the neck's axis, in the person, neither bare
    `skin` nor `covered` by the new garment, the pixels of the old garment's colours (its tones in
    the region just below the neck) that touch the region or the new garment, closed over its
    seams and shadows."""
    collar, frame = np.zeros_like(region), neck_frame(analysis)
    if frame is None:
        return collar
    box, near = frame.box, np.abs(frame.side) <= frame.reach
    # Bare skin is found at half size: its edge may hold a pixel or two of collar, which the tones tell apart.
    zone = near & frame.span(frame.mouth) & analysis.person_mask[box] & ~covered[box]
    worn = near & (frame.along > frame.length) & region[box] & analysis.person_mask[box] & ~skin[box]
    if worn.sum() < SLEEVE_TONES or not zone.any():
        return collar
    lab, bare = _lab(photo[box]), skin[box] & analysis.person_mask[box]
    if bare.sum() >= SLEEVE_TONES and (_distance(lab[worn], _palette(lab[bare])) < SLEEVE_DELTA ** 2).mean() \
            > BARE_NECKLINE:
        return collar  # the old garment below the neck is mostly skin: a low neckline, no collar
    # Below the new garment's edge the collar runs on into the old garment: it touches the region there.
    below = region[box] | covered[box]
    seam = SEAM * torso_length(analysis)
    alike = np.zeros(zone.shape, np.uint8)
    alike[zone] = _alike(lab[zone], lab[worn], lab[bare])  # only the zone's colours: a share of the box
    if not alike.any():
        return collar
    # The collar's seams and shadows, and the line where it folds, are not of its colours: bridged first
    # (within a seam of its colours: the closing must not fill the corners between the neck and the region).
    closed = cv2.morphologyEx(alike | below, cv2.MORPH_CLOSE, _disc(seam)).astype(bool)
    closed = _touching(closed & zone & cv2.dilate(alike, _disc(seam)).astype(bool), below)
    # Its rim, blended with the skin or backdrop beside it, and the shadow it casts on the neck are not
    # of its colours either: a seam's width.
    collar[box] = cv2.dilate(closed.astype(np.uint8), _disc(seam)).astype(bool) & zone
    return collar


def _disc(radius: float) -> np.ndarray:
    """An elliptic structuring element of `radius` px (at least one)."""
    side = 2 * max(1, round(radius)) + 1
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))


def neck(analysis: PersonAnalysis, collar: np.ndarray) -> Neck:
    """The neck inside an old `collar`: a column along the neck's axis from the mouth down to the
    shoulders' midpoint, where and as wide as the neck is seen above the collar (the median of the
    rows where the person less the collar is cut off on both sides within the collar's reach), but
    as wide as the face's measure (NeckFrame.half) at least and NECK_WIDER times it at most; the
    column's skin above the collar;
    the head's shadow, JAW_SHADOW deep at the chin and fading over the neck's half-width; the
    collar beside the column, which turns to what is behind the person. No cover without an old
    collar or a neck frame."""
    empty = np.zeros(collar.shape, np.float32)
    frame = neck_frame(analysis)
    if frame is None or not collar.any():
        return Neck(cover=empty, seen=np.zeros_like(collar), beside=np.zeros_like(collar), shadow=empty + 1)
    box = frame.box
    under = np.maximum.accumulate(collar[box], axis=0)  # the collar and all below it, column by column
    bare = analysis.person_mask[box] & ~under & (np.abs(frame.side) < frame.reach) & frame.span(0.0)
    runs = np.array([run for row in range(bare.shape[0])
                     if (run := _run_through(bare[row], frame.side[row], frame.reach)) is not None]).reshape(-1, 2)
    half = float(np.clip(np.median(runs[:, 1] - runs[:, 0]) / 2 if len(runs) else frame.half,
                         frame.half, NECK_WIDER * frame.half))
    # The neck seen above the collar says where across the axis the neck runs on (a head turned or
    # tilted moves the chin off it), by as much as half its width.
    middle = float(np.clip(np.median(runs.mean(axis=1)), -half / 2, half / 2)) if len(runs) else 0.0
    column = frame.span(frame.mouth)
    cover, shadow, seen = empty.copy(), empty + 1, np.zeros_like(collar)
    # Soft over NECK_EDGE of its half-width at its sides, as a photographed neck's outline is.
    edge = max(1.0, NECK_EDGE * half)
    cover[box] = np.where(column, np.clip((half - np.abs(frame.side - middle)) / edge + 0.5, 0, 1), 0)
    seen[box] = (cover[box] >= 1) & analysis.person_mask[box] & ~under
    # Soft, rising over a quarter of that above the chin's line, which is only estimated: a step there
    # would be a seam on a neck seen below it.
    reach = np.where(frame.along > 0, half, half / 4)
    shadow[box] = 1 - JAW_SHADOW * np.exp(-np.square(frame.along / reach))
    return Neck(cover=cover, seen=seen, beside=collar & (cover < 0.5), shadow=shadow)


def _run_through(row: np.ndarray, side: np.ndarray, reach: float) -> tuple[float, float] | None:
    """Where (`side` at its first and last pixel) the run of `row` through the pixel where `side`
    crosses zero lies, when it ends on both sides less than `reach` across; None when that pixel
    is off, or the run is not so bounded."""
    centre = int(np.argmin(np.abs(side)))
    if not row[centre] or abs(side[centre]) > 1:
        return None
    gaps = np.flatnonzero(~row)
    left, right = gaps[gaps < centre], gaps[gaps > centre]
    if not len(left) or not len(right) or max(abs(side[left[-1]]), abs(side[right[0]])) >= reach - 1:
        return None  # the run reaches the row's end or the collar's reach: not a neck between two edges
    return float(side[left[-1] + 1]), float(side[right[0] - 1])


def _touching(mask: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """The connected pieces of `mask` that touch `seed` (8-connected, seed grown by a pixel)."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    near = cv2.dilate(seed.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    kept = np.zeros(count, bool)
    kept[np.unique(labels[near & mask])] = True
    kept[0] = False
    return kept[labels]


def skin_look(photo: np.ndarray, skin: np.ndarray, analysis: PersonAnalysis) -> SkinLook | None:
    """The look of the person's visible skin (`skin`, bare_skin's mask): colour and grain from the skin
    off the face (hands, forearms, neck: closer to an arm than a face with its make-up, beard and
    glasses) when there is enough of it, else from all of it; the light's side from the face's
    lightness across it. None without skin."""
    inner = cv2.erode(skin.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if not inner.any():
        return None
    head = head_mask(analysis)
    body = inner & ~head
    sample = body if body.sum() >= MIN_LOOK_AREA * torso_length(analysis) ** 2 else inner
    ys, xs = np.nonzero(inner)  # only the skin's box is read: a fraction of the photo
    box = slice(ys.min(), ys.max() + 1), slice(xs.min(), xs.max() + 1)
    lab = cv2.cvtColor(photo[box], cv2.COLOR_RGB2LAB).astype(np.float32)
    return SkinLook(colour=np.median(lab[sample[box]], axis=0), grain=grain_of(lab[..., 0], sample[box]),
                    light=_light_side(lab[..., 0], (inner & head)[box]))


def grain_of(lightness: np.ndarray, where: np.ndarray) -> float:
    """The robust spread of `lightness` less its GRAIN_SIGMA blur, over `where`: its fine texture."""
    fine = lightness - cv2.GaussianBlur(lightness, (0, 0), GRAIN_SIGMA)
    return 1.4826 * float(np.median(np.abs(fine[where])))


def _light_side(lightness: np.ndarray, face: np.ndarray) -> float:
    """The light's sideways share from the face's skin: the slope of its lightness across its width,
    per half-width, over its mean. On a lit sphere that is the light's sideways share, near enough."""
    ys, xs = np.nonzero(face)
    if len(xs) < MIN_FACE_PIXELS or xs.max() == xs.min():
        return 0.0
    values = lightness[ys, xs]
    across = (xs - xs.mean()) / ((xs.max() - xs.min()) / 2)
    slope = float(np.dot(across, values - values.mean()) / max(float(np.dot(across, across)), 1e-6))
    return float(np.clip(slope / max(float(values.mean()), 1.0), -LIGHT_MAX, LIGHT_MAX))


def kept_in_front(arms: np.ndarray, skin: np.ndarray, *, sleeved: bool) -> np.ndarray:
    """Bool H x W: the arm pixels that stay over the new garment. The arms mask is a band around each
    forearm, which takes in old garment beside a thin arm; when the arms are mostly bare, their
    skin (grown by a pixel for its soft edge) is what stays. A new top or dress (`sleeved`)
    replaces the old sleeves too, so over it only the bare skin of the arms ever stays."""
    bare = arms & cv2.dilate(skin.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return bare if sleeved or bare.sum() >= BARE_ARMS * max(int(arms.sum()), 1) else arms


def body_core(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: where bare skin surely lies under the clothes: the chest (shoulder joints down to
    BELLY of the way to the hips; lower down a shorter top would bare a waistband, not skin), the
    neck and a narrow core along each leg (arms: body.arm_limbs). Old garment left uncovered there
    turns to skin; elsewhere (beside a slimmer new garment) to what surrounds it."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[:, :2]
    shoulders, hips = points[list(SHOULDERS)], points[list(HIPS)]
    torso = torso_length(analysis)
    chest = np.vstack([shoulders, (shoulders + BELLY * (hips - shoulders))[::-1]])
    canvas = np.zeros((analysis.height, analysis.width), np.uint8)
    cv2.fillConvexPoly(canvas, chest.round().astype(np.int32), 1)
    mouth = points[list(MOUTH)].mean(axis=0)
    neck = shoulders.mean(axis=0)
    cv2.line(canvas, tuple(int(v) for v in neck.round()), tuple(int(v) for v in mouth.round()), 1,
             thickness=max(1, round(2 * NECK * torso)))
    for (start, end), radius in LIMB_CORES.items():
        cv2.line(canvas, tuple(int(v) for v in points[start].round()), tuple(int(v) for v in points[end].round()),
                 1, thickness=max(1, round(2 * radius * torso)))
    return canvas.astype(bool) & analysis.person_mask
