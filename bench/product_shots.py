#!/usr/bin/env python3
"""Honest product shots: real garments from the CC0 clothing train split, cut out and placed on the
plain backdrops shops use (white, light grey, two pastels), with and without a soft drop shadow.

    .venv/bin/python bench/product_shots.py [--out var/product-shots]

The shared data holds no studio product shots, so the try-on and mask benches make them. Only the
cut-outs in CHECKED are used: each was looked at by eye (2026-12-04, the flat-lay cut-out of
vision/garment.py painted over magenta at 300 x 400) and kept only when its outline follows the
garment with no floor, hanger or second garment in it. Rejected on that look, among others:
t-shirt/81b69e5f (ragged sleeve with floor), longsleeve/a3f92b52 and 71323829 (floor pieces),
shirt/bfebe88b (floor between sleeve and body), outwear/9547b148 (hanger hook kept),
shorts/be4e12cd (floor patch), dress/4c60802b (floor strip). Never reads clothing/test/.
The images are CC0 (Alexey Grigorev's clothing dataset, see ../shared/data/README.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vision.garment import garment_mask  # noqa: E402

TRAIN = ROOT.parent / "shared" / "data" / "clothing" / "train"
# (file under train/, what it is): hand-checked clean cut-outs, see the docstring.
CHECKED = [
    ("t-shirt/2cbc567c-79b1-4c37-8f31-6a452650bb80.jpg", "cream tee, navy print"),
    ("t-shirt/0f68a868-80dd-4234-8138-fba6d9ce4c7c.jpg", "black tee, photo print"),
    ("t-shirt/d6f94413-4c6f-4ccc-b4ae-9af2c7bbacd1.jpg", "grey tee, logo"),
    ("longsleeve/f000dafc-8ea1-4354-8c2b-afea5e07f354.jpg", "checked cardigan, white rib"),
    ("shirt/bb2ba16e-a2e0-4f5b-b9bd-e541cd3ad37a.jpg", "blue shirt with collar"),
    ("shirt/10cb59c5-1b8d-487a-820f-bb7caa7d8a80.jpg", "white short-sleeved blouse"),
    ("outwear/1604e827-c957-4677-a63f-180f3279d766.jpg", "purple soft-shell jacket"),
    ("outwear/1ca6b60f-add8-4cb6-a51f-168fffd27992.jpg", "red puffer vest (sleeveless)"),
    ("pants/ee1376ab-f0e2-488e-ae2a-1154b070a500.jpg", "navy slim trousers"),
    ("pants/bbfb64cc-f0f9-470e-8b5a-eece4d4438fe.jpg", "black trousers"),
    ("shorts/11874c37-90d5-4fde-89f2-cbc030554608.jpg", "printed board shorts"),
    ("shorts/0ec67bba-c4e8-4446-86f5-23d7f6f26809.jpg", "black sports shorts"),
    ("skirt/0903f4c9-a877-4832-bb9e-2a4f4b8f7f67.jpg", "black-and-white print skirt"),
    ("skirt/f8b84112-9110-4628-91e8-9d22a13767f3.jpg", "blue lace skater skirt"),
    ("dress/986d3a7e-d9e0-4c7b-a317-560797873433.jpg", "red cap-sleeve dress"),
    ("dress/9e578f34-a6df-46f6-80b0-1dfd30b7fa36.jpg", "houndstooth sleeveless dress"),
]
BACKDROPS = {"white": (255, 255, 255), "light-grey": (236, 236, 236), "pastel-pink": (246, 226, 230),
             "pastel-blue": (224, 236, 248)}
CANVAS = (600, 800)
FILL = 0.8  # the garment's larger side, as a share of the canvas's
FEATHER = 1.2  # pixels of edge blur: anti-aliased, no halo
SHADOW = (10, 14, 9, 0.28)  # offset x, y, blur sigma (pixels) and depth of the drop shadow


def cutout(name: str) -> tuple[Image.Image, np.ndarray]:
    """The checked garment cropped to its mask: RGB and a float alpha in 0..1."""
    image = Image.open(TRAIN / name).convert("RGB")
    mask = garment_mask(image)
    x, y, w, h = cv2.boundingRect(mask.astype(np.uint8))
    return image.crop((x, y, x + w, y + h)), mask[y:y + h, x:x + w].astype(np.float32)


def shot(garment: Image.Image, alpha: np.ndarray, backdrop: tuple[int, int, int],
         shadow: bool) -> tuple[Image.Image, np.ndarray]:
    """The garment centred on `backdrop`; returns the photo and the true garment mask (bool)."""
    scale = FILL * min(CANVAS[0] / garment.width, CANVAS[1] / garment.height)
    size = (round(garment.width * scale), round(garment.height * scale))
    rgb = np.asarray(garment.resize(size, Image.LANCZOS), np.float32)
    soft = cv2.GaussianBlur(cv2.resize(alpha, size, interpolation=cv2.INTER_LINEAR), (0, 0), FEATHER)[:, :, None]
    canvas = np.full((CANVAS[1], CANVAS[0], 3), backdrop, np.float32)
    x0, y0 = (CANVAS[0] - size[0]) // 2, (CANVAS[1] - size[1]) // 2
    if shadow:
        dx, dy, sigma, depth = SHADOW
        dark = np.zeros(canvas.shape[:2], np.float32)
        dark[y0 + dy:y0 + dy + size[1], x0 + dx:x0 + dx + size[0]] = soft[:, :, 0][:CANVAS[1] - y0 - dy,
                                                                                   :CANVAS[0] - x0 - dx]
        canvas *= 1 - depth * cv2.GaussianBlur(dark, (0, 0), sigma)[:, :, None]
    window = canvas[y0:y0 + size[1], x0:x0 + size[0]]
    canvas[y0:y0 + size[1], x0:x0 + size[0]] = soft * rgb + (1 - soft) * window
    truth = np.zeros(canvas.shape[:2], bool)
    truth[y0:y0 + size[1], x0:x0 + size[0]] = soft[:, :, 0] >= 0.5
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)), truth


def shots() -> list[tuple[str, Image.Image, np.ndarray]]:
    """One shot per checked garment, backdrops and shadow taken in turn: (name, photo, true mask)."""
    made = []
    for number, (name, _) in enumerate(CHECKED):
        backdrop = list(BACKDROPS)[number % len(BACKDROPS)]
        shadow = number % 2 == 0
        photo, truth = shot(*cutout(name), BACKDROPS[backdrop], shadow)
        made.append((f"{Path(name).parent.name}-{Path(name).stem[:8]}-{backdrop}{'-shadow' if shadow else ''}",
                     photo, truth))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "product-shots")
    args = parser.parse_args()
    if not TRAIN.is_dir():
        sys.exit(f"no shared data at {TRAIN}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, photo, _ in shots():
        photo.save(args.out / f"{name}.jpg", quality=92)
        print(args.out / f"{name}.jpg")


if __name__ == "__main__":
    main()
