"""Garment mask and colour naming, on synthetic photos with known answers, plus a sanity run on a
few real catalog photos when the shared data is present."""

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from vision.colors import MIN_SHARE, PALETTE, ciede2000, color_name, dominant_colors
from vision.garment import garment_mask, mask_to_png_bytes

HEIGHT, WIDTH = 533, 400
NAVY, WHITE_FLOOR, RED = (32, 40, 72), (236, 234, 228), (195, 30, 40)


def _tshirt_shape() -> np.ndarray:
    """A flat-laid t-shirt silhouette, off-centre, as a bool mask."""
    points = np.array([(120, 110), (175, 95), (225, 95), (280, 110), (345, 170), (305, 215), (275, 195),
                       (280, 430), (125, 430), (130, 195), (100, 215), (60, 170)])
    canvas = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.fillPoly(canvas, [points + (10, 20)], 1)
    return canvas.astype(bool)


def _wood_floor(rng: np.random.Generator) -> np.ndarray:
    """Planks of varying tone with grain noise."""
    floor = np.zeros((HEIGHT, WIDTH, 3), np.float64)
    for top in range(0, HEIGHT, 60):
        floor[top:top + 60] = np.array([190, 150, 105]) + rng.normal(0, 12)
    floor += rng.normal(0, 6, (HEIGHT, WIDTH, 1)) + rng.normal(0, 3, (HEIGHT, WIDTH, 3))
    return floor


def _photo(garment_rgb, background: np.ndarray, shape: np.ndarray, rng: np.random.Generator) -> Image.Image:
    pixels = background.copy()
    pixels[shape] = np.array(garment_rgb) + rng.normal(0, 4, (shape.sum(), 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / (a | b).sum()


@pytest.mark.parametrize("background", ["plain", "wood"])
def test_mask_finds_a_garment_on_its_floor(background):
    rng = np.random.default_rng(1)
    floor = np.full((HEIGHT, WIDTH, 3), WHITE_FLOOR, np.float64) if background == "plain" else _wood_floor(rng)
    shape = _tshirt_shape()
    mask = garment_mask(_photo((40, 110, 60), floor, shape, rng))
    assert mask.shape == shape.shape and mask.dtype == bool
    assert _iou(mask, shape) > 0.8


@pytest.mark.parametrize("fill", ["uniform", "garment fills the frame"])
def test_mask_is_never_empty_or_full(fill):
    rng = np.random.default_rng(2)
    pixels = np.full((HEIGHT, WIDTH, 3), 128.0) + rng.normal(0, 2, (HEIGHT, WIDTH, 3))
    if fill != "uniform":
        pixels[:] = NAVY
    mask = garment_mask(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    assert 0.05 <= mask.mean() <= 0.95


def test_mask_png_round_trips_with_255_on_the_garment():
    mask = _tshirt_shape()
    stored = Image.open(io.BytesIO(mask_to_png_bytes(mask)))
    assert stored.format == "PNG" and stored.mode == "L"
    pixels = np.asarray(stored)
    assert set(np.unique(pixels)) == {0, 255}
    assert np.array_equal(pixels == 255, mask)


def test_navy_garment_on_white_floor_is_named_navy_first():
    rng = np.random.default_rng(3)
    photo = _photo(NAVY, np.full((HEIGHT, WIDTH, 3), WHITE_FLOOR, np.float64), _tshirt_shape(), rng)
    colors = dominant_colors(photo, garment_mask(photo))
    assert colors[0][0] == "navy"
    assert "white" not in dict(colors)  # the floor stays out of the garment's colours


def test_two_colour_garment_reports_both_with_their_shares():
    rng = np.random.default_rng(4)
    shape = _tshirt_shape()
    rows = np.nonzero(shape.any(axis=1))[0]
    lower = shape.copy()
    lower[: rows[0] + int(0.65 * (rows[-1] - rows[0]))] = False  # the lower part is red
    floor = np.full((HEIGHT, WIDTH, 3), WHITE_FLOOR, np.float64)
    photo = _photo(NAVY, floor, shape & ~lower, rng)
    photo = _photo(RED, np.asarray(photo, np.float64), lower, rng)
    colors = dict(dominant_colors(photo, shape))
    assert set(colors) == {"navy", "red"}
    assert colors["navy"] > colors["red"]
    assert colors["red"] == pytest.approx(lower.sum() / shape.sum(), abs=0.08)


def test_colours_are_sorted_large_enough_and_sum_to_at_most_one():
    rng = np.random.default_rng(5)
    noise = Image.fromarray(rng.integers(0, 256, (120, 90, 3), dtype=np.uint8))
    colors = dominant_colors(noise, None, k=5)
    shares = [share for _, share in colors]
    assert colors and shares == sorted(shares, reverse=True)
    assert min(shares) >= MIN_SHARE and sum(shares) <= 1.0 + 1e-6
    assert len({name for name, _ in colors}) == len(colors)


@pytest.mark.parametrize("name", list(PALETTE))
def test_palette_anchors_are_named_after_themselves(name):
    assert color_name(PALETTE[name]) == name


def test_ciede2000_matches_published_reference_pairs():
    # Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17
    first = np.array([[50, 2.6772, -79.7751], [50, 0, 0], [50, 2.5, 0]])
    second = np.array([[50, 0, -82.7485], [50, -1, 2], [73, 25, -18]])
    assert ciede2000(first, second) == pytest.approx([2.0425, 2.3669, 27.1492], abs=1e-4)


# --- real photos ----------------------------------------------------------------------------

def _train_photos(per_class: int = 1) -> list[Path]:
    train = Path(__file__).resolve().parents[3] / "shared" / "data" / "clothing" / "train"
    if not train.is_dir():
        pytest.skip(f"no shared data at {train}")
    return [path for folder in sorted(train.iterdir()) for path in sorted(folder.glob("*.jpg"))[:per_class]]


def test_real_photos_get_a_plausible_mask_and_colours():
    for path in _train_photos():
        image = Image.open(path).convert("RGB")
        mask = garment_mask(image)
        assert mask.shape == (image.height, image.width)
        assert 0.05 <= mask.mean() <= 0.95, path.name
        colors = dominant_colors(image, mask)
        assert colors and all(name in PALETTE for name, _ in colors), path.name
