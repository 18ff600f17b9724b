"""Which pixels of the photo are bare skin or body, for painting out the old garment.

body.py's region for a top takes the torso and whole arms, bare or not, and a bottom's the
whole legs; painting all of that out would erase bare forearms. So the face, when seen, gives a
skin colour (its median chroma and luma, with a tolerance from its own spread): matching pixels
inside the person are kept, and they are the sources when a limb the old garment covered has to be
painted back. The body's core (chest and a narrow band along each limb) says where such painting
should give skin rather than background.
"""

import cv2
import numpy as np

from tryon.engines.base import PersonAnalysis
from tryon.engines.body import CUFF_REACH
from vision.pose import ANKLES, ELBOWS, EYES, HANDS, HIPS, KNEES, MOUTH, SHOULDERS, VISIBLE, WRISTS

FACE = EYES + MOUTH  # eyes and mouth corners: the box between them is mostly cheek and nose
MIN_FACE_PIXELS = 50
BARE_ARMS = 0.5  # share of the arms mask that must be skin for the arms to count as bare
SKIN_SPREAD, SKIN_SLACK = 2.0, 3.0  # skin: chroma within this many median deviations (+ slack) of the face's
SKIN_LIGHTNESS = (0.55, 1.5)  # and luma within these shares of the face's: brown cloth is darker
SKIN_INSET = 0.006  # share of the photo's long side: the person mask's rim, where no skin is believed
SKIN_SPECK = 4  # px at half size: skin pieces narrower than this are specks
NECK = 0.12  # half-width of the neck's core (shoulder midpoint up to the mouth), share of the torso length
BELLY = 0.75  # the chest's skin core ends this share of the way from the shoulders to the hips
# Half-widths of the limbs' cores, as shares of the torso length (shoulder to hip midpoints).
LIMB_CORES = {**dict.fromkeys(zip(SHOULDERS, ELBOWS), 0.11), **dict.fromkeys(zip(ELBOWS, WRISTS), 0.09),
              **dict.fromkeys(zip(HIPS, KNEES), 0.14), **dict.fromkeys(zip(KNEES, ANKLES), 0.1)}


def bare_skin(photo: np.ndarray, analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: person pixels with the colour of the face's skin. The replaced region takes whole
    arms and legs, bare or not; bare ones are kept rather than painted out (all False with no face).
    The person mask's rim is left out, since it often holds a skin-coloured wall, and so are specks.
    Worked out at half size: a skin edge is feathered anyway."""
    height, width = photo.shape[:2]
    model = _face_skin(photo, analysis)
    if model is None:
        return np.zeros((height, width), bool)
    centre, spread = model
    half = (max(1, width // 2), max(1, height // 2))
    ycc = cv2.cvtColor(cv2.resize(photo, half, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2YCrCb).astype(np.float32)
    chroma = (np.abs(ycc[..., 1:] - centre[1:]) / spread).max(axis=2) <= 1
    lit = (ycc[..., 0] >= SKIN_LIGHTNESS[0] * centre[0]) & (ycc[..., 0] <= SKIN_LIGHTNESS[1] * centre[0])
    inset = 2 * max(1, round(SKIN_INSET * max(half))) + 1
    person = cv2.resize(analysis.person_mask.astype(np.uint8), half, interpolation=cv2.INTER_NEAREST)
    inside = cv2.erode(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (inset, inset))) > 0
    skin = cv2.morphologyEx((chroma & lit & inside).astype(np.uint8), cv2.MORPH_OPEN,
                            np.ones((SKIN_SPECK, SKIN_SPECK), np.uint8))
    return cv2.resize(skin, (width, height), interpolation=cv2.INTER_NEAREST) > 0


def _face_skin(photo: np.ndarray, analysis: PersonAnalysis) -> tuple[np.ndarray, np.ndarray] | None:
    """The face's median YCrCb and the chroma distance that still counts as skin; None when the
    face is not seen (or too small to sample)."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[list(FACE)]
    if not (points[:, 2] > VISIBLE).all():
        return None
    (x0, y0), (x1, y1) = points[:, :2].min(axis=0).astype(int), np.ceil(points[:, :2].max(axis=0)).astype(int)
    patch = cv2.cvtColor(photo[max(y0, 0):y1 + 1, max(x0, 0):x1 + 1], cv2.COLOR_RGB2YCrCb).reshape(-1, 3)
    if len(patch) < MIN_FACE_PIXELS:
        return None
    face = patch.astype(np.float32)
    centre = np.median(face, axis=0)
    return centre, SKIN_SPREAD * np.median(np.abs(face - centre), axis=0)[1:] + SKIN_SLACK


def kept_in_front(arms: np.ndarray, skin: np.ndarray, *, sleeved: bool) -> np.ndarray:
    """Bool H x W: the arm pixels that stay over the new garment. The arms mask is a band around each
    forearm, which takes in old garment beside a thin arm; when the arms are mostly bare, their
    skin (grown by a pixel for its soft edge) is what stays. A new top or dress (`sleeved`)
    replaces the old sleeves too, so over it only the bare skin of the arms ever stays."""
    bare = arms & cv2.dilate(skin.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return bare if sleeved or bare.sum() >= BARE_ARMS * max(int(arms.sum()), 1) else arms


def body_core(analysis: PersonAnalysis) -> np.ndarray:
    """Bool H x W: where bare skin surely lies under the clothes: the chest (shoulder joints down to
    BELLY of the way to the hips; lower down a shorter top would bare a waistband, not skin) and a
    narrow core along each limb. Old garment left uncovered there turns to skin; elsewhere (beside
    a slimmer new garment) to what surrounds it."""
    points = np.asarray(analysis.landmarks, dtype=np.float64)[:, :2]
    shoulders, hips = points[list(SHOULDERS)], points[list(HIPS)]
    torso = float(np.hypot(*(shoulders.mean(axis=0) - hips.mean(axis=0))))
    chest = np.vstack([shoulders, (shoulders + BELLY * (hips - shoulders))[::-1]])
    canvas = np.zeros((analysis.height, analysis.width), np.uint8)
    cv2.fillConvexPoly(canvas, chest.round().astype(np.int32), 1)
    mouth = points[list(MOUTH)].mean(axis=0)
    neck = shoulders.mean(axis=0)
    cv2.line(canvas, tuple(int(v) for v in neck.round()), tuple(int(v) for v in mouth.round()), 1,
             thickness=max(1, round(2 * NECK * torso)))
    ends = {wrist: points[wrist] + CUFF_REACH * (points[list(hand)].mean(axis=0) - points[wrist])
            for wrist, hand in zip(WRISTS, HANDS)}  # past the wrist, under an old cuff (body.py)
    for (start, end), radius in LIMB_CORES.items():
        stop = ends.get(end, points[end])
        cv2.line(canvas, tuple(int(v) for v in points[start].round()), tuple(int(v) for v in stop.round()), 1,
                 thickness=max(1, round(2 * radius * torso)))
    return canvas.astype(bool) & analysis.person_mask
