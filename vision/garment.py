"""Garment cut-out for every photo style, and the reasons a cut-out cannot be trusted.

A catalog photo shows a garment in one of three styles, each cut its own way:
- "product": on a plain white, light grey or pastel backdrop (vision/backdrop.py);
- "worn": on a model, cut from the person (vision/worn.py), tried first when the caller knows the
  garment's body region and pose finds a person;
- "flat_lay": lying on a textured floor, bed or sofa, or on a hanger before a room (vision/flatlay.py).
A hanger's hook is thin and sits above the middle of the garment, so it is opened away there.

A cut-out that cannot be trusted carries a problem (vision/garment_problems.py holds the codes and
the words a curator reads); the mask is still returned (a centre ellipse when nothing was found) so
that search can use it, but try-on refuses the garment. Quality on real photos: docs/mask-quality.md.
"""

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from vision.backdrop import backdrop_colour, backdrop_cut
from vision.flatlay import BORDER_FRACTION, ellipse, flatlay_cut, mask_cleaned
from vision.garment_problems import FLAT_LAY, PRODUCT, WORN
from vision.worn import worn_cut

WORK_SIDE = 192  # long side of the copy the cut runs on: bounds the cost whatever the upload size
FALLBACK_AXES = (0.38, 0.44)  # centre ellipse used when nothing is found (garments are centred)
TOO_SMALL = 0.03  # share of the photo
SEVERAL = 0.3  # a second piece at least this share of the largest is another garment
FRAME_TOUCH = 0.2  # share of one side of the photo the garment may run along
HOOK_ROWS, HOOK_COLUMNS = 0.2, 0.2  # the hook's zone: top rows, and half-width around the centre (shares)
HOOK_THICKNESS = 0.06  # parts thinner than this share of the garment's width are hook, not garment


@dataclass(frozen=True)
class Cutout:
    mask: np.ndarray  # bool H x W, the photo's size, True on the garment
    style: str  # PRODUCT, FLAT_LAY or WORN
    problem: str  # "" when clean, else a key of PROBLEMS


def garment_cutout(image: Image.Image, *, region: str | None = None) -> Cutout:
    """The garment in `image`; `region` (vision.regions) allows cutting a worn garment from a person."""
    image = image.convert("RGB")
    small = _downscaled(np.asarray(image))
    style, mask, margin = _cut(image, small, region)
    problem = _problem(mask, margin)
    if mask is None:
        mask = ellipse(small.shape[:2], FALLBACK_AXES).astype(bool)
    full = cv2.resize(mask.astype(np.uint8) * 255, image.size, interpolation=cv2.INTER_LINEAR)
    return Cutout(mask=full >= 128, style=style, problem=problem)


def garment_mask(image: Image.Image) -> np.ndarray:
    """A bool H x W mask (same size as `image`), True on the garment, for any photo style but worn."""
    return garment_cutout(image).mask


def mask_to_png_bytes(mask: np.ndarray) -> bytes:
    """The mask as an 8-bit greyscale PNG, 255 on the garment, for an ImageField."""
    buffer = io.BytesIO()
    Image.fromarray(np.where(mask, 255, 0).astype(np.uint8), mode="L").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _cut(image: Image.Image, small: np.ndarray, region: str | None) -> tuple[str, np.ndarray | None, int]:
    """(style, mask at the small size or None, how far from the frame the cut could reach)."""
    if region is not None and (worn := worn_cut(image, small, region)) is not None:
        return WORN, _kept(worn), 1
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)
    if (colour := backdrop_colour(lab)) is not None:
        return PRODUCT, _kept(_hook_removed(backdrop_cut(lab, colour))), 1
    band = max(2, round(BORDER_FRACTION * min(small.shape[:2])))
    cut = flatlay_cut(small)
    return FLAT_LAY, None if cut is None else _kept(_hook_removed(cut)), band + 1


def _kept(mask: np.ndarray) -> np.ndarray | None:
    cleaned = mask_cleaned(mask)
    return cleaned if cleaned.any() else None


def _problem(mask: np.ndarray | None, margin: int) -> str:
    if mask is None:
        return "not_found"
    if mask.mean() < TOO_SMALL:
        return "too_small"
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]
    if len(areas) > 1 and areas[1] >= SEVERAL * areas[0]:
        return "several_garments"
    sides = (mask[:margin + 1].any(axis=0), mask[-margin - 1:].any(axis=0),
             mask[:, :margin + 1].any(axis=1), mask[:, -margin - 1:].any(axis=1))
    return "touches_frame" if max(side.mean() for side in sides) > FRAME_TOUCH else ""


def _hook_removed(mask: np.ndarray) -> np.ndarray:
    """The mask without thin parts in the hook's zone (top middle): a hanger's hook or wire. Straps
    of a sleeveless top lie off the middle and stay."""
    if not mask.any():
        return mask
    x, y, width, height = cv2.boundingRect(mask.astype(np.uint8))
    side = max(3, round(HOOK_THICKNESS * width) | 1)
    thick = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))).astype(bool)
    zone = np.zeros_like(mask)
    centre, half = x + width / 2, HOOK_COLUMNS * width
    zone[y:y + round(HOOK_ROWS * height), max(0, round(centre - half)):round(centre + half) + 1] = True
    return mask & (thick | ~zone)


def _downscaled(rgb: np.ndarray) -> np.ndarray:
    scale = WORK_SIDE / max(rgb.shape[:2])
    if scale >= 1:
        return rgb
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
