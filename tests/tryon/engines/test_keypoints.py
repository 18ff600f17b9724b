"""Garment keypoints (engines/keypoints.py) on drawn masks with known corners, and on real catalog
photos when the shared data is present."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tryon.engines.keypoints import garment_keypoints, garment_landmarks
from vision.garment import garment_mask

CLOTHING = Path(__file__).resolve().parents[4] / "shared" / "data" / "clothing" / "train"


# Garment keypoints on drawn masks with known corners.

def drawn(*polygons, size=(533, 400)) -> np.ndarray:
    canvas = np.zeros(size, np.uint8)
    for polygon in polygons:
        cv2.fillPoly(canvas, [np.array(polygon, np.int32)], 1)
    return canvas.astype(bool)


TEE = [[(120, 150), (280, 150), (280, 450), (120, 450)], [(20, 150), (380, 150), (380, 230), (20, 230)]]
TROUSERS = [[(110, 80), (290, 80), (300, 460), (220, 460), (205, 230), (195, 230), (180, 460), (100, 460)]]


def assert_near(points: dict, truth: dict, tolerance: float = 4) -> None:
    for name, (x, y) in truth.items():
        assert abs(points[name][0] - x) <= tolerance and abs(points[name][1] - y) <= tolerance, (name, points[name])


def test_tee_keypoints_sit_on_its_corners():
    points = garment_keypoints(drawn(*TEE), "upper")
    assert_near(points, {"neck": (200, 150), "left_shoulder": (120, 150), "right_shoulder": (280, 150),
                         "left_hem": (120, 450), "right_hem": (280, 450)})
    for name, end in (("left_sleeve", 20), ("right_sleeve", 380)):  # on the cuff, the sleeve's far end
        assert abs(points[name][0] - end) <= 6 and 150 <= points[name][1] <= 230


def test_tee_keypoints_ignore_a_hanger_hook_and_specks():
    hook = [(197, 150), (203, 150), (203, 100), (197, 100)]
    speck = [(5, 5), (12, 5), (12, 12), (5, 12)]
    assert_near(garment_keypoints(drawn(*TEE, hook, speck), "upper"), garment_keypoints(drawn(*TEE), "upper"))


def test_sleeveless_top_has_its_sleeves_at_the_shoulders():
    points = garment_keypoints(drawn(TEE[0]), "upper")
    assert points["left_sleeve"] == points["left_shoulder"] and points["right_sleeve"] == points["right_shoulder"]


def test_trousers_keypoints_sit_on_waist_hems_and_crotch():
    assert_near(garment_keypoints(drawn(*TROUSERS), "lower"), {
        "left_waist": (110, 80), "right_waist": (290, 80), "left_leg": (100, 460), "right_leg": (300, 460),
        "crotch": (200, 230)})


def test_skirt_crotch_is_the_hem_centre():
    points = garment_keypoints(drawn([(140, 100), (260, 100), (300, 400), (100, 400)]), "lower")
    assert_near(points, {"left_leg": (100, 400), "right_leg": (300, 400), "crotch": (200, 400)})


def test_dress_keypoints_sit_on_bodice_and_hem():
    bodice, skirt = [(150, 60), (250, 60), (250, 250), (150, 250)], [(150, 240), (250, 240), (320, 500), (80, 500)]
    points = garment_keypoints(drawn(bodice, skirt), "full")
    assert set(points) == {"neck", "left_neckline", "right_neckline", "left_shoulder", "right_shoulder",
                           "left_waist", "right_waist", "left_hem", "right_hem"}
    assert_near(points, {"neck": (200, 60), "left_shoulder": (150, 60), "right_shoulder": (250, 60),
                         "left_hem": (80, 500), "right_hem": (320, 500)})


# Landmarks on drawn garment shapes: a T-shirt with a round neck, a tank top, trousers, a dress.

ROUND_NECK_TEE = [[(120, 150), (170, 150), (185, 175), (200, 180), (215, 175), (230, 150), (280, 150),
                   (280, 450), (120, 450)], [(20, 150), (170, 150), (170, 230), (20, 230)],
                  [(230, 150), (380, 150), (380, 230), (230, 230)]]
TANK_TOP = [[(150, 100), (175, 100), (175, 180), (225, 180), (225, 100), (250, 100), (250, 200),
             (280, 230), (280, 450), (120, 450), (120, 230), (150, 200)]]


def test_tee_neckline_corners_sit_where_the_neck_opening_ends():
    points = garment_keypoints(drawn(*ROUND_NECK_TEE), "upper")
    assert_near(points, {"left_neckline": (170, 150), "right_neckline": (230, 150)}, tolerance=6)
    assert points["neck"][1] >= 170  # the front of the neckline, below the shoulder line


def test_tee_armpits_sit_where_the_sleeves_leave_the_body():
    points = garment_keypoints(drawn(*TEE), "upper")
    assert_near(points, {"left_armpit": (120, 230), "right_armpit": (280, 230)})
    landmarks = garment_landmarks(drawn(*TEE), "upper")
    assert landmarks["sleeveless"] is False and landmarks["size"] == [400, 533] and landmarks["region"] == "upper"
    assert landmarks["points"]["left_armpit"] == [120.0, 230.0]


def test_tank_top_is_sleeveless_with_armpits_below_its_straps():
    landmarks = garment_landmarks(drawn(*TANK_TOP), "upper")
    points = landmarks["points"]
    assert landmarks["sleeveless"] is True
    assert points["left_sleeve"] == points["left_shoulder"] and points["right_sleeve"] == points["right_shoulder"]
    for side in ("left", "right"):  # the armhole's bottom, well below the straps' tops
        assert 195 <= points[f"{side}_armpit"][1] <= 235, points[f"{side}_armpit"]


def test_trouser_leg_openings_have_inner_corners_beside_the_crotch():
    assert_near(garment_keypoints(drawn(*TROUSERS), "lower"), {
        "left_leg_inner": (180, 460), "right_leg_inner": (220, 460)})


def test_dress_waist_is_its_narrowest_row_below_the_bodice():
    hourglass = [(140, 60), (260, 60), (230, 200), (300, 500), (100, 500), (170, 200)]
    points = garment_keypoints(drawn(hourglass), "full")
    assert_near(points, {"left_waist": (170, 200), "right_waist": (230, 200)}, tolerance=6)


def test_empty_mask_or_unknown_region_is_an_error():
    with pytest.raises(ValueError):
        garment_keypoints(np.zeros((50, 50), bool), "upper")
    with pytest.raises(ValueError):
        garment_keypoints(drawn(*TEE), "hat")


# Garment keypoints on real catalog photos.

@pytest.mark.skipif(not CLOTHING.is_dir(), reason=f"no shared data at {CLOTHING}")
@pytest.mark.parametrize("folder, region", [("t-shirt", "upper"), ("longsleeve", "upper"), ("pants", "lower"),
                                            ("skirt", "lower"), ("dress", "full")])
def test_catalog_photo_keypoints_are_ordered_inside_the_garment(folder, region):
    image = Image.open(sorted((CLOTHING / folder).glob("*.jpg"))[0]).convert("RGB")
    mask = garment_mask(image)
    points = garment_keypoints(mask, region)
    x0, y0, w, h = cv2.boundingRect(mask.astype(np.uint8))
    for x, y in points.values():
        assert x0 <= x < x0 + w and y0 <= y < y0 + h
    for name in points:
        if name.startswith("left_"):
            assert points[name][0] < points[name.replace("left_", "right_")][0], name
    if region == "lower":
        assert max(points["left_waist"][1], points["right_waist"][1]) < points["crotch"][1]
        assert points["left_leg"][0] < points["crotch"][0] < points["right_leg"][0]
    else:
        assert points["neck"][1] < min(points["left_hem"][1], points["right_hem"][1])
        assert points["left_shoulder"][0] < points["neck"][0] < points["right_shoulder"][0]


# A tee laid flat as product shots show it: short sleeves barely clear of its chest, its hem laid
# out wider than the chest (so rows low on the body are as wide as the sleeves reach).
FLARED_TEE = [[(175, 100), (225, 100), (275, 110), (305, 125), (315, 190), (282, 195), (310, 450), (90, 450),
               (118, 195), (85, 190), (95, 125), (125, 110)]]
# A puffer vest: deep armholes, its body bulging out below them wider than its shoulders.
VEST = [[(150, 90), (250, 90), (255, 130), (265, 200), (300, 260), (300, 450), (100, 450), (100, 260), (135, 200),
         (145, 130)]]
# A hoodie as shot: long sleeves hanging down against its sides, their cuffs beside its hem band.
HANGING_HOODIE = [[(170, 60), (230, 60), (240, 100), (300, 120), (320, 200), (320, 440), (290, 440), (285, 400),
                   (115, 400), (110, 440), (80, 440), (80, 200), (100, 120), (160, 100)]]


def test_short_sleeves_barely_clear_of_a_wide_laid_body_are_found():
    landmarks = garment_landmarks(drawn(*FLARED_TEE), "upper")
    points = landmarks["points"]
    assert landmarks["sleeveless"] is False
    assert points["left_sleeve"][0] < points["left_shoulder"][0] - 5
    assert points["right_sleeve"][0] > points["right_shoulder"][0] + 5
    for side in ("left", "right"):  # the armpit is the notch under the sleeve, not down by the hem
        assert 180 <= points[f"{side}_armpit"][1] <= 205, points[f"{side}_armpit"]


def test_a_vest_bulging_below_its_armholes_is_sleeveless():
    landmarks = garment_landmarks(drawn(*VEST), "upper")
    assert landmarks["sleeveless"] is True
    for side in ("left", "right"):
        assert 190 <= landmarks["points"][f"{side}_armpit"][1] <= 210, landmarks["points"][f"{side}_armpit"]


def test_long_sleeves_hanging_against_the_body_are_found_down_to_their_cuffs():
    points = garment_keypoints(drawn(*HANGING_HOODIE), "upper")
    for side, outward in (("left", -1), ("right", 1)):
        sleeve, shoulder = points[f"{side}_sleeve"], points[f"{side}_shoulder"]
        assert sleeve[1] > 380 and (sleeve[0] - shoulder[0]) * outward >= 0, (side, sleeve, shoulder)
    assert points["left_hem"][1] <= 405 and points["right_hem"][1] <= 405  # the hem band, not the cuffs


# A hood laid up above the shoulders (a hoodie's product shot): 80 px wide on a 160 px body, 90 px tall.
HOOD = [(160, 150), (160, 80), (175, 60), (225, 60), (240, 80), (240, 150)]


def test_a_hooded_tops_shoulders_sit_below_its_hood_not_on_its_top_corners():
    points = garment_keypoints(drawn(*TEE, HOOD), "upper")
    assert_near(points, {"left_shoulder": (120, 150), "right_shoulder": (280, 150)})
    # The neck stays no higher than a collar rises (collar_top): the hood is not the neckline.
    assert 150 - 0.15 * 160 - 1 <= points["neck"][1] <= 150


def test_a_shirt_collar_is_not_taken_for_a_hood():
    collar = [(170, 150), (170, 140), (230, 140), (230, 150)]
    points = garment_keypoints(drawn(*TEE, collar), "upper")
    assert_near(points, {"left_shoulder": (120, 150), "right_shoulder": (280, 150), "neck": (200, 140)})


def test_sleeves_hanging_against_the_body_hang_from_its_outer_top_corners():
    # Its only notches are between the cuffs and the hem band, so the body measures as narrow as
    # the hem band; the shoulders are still the garment's top corners, where the sleeves hang from.
    assert_near(garment_keypoints(drawn(*HANGING_HOODIE), "upper"),
                {"left_shoulder": (100, 120), "right_shoulder": (300, 120)})
