"""Poses the warp engine cannot dress believably: a bottom or a dress on a person with a knee raised
(seated, a leg crossed over the other) is refused with a reason for the shopper, where a top is
still fitted; a standing or walking person's skirt is not refused."""

import cv2
import numpy as np
import pytest
from PIL import Image

from tests.tryon.engines.test_warp_engine import (
    BACKGROUND,
    HEIGHT,
    JOINTS,
    SKIN,
    WIDTH,
    _garment,
)
from tryon.engines.base import PersonAnalysis, RenderFailed
from tryon.engines.warp import BENT_LEGS, garment_fit, knee_raised

# The drawn figure of test_warp_engine.py seated: the image-left thigh runs out sideways with its
# knee at hip height, the other leg crosses over it to the left.
SEATED = {**JOINTS, 23: (175, 220), 24: (125, 220), 25: (85, 250), 26: (45, 212), 27: (105, 372), 28: (60, 330)}
# Walking: one knee forward and up a little, still well below the hip.
WALKING = {**JOINTS, 25: (180, 290), 27: (175, 375), 26: (122, 300), 28: (135, 380)}


def _person(joints: dict[int, tuple[int, int]]) -> tuple[np.ndarray, PersonAnalysis]:
    image = np.full((HEIGHT, WIDTH, 3), BACKGROUND, np.uint8)
    cv2.fillPoly(image, [np.array([(100, 92), (200, 92), (190, 235), (110, 235)], np.int32)], (40, 70, 200))
    cv2.circle(image, (150, 55), 28, SKIN, -1)
    for leg in ((24, 26, 28), (23, 25, 27)):
        cv2.polylines(image, [np.array([joints[j] for j in leg], np.int32)], False, (60, 60, 70), 34)
    landmarks = [(*map(float, joints.get(index, (150, 50))), 1.0) for index in range(33)]
    return image, PersonAnalysis(width=WIDTH, height=HEIGHT, landmarks=landmarks,
                                 person_mask=np.any(image != BACKGROUND, axis=2))


@pytest.mark.parametrize("shape", ["skirt", "full", "lower"])
def test_a_bottom_or_dress_on_a_seated_person_is_refused_with_a_reason(shape):
    image, analysis = _person(SEATED)
    with pytest.raises(RenderFailed) as refusal:
        garment_fit(photo=image, analysis=analysis, garment=_garment(shape))
    assert str(refusal.value) == BENT_LEGS and "stand" in BENT_LEGS


def test_a_top_on_a_seated_person_is_fitted():
    image, analysis = _person(SEATED)
    fit = garment_fit(photo=image, analysis=analysis, garment=_garment("upper"))
    assert (fit.garment_alpha > 0.5).sum() > 2000


@pytest.mark.parametrize("joints", [JOINTS, WALKING])
def test_a_standing_or_walking_person_has_no_knee_raised_and_gets_the_skirt(joints):
    image, analysis = _person(joints)
    assert not knee_raised(analysis)
    fit = garment_fit(photo=image, analysis=analysis, garment=_garment("skirt"))
    assert (fit.garment_alpha > 0.5).sum() > 2000


def test_a_knee_pose_cannot_see_is_not_read_as_raised():
    _, analysis = _person(SEATED)
    for knee in (25, 26):
        analysis.landmarks[knee] = (*analysis.landmarks[knee][:2], 0.0)
    assert not knee_raised(analysis)


def test_the_engine_reports_the_refusal_to_its_caller():
    from tryon.engines.warp import WarpEngine

    image, analysis = _person(SEATED)
    with pytest.raises(RenderFailed, match="stand"):
        WarpEngine().render(person=Image.fromarray(image), analysis=analysis, garment=_garment("full"),
                            report=lambda *args: None, options={})
