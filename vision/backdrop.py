"""Product-shot cut-out: a garment on a plain backdrop (white, light grey, pastel), the way shops
photograph them.

The backdrop is the region connected to the photo's border through pixels of the backdrop's own
colour, so everything the border cannot reach is garment: a white print on a shirt or the white
collar of a navy polo on a white backdrop is enclosed by the garment and stays garment, where a
colour rule ("near white is background") would punch it out. A soft shadow under the garment is
darker backdrop of the same hue whose brightness changes slowly, so the fill may pass through
pixels of the backdrop's hue and any lightness at or below it as long as they are smooth; the
garment's outline is a sharp step, which stops it. Nothing here is learned: colours are compared
in OpenCV's 8-bit Lab.
"""

import cv2
import numpy as np

BORDER = 3  # pixels of each edge that stand for the backdrop
PLAIN_SPREAD = 6.0  # Lab distance from the border's median within which PLAIN_SHARE of the border lies
PLAIN_SHARE = 0.7  # a garment may run off one side
BACKDROP_LIKE = 10.0  # Lab distance to the backdrop colour still counted as backdrop
SHADOW_CHROMA = 6.0  # a shadow keeps the backdrop's hue: a and b this close
SHADOW_DEPTH = 60.0  # and is at most this much darker (L units)
GARMENT_AT_LEAST = 0.6  # share of the garment-and-shadow region the garment keeps: a shadow is a rim
SMOOTH = 20.0  # Lab gradient (per pixel, Sobel / 8) below which a pixel is smooth enough to be shadow


def backdrop_colour(lab: np.ndarray) -> np.ndarray | None:
    """The backdrop's Lab colour when the photo's border is one near-uniform colour, else None."""
    ring = _ring(lab.shape[:2])
    samples = lab[ring].astype(np.float32)
    median = np.median(samples, axis=0)
    near = np.linalg.norm(samples - median, axis=1) <= PLAIN_SPREAD
    return median if near.mean() >= PLAIN_SHARE else None


def backdrop_cut(lab: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Bool mask of what the backdrop's border-connected region does not reach: the garment."""
    pixels = lab.astype(np.float32)
    distance = np.linalg.norm(pixels - colour, axis=2)
    chroma = np.abs(pixels[:, :, 1:] - colour[1:]).max(axis=2)
    darker = (pixels[:, :, 0] <= colour[0] + BACKDROP_LIKE) & (pixels[:, :, 0] >= colour[0] - SHADOW_DEPTH)
    like = distance <= BACKDROP_LIKE
    strict = _reached(like)
    shadow = (chroma <= SHADOW_CHROMA) & darker
    backdrop = _reached(like | (shadow & (_gradient(pixels) <= SMOOTH)))
    # The Sobel window straddles the garment's outline, so the shadow's last pixel beside it is not
    # smooth: let the backdrop take one more step into pixels of its own hue.
    grown = cv2.dilate(backdrop.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    garment = ~(backdrop | (grown & shadow))
    # A shadow is a rim. When "shadow" took most of what the backdrop's own colour left, the fill ran
    # into a white or pale grey garment through a soft edge: keep the garment and its shadow rim.
    return garment if garment.sum() >= GARMENT_AT_LEAST * (~strict).sum() else ~strict


def _reached(passable: np.ndarray) -> np.ndarray:
    """The `passable` pixels connected to the border through passable pixels."""
    _, labels = cv2.connectedComponents(passable.astype(np.uint8), connectivity=4)
    ring = _ring(passable.shape)
    return np.isin(labels, np.unique(labels[ring & passable])) & passable


def _gradient(lab: np.ndarray) -> np.ndarray:
    """Largest per-channel Sobel magnitude, in Lab units per pixel."""
    magnitude = np.zeros(lab.shape[:2], np.float32)
    for channel in range(3):
        gx = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 0, 1, ksize=3)
        magnitude = np.maximum(magnitude, np.hypot(gx, gy) / 8)
    return magnitude


def _ring(shape: tuple[int, int]) -> np.ndarray:
    ring = np.ones(shape, bool)
    ring[BORDER:-BORDER, BORDER:-BORDER] = False
    return ring
