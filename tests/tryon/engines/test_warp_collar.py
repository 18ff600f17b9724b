"""What a garment photo shows above its collar (a hood laid up, a hanger's hook) is cut off before
warping (warp.below_collar): worn, a hood falls behind the neck, and the panel would otherwise
stretch it down over the chest."""

import cv2
import numpy as np
from PIL import Image

from tryon.engines.base import GarmentInput
from tryon.engines.keypoints import collar_top, garment_keypoints
from tryon.engines.warp import below_collar

BODY = [(120, 150), (280, 150), (280, 450), (120, 450)]
RAISED_SLEEVES = [(20, 60), (120, 150), (120, 230), (20, 140)], [(380, 60), (280, 150), (280, 230), (380, 140)]
HOOD = [(160, 150), (160, 80), (175, 60), (225, 60), (240, 80), (240, 150)]


def _garment(*polygons, region: str = "upper") -> GarmentInput:
    drawn = np.zeros((480, 400), np.uint8)
    for polygon in polygons:
        cv2.fillPoly(drawn, [np.array(polygon, np.int32)], 1)
    mask = drawn > 0
    return GarmentInput(image=Image.fromarray(np.where(mask, 200, 245).astype(np.uint8)).convert("RGB"), mask=mask,
                        region=region, keypoints=garment_keypoints(mask, region))


def test_a_hood_laid_up_is_cut_off_at_the_collar():
    hoodie = _garment(BODY, *RAISED_SLEEVES, HOOD)
    top = collar_top(hoodie.keypoints)
    trimmed = below_collar(hoodie).mask
    assert hoodie.mask[:int(top), 160:241].any() and not trimmed[:int(top), 160:241].any()
    assert (trimmed[int(top) + 1:] == hoodie.mask[int(top) + 1:]).all()  # the rest of the hoodie stays


def test_sleeves_raised_above_the_collar_beside_the_shoulders_stay():
    raised = _garment(BODY, *RAISED_SLEEVES)
    assert raised.mask[:100, :100].any()
    assert (below_collar(raised).mask == raised.mask).all()


def test_bottoms_are_never_cut():
    trousers = _garment([(110, 80), (290, 80), (300, 460), (220, 460), (205, 230), (195, 230), (180, 460),
                         (100, 460)], [(197, 80), (203, 80), (203, 20), (197, 20)], region="lower")
    assert below_collar(trousers) is trousers
