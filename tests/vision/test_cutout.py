"""Garment cut-out per photo style (vision/garment.py): product shots on plain backdrops keep their
light parts and lose backdrop and shadow, flat-lays on texture, hanger hooks, garments worn by a
model (real photos, when the shared data is present), and the problems that flag a cut-out."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from vision.garment import garment_cutout
from vision.person import person_mask
from vision.pose import HIPS, SHOULDERS, landmarks

HEIGHT, WIDTH = 533, 400
PEOPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "people"
TEE = np.array([(120, 110), (175, 95), (225, 95), (280, 110), (345, 170), (305, 215), (275, 195),
                (280, 430), (125, 430), (130, 195), (100, 215), (60, 170)]) + (0, 20)


def _shape(points, offset=(0, 0), scale=1.0) -> np.ndarray:
    canvas = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillPoly(canvas, [np.round(np.asarray(points) * scale + offset).astype(np.int32)], 1)
    return canvas.astype(bool)


def _product_shot(garment_rgb, backdrop_rgb, shape: np.ndarray, shadow: bool = True, seed: int = 0) -> np.ndarray:
    """A garment on a plain backdrop with a soft drop shadow, as shops photograph them."""
    rng = np.random.default_rng(seed)
    pixels = np.full((HEIGHT, WIDTH, 3), backdrop_rgb, np.float64)
    if shadow:
        blurred = cv2.GaussianBlur(np.roll(shape, (8, 6), axis=(0, 1)).astype(np.float32), (0, 0), 7)
        pixels *= 1 - 0.25 * blurred[:, :, None]
    pixels[shape] = np.array(garment_rgb) + rng.normal(0, 3, (shape.sum(), 3))
    return np.clip(pixels, 0, 255)


def _image(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / (a | b).sum()


def test_product_shot_on_white_keeps_a_white_print_and_drops_backdrop_and_shadow():
    tee = _shape(TEE)
    print_ = _shape([(170, 200), (230, 200), (230, 260), (170, 260)])
    pixels = _product_shot((32, 40, 72), (252, 252, 252), tee)
    pixels[print_] = (252, 252, 252)  # the print is exactly the backdrop's white
    cutout = garment_cutout(_image(pixels))
    assert cutout.style == "product" and cutout.problem == ""
    assert cutout.mask[print_].mean() > 0.98
    assert cutout.mask[~tee].mean() < 0.01  # backdrop and shadow gone
    assert _iou(cutout.mask, tee) > 0.95


@pytest.mark.parametrize("backdrop", [(236, 236, 236), (246, 222, 226), (222, 236, 248)])
def test_light_garment_on_light_grey_or_pastel_backdrop_keeps_its_light_parts(backdrop):
    tee = _shape(TEE)
    cutout = garment_cutout(_image(_product_shot((250, 250, 246), backdrop, tee, seed=1)))
    assert cutout.style == "product" and cutout.problem == ""
    assert _iou(cutout.mask, tee) > 0.93


def test_hanger_hook_above_the_collar_is_cut_away():
    tee = _shape(TEE)
    hook = _shape([(195, 40), (207, 40), (207, 118), (195, 118)])  # thicker than the cleaning opening removes
    pixels = _product_shot((160, 30, 40), (250, 250, 250), tee, shadow=False)
    pixels[hook & ~tee] = (90, 90, 90)
    cutout = garment_cutout(_image(pixels))
    assert cutout.mask[hook & ~tee].mean() < 0.1
    assert _iou(cutout.mask, tee) > 0.93


def test_flat_lay_on_wood_is_cut_as_a_flat_lay():
    rng = np.random.default_rng(4)
    floor = np.zeros((HEIGHT, WIDTH, 3), np.float64)
    for top in range(0, HEIGHT, 60):
        floor[top:top + 60] = np.array([190, 150, 105]) + rng.normal(0, 12)
    floor += rng.normal(0, 6, (HEIGHT, WIDTH, 1)) + rng.normal(0, 3, (HEIGHT, WIDTH, 3))
    tee = _shape(TEE)
    floor[tee] = np.array((40, 110, 60)) + rng.normal(0, 4, (tee.sum(), 3))
    cutout = garment_cutout(_image(floor))
    assert cutout.style == "flat_lay" and cutout.problem == ""
    assert _iou(cutout.mask, tee) > 0.8


@pytest.mark.parametrize("problem, shape", [
    ("touches_frame", lambda: _shape(TEE, offset=(-150, 0))),
    ("several_garments", lambda: _shape(TEE, offset=(-40, 0), scale=0.55) | _shape(TEE, offset=(170, 150), scale=0.55)),
    ("too_small", lambda: _shape(TEE, offset=(170, 220), scale=0.12)),
])
def test_untrustworthy_cutout_is_flagged_with_its_reason(problem, shape):
    cutout = garment_cutout(_image(_product_shot((32, 40, 72), (250, 250, 250), shape(), shadow=False)))
    assert cutout.problem == problem


def test_photo_with_no_garment_is_flagged_not_found_but_keeps_a_usable_mask():
    cutout = garment_cutout(_image(np.full((HEIGHT, WIDTH, 3), 250.0)))
    assert cutout.problem == "not_found"
    assert 0.05 <= cutout.mask.mean() <= 0.95


@pytest.mark.skipif(not PEOPLE.is_dir(), reason=f"no shared data at {PEOPLE}")
@pytest.mark.parametrize("photo, region", [("omnitry_object_dress.jpg", "full"), ("fashn_garment.webp", "upper")])
def test_garment_worn_by_a_model_is_cut_from_the_person_without_face_or_background(photo, region):
    image = Image.open(PEOPLE / photo).convert("RGB")
    cutout = garment_cutout(image, region=region)
    person = person_mask(image)
    assert cutout.style == "worn"
    assert cutout.mask.mean() > 0.05
    assert (cutout.mask & ~person).sum() < 0.05 * cutout.mask.sum()  # hardly any background
    points = landmarks(image)
    shoulders = points[SHOULDERS, 1].min()
    neck = shoulders - 0.1 * (points[HIPS, 1].mean() - shoulders)
    assert cutout.mask[:max(0, int(neck))].sum() < 0.03 * cutout.mask.sum()  # no head or hair, little neck


@pytest.mark.skipif(not PEOPLE.is_dir(), reason=f"no shared data at {PEOPLE}")
def test_product_shot_of_a_hoodie_on_light_grey_is_a_clean_product_cutout():
    cutout = garment_cutout(Image.open(PEOPLE / "omnitry_object_top_cloth.jpg").convert("RGB"), region="upper")
    assert cutout.style == "product" and cutout.problem == ""
    assert 0.2 < cutout.mask.mean() < 0.45


@pytest.mark.parametrize("label", [cv2.GC_BGD, cv2.GC_PR_BGD, cv2.GC_PR_FGD])
def test_grabcut_with_seeds_of_one_kind_answers_without_running(label):
    """A worn garment's band that misses the person leaves no garment seed: OpenCV's GrabCut would raise
    (it stopped `make run`'s seed_demo on a demo photo), so the seeds are the answer."""
    from vision.flatlay import grabcut

    seeds = np.full((40, 30), label, np.uint8)
    mask = grabcut(np.zeros((40, 30, 3), np.uint8), seeds)
    assert mask.shape == (40, 30) and (mask == (label == cv2.GC_PR_FGD)).all()
