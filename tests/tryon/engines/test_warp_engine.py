"""The warp engine on a drawn figure: a blue long shirt, one bare forearm across the torso, grey
trousers; the new garment is a drawn red T-shirt, shorter than the shirt and with short sleeves.
The region and arm masks are engines/body.py's, computed from the drawn figure's landmarks."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tryon.engines.base import GarmentInput, PersonAnalysis
from tryon.engines.body import arms_front_mask, region_mask
from tryon.engines.compositing import FEATHER as FEATHER_SHARE
from tryon.engines.keypoints import garment_keypoints
from tryon.engines.person import person_analyse
from tryon.engines.compositing import edited_region
from tryon.engines.warp import WarpEngine, garment_fit
from vision.garment import garment_mask

WIDTH, HEIGHT = 300, 400
BACKGROUND, SKIN, SHIRT, TROUSERS = (200, 220, 200), (225, 175, 145), (40, 70, 200), (60, 60, 70)
FEATHER = max(2, round(FEATHER_SHARE * HEIGHT))  # the engine's feather radius in px at this size
STAGES = ("warping", "inpainting", "compositing")
RED = (215, 30, 35)
# Drawn garments (240 x 200 px photos): a T-shirt, trousers, a skirt, a sleeveless dress.
SHAPES = {
    "upper": [(60, 40), (90, 40), (100, 50), (110, 40), (140, 40), (185, 85), (165, 105), (140, 85), (140, 150),
              (60, 150), (60, 85), (35, 105), (15, 85)],
    "lower": [(60, 20), (140, 20), (150, 230), (110, 230), (100, 90), (90, 230), (50, 230)],
    "skirt": [(70, 40), (130, 40), (155, 150), (45, 150)],
    "full": [(75, 20), (90, 20), (100, 35), (110, 20), (125, 20), (130, 70), (150, 230), (50, 230), (70, 70)],
}
# Landmarks of a person facing the camera: their left side (11, 13, ...) is on the image's right.
JOINTS = {0: (150, 55), 2: (143, 48), 5: (157, 48), 9: (145, 64), 10: (155, 64),  # nose, eyes, mouth
          17: (219, 226), 19: (219, 226), 21: (219, 226), 18: (168, 183), 20: (168, 183), 22: (168, 183),  # knuckles
          11: (190, 100), 12: (110, 100), 13: (212, 160), 14: (92, 158), 15: (218, 218),
          16: (160, 180), 23: (175, 220), 24: (125, 220), 25: (172, 300), 26: (128, 300), 27: (170, 380),
          28: (130, 380)}
FOREARM = [(92, 158), (160, 180)]


def _line(canvas: np.ndarray, points, colour, thickness: int) -> None:
    cv2.polylines(canvas, [np.array(points, np.int32)], False, colour, thickness)


def _figure() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The photo, and the person and drawn front forearm masks."""
    image = np.full((HEIGHT, WIDTH, 3), BACKGROUND, np.uint8)
    cv2.circle(image, (150, 55), 28, SKIN, -1)
    cv2.rectangle(image, (140, 75), (160, 100), SKIN, -1)
    for knee, ankle in (((172, 300), (170, 380)), ((128, 300), (130, 380))):
        _line(image, [(150 + (knee[0] - 150) // 2, 220), knee, ankle], TROUSERS, 34)
    shirt = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillPoly(shirt, [np.array([(100, 92), (200, 92), (184, 134), (192, 245), (108, 245), (116, 134)],
                                  np.int32)], 1)
    _line(shirt, [(190, 100), (212, 160), (218, 210)], 1, 22)  # a long sleeve down to the wrist
    _line(shirt, [(110, 100), (92, 158)], 1, 22)  # the other arm's sleeve rolled up to the elbow
    image[shirt > 0] = SHIRT
    cv2.circle(image, (219, 222), 9, SKIN, -1)
    arm = np.zeros((HEIGHT, WIDTH), np.uint8)
    _line(arm, FOREARM, 1, 16)
    cv2.circle(arm, (166, 182), 10, 1, -1)
    image[arm > 0] = SKIN
    person = np.any(image != BACKGROUND, axis=2)
    return image, {"person": person, "arm": arm > 0}


def _garment(shape: str = "upper") -> GarmentInput:
    image = np.full((240, 200, 3), 245, np.uint8)
    drawn = np.zeros((240, 200), np.uint8)
    cv2.fillPoly(drawn, [np.array(SHAPES[shape], np.int32)], 1)
    image[drawn > 0] = RED
    mask, region = drawn > 0, "lower" if shape == "skirt" else shape
    return GarmentInput(image=Image.fromarray(image), mask=mask, region=region,
                        keypoints=garment_keypoints(mask, region))


def _analysis(masks: dict[str, np.ndarray]) -> PersonAnalysis:
    landmarks = [(*JOINTS.get(index, (150, 50)), 1.0) for index in range(33)]
    return PersonAnalysis(width=WIDTH, height=HEIGHT, landmarks=[(float(x), float(y), v) for x, y, v in landmarks],
                          person_mask=masks["person"])


@pytest.fixture
def scene():
    image, masks = _figure()
    analysis = _analysis(masks)
    return Image.fromarray(image), analysis, _garment(), region_mask(analysis, "upper"), masks


def _render(scene, report=lambda progress, stage="": None) -> np.ndarray:
    person, analysis, garment, _, _ = scene
    result = WarpEngine().render(person=person, analysis=analysis, garment=garment, report=report, options={})
    return np.asarray(result)


def _red(image: np.ndarray) -> np.ndarray:
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (r > 130) & (g < 90) & (b < 90) & (r > 2 * g)


def _blue(image: np.ndarray) -> np.ndarray:
    r, g, b = (image[..., i].astype(int) for i in range(3))
    return (b > 120) & (b > r + 60)


def _grown(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * radius + 1,) * 2, np.uint8)) > 0


def _edited(photo: np.ndarray, analysis: PersonAnalysis, garment: GarmentInput) -> np.ndarray:
    """The replaced region and where the warped garment lands, grown by the feather radius."""
    return edited_region(garment_fit(photo=np.asarray(photo), analysis=analysis, garment=garment))


def test_output_has_the_photo_size(scene):
    result = WarpEngine().render(person=scene[0], analysis=scene[1], garment=scene[2],
                                 report=lambda *args: None, options={})
    assert result.size == (WIDTH, HEIGHT) and result.mode == "RGB"


def test_pixels_outside_the_edited_region_are_untouched(scene):
    person, analysis, garment, region, _ = scene
    photo, result = np.asarray(person), _render(scene)
    edited = _edited(photo, analysis, garment)
    assert np.any(result != photo, axis=2).any() and edited.mean() < 0.5
    assert np.array_equal(result[~edited], photo[~edited])


def test_the_new_garment_covers_the_replaced_region(scene):
    region = scene[3] & ~arms_front_mask(scene[1])
    red = _red(_render(scene))
    assert (red & region).sum() / (red | region).sum() > 0.6
    assert red[180, 150] or red[200, 150]  # the middle of the torso, below the forearm


def test_no_old_shirt_shows_where_the_new_garment_is_smaller(scene):
    photo, region = np.asarray(scene[0]), scene[3]
    result = _render(scene)
    # Inpainting draws on the pixels around the region, and the old shirt's collar lies outside it:
    # the region's edge may take a tinge of it, its inside may not.
    inside = cv2.erode(region.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    uncovered = inside & _blue(photo) & ~_grown(_red(result), FEATHER + 1)
    assert uncovered.sum() > 200  # the long sleeve down the forearm, at least
    assert not _blue(result)[uncovered].any()


def test_an_arm_in_front_of_the_torso_stays_in_front(scene):
    in_front = scene[4]["arm"] & arms_front_mask(scene[1])
    arm = cv2.erode(in_front.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    result = _render(scene)
    distance = np.abs(result[arm].astype(int) - np.array(SKIN)).max(axis=1)
    assert arm.sum() > 300 and (distance <= 3).mean() > 0.95


def test_reports_each_stage_and_stops_when_report_raises(scene):
    calls = []
    _render(scene, report=lambda progress, stage="": calls.append((progress, stage)))
    assert [stage for _, stage in calls] == list(STAGES)
    assert [progress for progress, _ in calls] == sorted(progress for progress, _ in calls)

    class Cancelled(Exception):
        pass

    def cancel_at_inpainting(progress, stage=""):
        calls.append(stage)
        if stage == "inpainting":
            raise Cancelled

    calls.clear()
    with pytest.raises(Cancelled):
        _render(scene, report=cancel_at_inpainting)
    assert calls == ["warping", "inpainting"]


@pytest.mark.parametrize("shape", ["lower", "skirt", "full"])
def test_bottoms_and_dresses_land_in_their_region_and_touch_nothing_else(shape):
    image, masks = _figure()
    analysis, garment = _analysis(masks), _garment(shape)
    result = np.asarray(WarpEngine().render(person=Image.fromarray(image), analysis=analysis, garment=garment,
                                            report=lambda *args: None, options={}))
    region = region_mask(analysis, garment.region)
    edited = _edited(image, analysis, garment)
    assert np.array_equal(result[~edited], image[~edited])
    assert (_red(result) & region).sum() > 0.25 * region.sum()


def test_an_analysis_of_a_smaller_copy_is_scaled_up_to_the_photo(scene):
    person, analysis, garment, region, _ = scene
    large = person.resize((2 * WIDTH, 2 * HEIGHT), Image.NEAREST)
    result = WarpEngine().render(person=large, analysis=analysis, garment=garment, report=lambda *args: None,
                                 options={})
    assert result.size == large.size
    small_red = _red(np.asarray(result.resize(person.size, Image.NEAREST)))
    assert (small_red & region).sum() / (small_red | region).sum() > 0.5


def test_rendering_is_deterministic(scene):
    assert np.array_equal(_render(scene), _render(scene))


def test_a_real_photo_with_a_catalog_top_keeps_everything_else():
    people = Path(__file__).resolve().parents[4] / "shared" / "data" / "people"
    photo_path = people / "omnitry_person_top_cloth.jpg"
    if not photo_path.exists():
        pytest.skip("no shared people photos")
    top = sorted((Path(__file__).resolve().parents[3] / "catalog" / "demo" / "t-shirt").glob("*.jpg"))[0]
    garment_image = Image.open(top).convert("RGB")
    mask = garment_mask(garment_image)
    garment = GarmentInput(image=garment_image, mask=mask, region="upper", keypoints=garment_keypoints(mask, "upper"))
    person = Image.open(photo_path).convert("RGB").resize((384, 576))
    analysis = person_analyse(person)
    result = np.asarray(WarpEngine().render(person=person, analysis=analysis, garment=garment,
                                            report=lambda *args: None, options={}))
    photo, region = np.asarray(person), region_mask(analysis, "upper")
    edited = _edited(photo, analysis, garment)
    assert np.any(result != photo, axis=2)[region].mean() > 0.5
    assert np.array_equal(result[~edited], photo[~edited]) and edited.mean() < 0.6
