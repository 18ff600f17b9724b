"""The garment's shape on the body: lengths from the garment's own proportions (shorts end above
the knee, a knee-length dress near the knees), a skirt's hem curved as its own, and short sleeves
found, on the drawn figure of test_warp_engine.py. The figure's hips are at y 220, its knees at
y 300, its ankles at y 380."""

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.product_shots import BACKDROPS, CHECKED, TRAIN, cutout, shot
from tests.tryon.engines.test_keypoints import FLARED_TEE, drawn
from tests.tryon.engines.test_warp_engine import JOINTS, _analysis, _figure
from tests.tryon.engines.test_warp_parts import _drawn
from tryon.engines.anchors import Ends
from tryon.engines.base import GarmentInput
from tryon.engines.keypoints import garment_keypoints
from tryon.engines.outline_fit import fitted_outline
from tryon.engines.warp import garment_fit, garment_parts
from vision.garment import garment_cutout

KNEE_Y = 300
# Shorts: waist 80 px wide, crotch 50 px down, inseam 30 px (a short leg for its waist).
SHORTS = [(60, 20), (140, 20), (150, 100), (108, 100), (100, 70), (92, 100), (50, 100)]
# Full-length trousers with a low-cut crotch: a short inseam, but an outseam over twice the waist.
LOW_CROTCH_TROUSERS = [(60, 20), (140, 20), (150, 200), (108, 200), (100, 150), (92, 200), (50, 200)]
# A sleeveless dress twice as long (shoulders to hem) as its shoulders are wide: it ends near the knees.
KNEE_DRESS = [(70, 20), (90, 20), (100, 28), (110, 20), (130, 20), (128, 60), (145, 140), (55, 140), (72, 60)]
# The same length, hanging straight down from the waist: a pencil dress.
PENCIL_DRESS = [(70, 20), (90, 20), (100, 28), (110, 20), (130, 20), (128, 60), (130, 140), (70, 140), (72, 60)]
SPINE_X, HIP_HALF = 150, 42  # the figure's spine column, and the half-width of its hips
# A flared skirt with a straight hem, and the same with its hem curving up to its sides.
STRAIGHT_SKIRT = [(70, 40), (130, 40), (155, 150), (45, 150)]
CURVED_SKIRT = [(70, 40), (130, 40), (155, 125), (130, 142), (100, 150), (70, 142), (45, 125)]
UPPER_ARMS = [(101, 125), (199, 125)]  # a little below each shoulder joint, on the arm's bones


def _covered(garment) -> np.ndarray:
    image, masks = _figure()
    return garment_fit(photo=image, analysis=_analysis(masks), garment=garment).garment_alpha > 0.5


def _leg_rows(covered: np.ndarray, top: int, bottom: int) -> np.ndarray:
    """Whether each row from `top` to `bottom` holds the garment on the figure's legs."""
    return covered[top:bottom, 110:190].any(axis=1)


def test_shorts_end_above_the_knee_however_far_the_spline_stretches_them():
    covered = _covered(_drawn(SHORTS, region="lower"))
    assert _leg_rows(covered, 225, 260).all()  # the thighs
    assert not _leg_rows(covered, KNEE_Y, 380).any()


def test_full_length_trousers_reach_the_ankles_whatever_their_inseam():
    covered = _covered(_drawn(LOW_CROTCH_TROUSERS, region="lower"))
    assert _leg_rows(covered, 225, 370).all()


def test_a_knee_length_dress_ends_near_the_knees():
    covered = _covered(_drawn(KNEE_DRESS, region="full"))
    assert _leg_rows(covered, 225, KNEE_Y - 20).all()
    assert not _leg_rows(covered, KNEE_Y + 25, 380).any()


def test_a_pencil_dress_hangs_straight_from_the_hips_not_as_wide_as_the_shoulders():
    pencil, flared = _covered(_drawn(PENCIL_DRESS, region="full")), _covered(_drawn(KNEE_DRESS, region="full"))
    columns = np.flatnonzero(pencil[KNEE_Y - 10])
    assert np.abs(columns - SPINE_X).max() < 1.35 * HIP_HALF
    assert flared[KNEE_Y - 10].sum() > pencil[KNEE_Y - 10].sum()


def test_short_sleeves_barely_clear_of_the_body_cover_both_upper_arms():
    mask = drawn(*FLARED_TEE)
    image = np.full((*mask.shape, 3), 245, np.uint8)
    image[mask] = (215, 30, 35)
    tee = GarmentInput(image=Image.fromarray(image), mask=mask, region="upper",
                       keypoints=garment_keypoints(mask, "upper"))
    covered = _covered(tee)
    for x, y in UPPER_ARMS:
        assert covered[y - 3:y + 4, x - 3:x + 4].all(), (x, y)


@pytest.mark.skipif(not TRAIN.is_dir(), reason=f"no shared data at {TRAIN}")
def test_a_product_shot_tee_with_barely_clear_sleeves_gets_both_sleeves_on_the_body():
    """The made product shot of the grey tee: its sleeves are key points well out on their hems,
    while their farthest reach lies up by the shoulders (a short sleeve laid flat)."""
    name = next(name for name, words in CHECKED if words == "grey tee, logo")
    photo, _ = shot(*cutout(name), BACKDROPS["light-grey"], False)
    cut = garment_cutout(photo, region="upper")
    tee = GarmentInput(image=photo, mask=cut.mask, region="upper", keypoints=garment_keypoints(cut.mask, "upper"))
    image, masks = _figure()
    parts, ends = garment_parts(analysis=_analysis(masks), garment=tee)
    assert len(parts) == 3 and len(ends.limbs) == 2  # the body, then each sleeve


def test_a_sleeve_outline_stops_where_its_warped_texture_does():
    """The garment's proportions put the cuff at the wrist, but the spline laid the sleeve's
    texture only down to the elbow: past it the outline would hold a smear, so it stops there."""
    image, masks = _figure()
    analysis = _analysis(masks)
    shoulder, elbow, wrist = (np.array(JOINTS[index], float) for index in (11, 13, 15))
    warped = np.zeros(masks["person"].shape, np.float32)
    cv2.line(warped, tuple(shoulder.astype(int)), tuple(elbow.astype(int)), 1.0, 20)
    allowed = np.ones(warped.shape, bool)
    outline, _ = fitted_outline(analysis, Ends(limbs=[wrist]), warped, allowed, "upper", skirt=False)
    forearm = ((elbow + wrist) / 2).astype(int)
    upper_arm = ((shoulder + elbow) / 2).astype(int)
    assert outline[upper_arm[1], upper_arm[0]] and not outline[forearm[1], forearm[0]]
    bare, _ = fitted_outline(analysis, Ends(limbs=[wrist]), np.zeros_like(warped), allowed, "upper", skirt=False)
    assert bare[forearm[1], forearm[0]]  # no texture to tell: the garment's own length


def _hem_rows(covered: np.ndarray, columns) -> list[int]:
    return [int(np.flatnonzero(covered[:, x])[-1]) for x in columns]


def test_a_skirt_hem_curves_up_to_its_sides_as_the_garment_does():
    curved = _covered(_drawn(CURVED_SKIRT, region="lower"))
    straight = _covered(_drawn(STRAIGHT_SKIRT, region="lower"))
    columns = (SPINE_X - 45, SPINE_X, SPINE_X + 45)  # near either side of the hem, and its middle
    left, middle, right = _hem_rows(curved, columns)
    assert middle - left >= 6 and middle - right >= 6
    left, middle, right = _hem_rows(straight, columns)
    assert abs(middle - left) <= 3 and abs(middle - right) <= 3
