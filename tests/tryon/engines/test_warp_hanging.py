"""A top photographed with its sleeves hanging pressed against its body (a hoodie's product shot):
its sleeves are found as sleeves, measured on their own, and laid down the arms."""

import cv2
import numpy as np

from tryon.engines.anchors import upper_parts
from tryon.engines.keypoints import garment_keypoints
from tryon.engines.outline import armpits

# 400 x 533: hood on top, shoulders at y 120, sleeves pressed to the body down to cuffs at y 440,
# the hem band between them ending at y 400; the left sleeve's outer edge bends in at its elbow.
HOODIE = [(170, 60), (230, 60), (240, 100), (300, 120), (320, 200), (320, 440), (290, 440), (285, 400),
          (115, 400), (110, 440), (80, 440), (86, 300), (80, 200), (100, 120), (160, 100)]
# Image-left and image-right body joints of a person standing with arms down (a 400 x 533 photo).
SIDES = {side: {"shoulder": np.array([200 + sign * 60.0, 120]), "elbow": np.array([200 + sign * 70.0, 220]),
                "wrist": np.array([200 + sign * 72.0, 310]), "hip": np.array([200 + sign * 40.0, 300]),
                "knee": np.array([200 + sign * 40.0, 410]), "ankle": np.array([200 + sign * 40.0, 510])}
         for side, sign in (("left", -1), ("right", 1))}


def _hoodie() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    mask = np.zeros((533, 400), np.uint8)
    cv2.fillPoly(mask, [np.array(HOODIE, np.int32)], 1)
    points = garment_keypoints(mask > 0, "upper")
    return mask > 0, {name: np.asarray(point) for name, point in points.items()}


def test_a_bend_in_a_hanging_sleeves_outer_edge_is_no_armpit():
    mask, points = _hoodie()
    left = armpits(mask, points)["left"]
    assert left[0] >= points["left_shoulder"][0] - 1, left  # not out on the sleeve's edge at x 86


def test_a_hanging_sleeve_is_measured_on_itself_not_across_the_whole_garment():
    mask, points = _hoodie()
    parts, _ = upper_parts(SIDES, points, mask, np.ones_like(mask), dress=False)
    assert len(parts) == 3  # the body and both sleeves
    for (_, pairs), outer in zip(parts[1:], (lambda x: x < 125, lambda x: x > 275)):
        garment_points = [garment for _, garment in pairs[3:]]  # the ribbon, after the joint's pairs
        assert all(outer(x) for x, _ in garment_points), garment_points
