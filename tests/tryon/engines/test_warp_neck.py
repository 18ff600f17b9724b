"""The old collar above a new neckline, on the drawn figure of test_warp_engine with a smaller head
(its chin at y 70, the neck seen below it) wearing a shirt with a standing collar (of the shirt's
colour, up to just under the chin, open in a V over the neck): a red T-shirt, whose neckline sits
lower, replaces it. The collar must go: the neck inside it painted
as the neck seen above it, and beside the neck what is behind the person."""

import cv2
import numpy as np
from PIL import Image

from tests.tryon.engines.test_warp_engine import BACKGROUND, SHIRT, SKIN, _analysis, _figure, _garment
from tryon.engines.body import region_mask
from tryon.engines.skin import bare_skin, neck, old_collar
from tryon.engines.warp import WarpEngine

# The collar: from the shoulders' line up to just under the chin, wider than the neck (x 140-160).
COLLAR = [(126, 100), (126, 74), (140, 76), (150, 88), (160, 76), (174, 74), (174, 100)]
ABOVE = slice(74, 82)  # rows of the collar above where the new T-shirt's panel starts
NECK = tuple(round(0.75 * value) for value in SKIN)


def _collared() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    image, masks = _figure()
    cv2.circle(image, (150, 55), 28, BACKGROUND, -1)
    # The neck in the head's shadow, a quarter darker than the face, as a photographed neck is.
    cv2.rectangle(image, (140, 60), (160, 100), NECK, -1)
    cv2.circle(image, (150, 50), 20, SKIN, -1)
    cv2.fillPoly(image, [np.array(COLLAR, np.int32)], SHIRT)
    return image, {**masks, "person": np.any(image != BACKGROUND, axis=2)}


def _rendered(image: np.ndarray, masks) -> np.ndarray:
    return np.asarray(WarpEngine().render(person=Image.fromarray(image), analysis=_analysis(masks),
                                          garment=_garment(), report=lambda *args: None, options={}))


def _near(pixels: np.ndarray, colour, tolerance: float) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.array(colour)).max(axis=-1) < tolerance


def _skin_toned(pixels: np.ndarray) -> np.ndarray:
    r, g, b = (pixels[..., i].astype(int) for i in range(3))
    return (r > g + 20) & (g > b + 10) & (r > 120)


def _collar_above(image: np.ndarray) -> np.ndarray:
    collar = np.zeros(image.shape[:2], bool)
    collar[ABOVE] = _near(image[ABOVE], SHIRT, 5)
    return collar


def test_an_old_collar_above_the_new_neckline_is_painted_out():
    image, masks = _collared()
    collar = _collar_above(image)
    result = _rendered(image, masks)
    assert collar.sum() > 100
    assert (collar & _near(result, SHIRT, 40)).sum() < 0.05 * collar.sum()


def test_the_neck_inside_an_old_collar_is_painted_as_skin_and_beside_it_is_background():
    image, masks = _collared()
    collar = _collar_above(image)
    result = _rendered(image, masks)
    columns = np.arange(image.shape[1])
    on_neck = collar & (np.abs(columns - 150) <= 12)[None]
    beside = collar & (np.abs(columns - 150) >= 20)[None]
    assert on_neck.sum() > 20 and beside.sum() > 20
    # The head's shadow darkens the painted neck: a skin tone, not the face's colour.
    assert (on_neck & _skin_toned(result)).sum() > 0.9 * on_neck.sum()
    assert (beside & _near(result, BACKGROUND, 30)).sum() > 0.8 * beside.sum()


def test_the_painted_neck_meets_the_neck_seen_above_the_collar_without_a_seam():
    image, masks = _collared()
    result = _rendered(image, masks).astype(int)
    seen = result[78:80, 146:155].reshape(-1, 3).mean(axis=0)  # the photographed neck in the collar's V
    painted = result[80:82, 140:144].reshape(-1, 3).mean(axis=0)  # the collar beside the V, on the neck
    assert np.abs(seen - np.array(NECK)).max() < 10
    assert np.abs(painted - seen).max() < 25  # the head's shadow fades, but no jump to another tone


def test_an_old_garment_that_stops_below_the_new_neckline_has_no_collar_and_no_neck_is_painted():
    image, masks = _figure()  # the plain shirt: its top is covered by the new T-shirt's panel
    analysis = _analysis(masks)
    region = region_mask(analysis, "upper")
    covered = np.zeros_like(region)
    covered[84:, 100:200] = True  # the new T-shirt from a little above the shoulders down
    collar = old_collar(image, analysis, region, bare_skin(image, analysis), covered)
    assert not collar.any()
    assert not neck(analysis, collar).cover.any()


def test_a_low_neckline_whose_skin_fails_the_skin_test_is_not_taken_for_a_collar():
    image, masks = _figure()
    analysis = _analysis(masks)
    region = region_mask(analysis, "upper")
    # A bare chest below the neck, a shade darker than the face: the skin test misses it, the tones do not.
    chest = region & (np.arange(image.shape[0]) < 130)[:, None] & masks["person"]
    image[chest] = np.array(SKIN) - 12
    collar = old_collar(image, analysis, region, bare_skin(image, analysis), np.zeros_like(region))
    assert not collar.any()
