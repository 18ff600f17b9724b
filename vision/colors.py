"""Dominant colours of a garment, named with a fixed fashion palette.

Shoppers search and filter by colour words, so a colour is only useful once it has a name from a
small shared vocabulary (the demo captions use the same words). The garment's pixels are
clustered in CIE Lab, where distances roughly follow perceived differences, and each cluster
centre takes the name of the nearest palette colour by CIEDE2000, which judges dark and
desaturated colours (navy, charcoal, olive) more fairly than a plain Lab distance.
"""

import cv2
import numpy as np
from PIL import Image

# Representative sRGB values: what each word looks like on a garment photographed indoors, not
# the saturated web colour of the same name (web "navy" is #000080, far brighter than navy cloth).
PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (24, 24, 26),
    "white": (242, 242, 240),
    "grey": (135, 135, 135),
    "charcoal": (64, 66, 70),
    "navy": (32, 40, 72),
    "blue": (40, 90, 175),
    "light blue": (150, 190, 225),
    "teal": (0, 120, 125),
    "green": (45, 135, 65),
    "olive": (105, 105, 60),
    "mint": (165, 220, 190),
    "yellow": (245, 215, 55),
    "mustard": (195, 150, 50),
    "orange": (235, 125, 40),
    "red": (195, 30, 40),
    "burgundy": (115, 25, 45),
    "pink": (240, 160, 185),
    "purple": (105, 50, 135),
    "lavender": (185, 170, 215),
    "beige": (215, 195, 165),
    "cream": (242, 232, 205),
    "khaki": (185, 170, 125),
    "brown": (105, 68, 40),
    "tan": (195, 155, 110),
}
SAMPLE_SIDE = 128  # long side of the copy whose pixels are clustered
MAX_PIXELS = 4000  # a share sampled from this many pixels is off by under 1 point (1 sd)
MIN_SHARE = 0.1
EDGE = 5  # erosion kernel side on the small copy, about 2% of its long side
MIN_INNER_PIXELS = 50


def dominant_colors(image: Image.Image, mask: np.ndarray | None, k: int = 3) -> list[tuple[str, float]]:
    """Up to `k` (name, share) pairs, largest share first; shares are of the garment's pixels and
    colours under `MIN_SHARE` are left out. A mask of None (or an empty one) means the whole image."""
    lab = _garment_lab(image, mask)
    if len(lab) == 0:
        return []
    centres, counts = _clusters(lab, min(k, len(lab)))
    shares: dict[str, float] = {}
    for name, count in zip(_nearest_names(centres), counts):
        shares[name] = shares.get(name, 0.0) + count / len(lab)
    ranked = sorted(shares.items(), key=lambda pair: pair[1], reverse=True)
    return [(name, round(share, 3)) for name, share in ranked if share >= MIN_SHARE]


def color_name(rgb: tuple[int, int, int]) -> str:
    """The palette name nearest to an sRGB colour (0-255 channels)."""
    return _nearest_names(_to_lab(np.array([rgb], np.uint8)))[0]


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of broadcastable (..., 3) Lab arrays (Sharma et al., 2005)."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, np.float64), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1, a2 = a1 * (1 + g), a2 * (1 + g)
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    chroma_zero = (c1 * c2) == 0
    dh = np.where(chroma_zero, 0.0, (h2 - h1 + 180) % 360 - 180)
    h_bar = np.where(np.abs(h1 - h2) > 180, (h1 + h2 + 360) / 2, (h1 + h2) / 2) % 360
    h_bar = np.where(chroma_zero, h1 + h2, h_bar)
    l_bar, c_bar = (L1 + L2) / 2, (c1 + c2) / 2
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    r_t = (-2 * np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7))
           * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))))
    dl, dc = (L2 - L1) / s_l, (c2 - c1) / s_c
    dh = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2)) / s_h
    return np.sqrt(dl**2 + dc**2 + dh**2 + r_t * dc * dh)


def _to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (..., 3) to CIE Lab (L 0-100) under D65, as float32."""
    flat = rgb.reshape(-1, 1, 3).astype(np.float32) / 255
    return cv2.cvtColor(flat, cv2.COLOR_RGB2LAB).reshape(rgb.shape)


_PALETTE_NAMES = list(PALETTE)
_PALETTE_LAB = _to_lab(np.array(list(PALETTE.values()), np.uint8))


def _nearest_names(lab: np.ndarray) -> list[str]:
    distances = ciede2000(lab[:, None, :], _PALETTE_LAB[None, :, :])
    return [_PALETTE_NAMES[i] for i in distances.argmin(axis=1)]


def _garment_lab(image: Image.Image, mask: np.ndarray | None) -> np.ndarray:
    """Lab values of (a subsample of) the garment's pixels on a small copy of the image."""
    rgb = np.asarray(image.convert("RGB"))
    scale = min(1.0, SAMPLE_SIDE / max(rgb.shape[:2]))
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    pixels = small[_inner(mask, size)] if mask is not None and np.any(mask) else small.reshape(-1, 3)
    if len(pixels) > MAX_PIXELS:
        pixels = pixels[np.random.default_rng(0).choice(len(pixels), MAX_PIXELS, replace=False)]
    return _to_lab(pixels)


def _inner(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The mask at `size`, eroded: pixels along a mask's edge mix garment and floor. A mask too
    thin to survive erosion is used as it is."""
    small = cv2.resize(np.asarray(mask, np.uint8), size, interpolation=cv2.INTER_NEAREST)
    inner = cv2.erode(small, np.ones((EDGE, EDGE), np.uint8))
    return (inner if inner.sum() >= MIN_INNER_PIXELS else small) > 0


def _clusters(lab: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k-means centres and their pixel counts. OpenCV's k-means draws from its global generator,
    so it is reseeded first: the same photo must always get the same colours."""
    cv2.setRNGSeed(0)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(lab.astype(np.float32), k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    return centres, np.bincount(labels.ravel(), minlength=k)
