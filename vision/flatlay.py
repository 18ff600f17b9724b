"""Flat-lay cut-out: a garment lying on a textured floor, bed or sofa, or on a hanger before a room.

These photos show one garment, roughly centred, on a real background. GrabCut suits that: seeded with a border band as background and the inside
as probable garment, it learns colour models for both and cuts along strong edges, with no model
weights to ship. Floor that shows inside the frame (between trouser legs) would poison the first
garment model, so it is guessed from the border's colours and seeded as probable background.
The cut runs on a copy whose long side is `WORK_SIDE` pixels, which bounds the cost whatever the
upload size (vision/garment.py scales the photo down and the mask back up). When no cut is
believable (empty, or nearly the whole photo) this answers None and the caller flags the garment.
Quality on real photos: docs/mask-quality.md.
"""

import cv2
import numpy as np

GRABCUT_ITERATIONS = 3
BORDER_FRACTION = 0.04  # the band seeded as sure background; garments often reach the edge
SEED_AXES = (0.12, 0.15)  # centre ellipse always seeded as probable garment, fractions of W and H
BORDER_SAMPLES = 64  # border pixels that stand for the floor: enough for a patterned rug
BORDER_LIKE = 9.0  # Euclidean, in OpenCV's 8-bit Lab units
MIN_AREA, MAX_AREA = 0.05, 0.95  # a mask outside this share of the image is not believed
SUSPECT_FLOOR = 0.5  # share of the centre ellipse that may look like floor
KEEP_COMPONENT = 0.15  # keep pieces at least this share of the largest (a sleeve cut off by a fold)


def ellipse(shape: tuple[int, int], axes: tuple[float, float]) -> np.ndarray:
    height, width = shape
    canvas = np.zeros((height, width), np.uint8)
    half_axes = (max(1, round(width * axes[0])), max(1, round(height * axes[1])))
    cv2.ellipse(canvas, (width // 2, height // 2), half_axes, 0, 0, 360, 1, thickness=-1)
    return canvas


def flatlay_cut(rgb: np.ndarray) -> np.ndarray | None:
    """GrabCut guided by a guess of where the floor shows, else a plain cut; None when neither
    cut is believable."""
    height, width = rgb.shape[:2]
    band = max(2, round(BORDER_FRACTION * min(height, width)))
    border = np.ones((height, width), bool)
    border[band:-band, band:-band] = False
    centre = ellipse((height, width), SEED_AXES) == 1
    no_floor = np.zeros_like(border)
    floor = _like_border(rgb, border)
    # Garments are centred, so a floor guess covering the centre says the garment resembles the
    # floor (grey coat on grey carpet): the guess would carve the garment away, so drop it. This
    # also drops it for trousers whose centre is the floor between the legs, and keeps that gap.
    if floor[centre].mean() > SUSPECT_FLOOR:
        floor = no_floor
    mask = _believable(_cut(rgb, border, centre, floor))
    if mask is None and floor.any():
        mask = _believable(_cut(rgb, border, centre, no_floor))
    return mask


def _cut(rgb: np.ndarray, border: np.ndarray, centre: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Seeds: the border band is sure background, the centre and whatever is not floor are
    probable garment, the floor probable background."""
    seeds = np.where(floor & ~centre, cv2.GC_PR_BGD, cv2.GC_PR_FGD).astype(np.uint8)
    seeds[border] = cv2.GC_BGD
    return mask_cleaned(grabcut(rgb, seeds))


def _believable(mask: np.ndarray) -> np.ndarray | None:
    return mask if MIN_AREA <= mask.mean() <= MAX_AREA else None


def grabcut(rgb: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    garment = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    if garment.all() or not garment.any():
        # GrabCut needs pixels of both kinds to model (OpenCV raises otherwise): a worn garment's band
        # that misses the person's outline (a demo photo in `make run`) has no garment pixel at all.
        return garment
    background, foreground = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    cv2.grabCut(bgr, seeds, None, background, foreground, GRABCUT_ITERATIONS, cv2.GC_INIT_WITH_MASK)
    return (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)


def _like_border(rgb: np.ndarray, border: np.ndarray) -> np.ndarray:
    """Pixels whose colour matches some border pixel and that connect to the border through such
    pixels: the floor showing between trouser legs or sleeves. Seeding them as probable background
    keeps them out of GrabCut's first garment colour model; specks inside a print stay garment."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32).reshape(-1, 3)
    samples = lab[border.ravel()][np.random.default_rng(0).choice(border.sum(), BORDER_SAMPLES)]
    squared = (lab**2).sum(axis=1, keepdims=True) - 2 * lab @ samples.T + (samples**2).sum(axis=1)
    similar = (squared.min(axis=1) < BORDER_LIKE**2).reshape(border.shape).astype(np.uint8)
    similar = cv2.morphologyEx(similar, cv2.MORPH_OPEN, kernel(border.shape))
    _, labels = cv2.connectedComponents(similar | border.astype(np.uint8), connectivity=4)
    return np.isin(labels, np.unique(labels[border]))


def kernel(shape: tuple[int, ...]) -> np.ndarray:
    side = max(3, round(min(shape[:2]) / 40) | 1)
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))


def mask_cleaned(mask: np.ndarray) -> np.ndarray:
    """Open away specks, close seams, keep the big piece(s) and fill their holes (the inside of a
    neckline shows the garment's back, which is garment too)."""
    opening = kernel(mask.shape)
    binary = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, opening)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, opening)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(binary)
    if contours:
        areas = np.array([cv2.contourArea(c) for c in contours])
        kept = [c for c, a in zip(contours, areas) if a >= KEEP_COMPONENT * areas.max()]
        cv2.drawContours(filled, kept, -1, 1, thickness=-1)
    return filled.astype(bool)
