#!/usr/bin/env python3
"""Garment cut-outs and colour names on real photos of the three styles: a contact sheet to check by
eye, IoU where the true mask is known, the caption colour agreement and the cost per image.

    .venv/bin/python bench/mask_quality.py [--sheet docs/mask-quality-sheet.jpg] [--verbose]

1. Cuts out 32 garments with `garment_cutout` (their category's region given, as enrichment does):
   16 product shots made by bench/product_shots.py from hand-checked cut-outs (their true mask is
   known, so IoU is printed), 12 flat-lays from the validation split (a fixed quota per class,
   drawn with a fixed seed so nobody chooses the easy ones) and the 4 garment photos of
   ../shared/data/people (worn by a model, or a product shot). The sheet shows each photo with the
   mask's outline in green, the landmarks in red and the style and problem under it, numbered as
   in the printed table. The verdicts are a person's: see docs/mask-quality.md.
2. Compares the first colour name with the hand-written "color" of the demo captions
   (catalog/demo/captions.json, train photos): exact, or within a family of near names.
3. Times garment_mask and dominant_colors on every validation photo (wall clock and this
   process's CPU time, which shared machines inflate less).

Never reads the held-out test split. See docs/mask-quality.md for the results.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.product_shots import shots  # noqa: E402
from tryon.engines.keypoints import garment_keypoints  # noqa: E402
from vision.colors import dominant_colors  # noqa: E402
from vision.garment import garment_cutout, garment_mask  # noqa: E402

CLOTHING = ROOT.parent / "shared" / "data" / "clothing"
PEOPLE = ROOT.parent / "shared" / "data" / "people"
REGIONS = {"t-shirt": "upper", "longsleeve": "upper", "shirt": "upper", "outwear": "upper", "pants": "lower",
           "shorts": "lower", "skirt": "lower", "dress": "full"}
PEOPLE_GARMENTS = [("omnitry_object_top_cloth.jpg", "upper"), ("fashn_garment.webp", "upper"),
                   ("omnitry_object_bottom_cloth.jpg", "lower"), ("omnitry_object_dress.jpg", "full")]
CAPTIONS = ROOT / "catalog" / "demo" / "captions.json"
QUOTA = {"t-shirt": 2, "longsleeve": 2, "pants": 2, "dress": 2, "shirt": 1, "outwear": 1, "shorts": 1, "skirt": 1}
SEED = 2024
# Names a shopper would accept for one another: a search for "blue" should not be surprised by navy.
NEAR_FAMILIES = [
    {"navy", "blue", "light blue"}, {"white", "cream", "beige"}, {"charcoal", "grey", "black"},
    {"burgundy", "red"}, {"mustard", "yellow"}, {"tan", "brown", "khaki"}, {"green", "olive", "mint"},
    {"purple", "lavender"},
]
TILE = (240, 320)
COLUMNS = 8


def checked_photos() -> list[Path]:
    rng = random.Random(SEED)
    validation = CLOTHING / "validation"
    return [validation / cls / name for cls, count in QUOTA.items()
            for name in rng.sample(sorted(os.listdir(validation / cls)), count)]


def load(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB")


def outlined(image: Image.Image, mask: np.ndarray, points: dict, label: str) -> Image.Image:
    pixels = np.array(image)
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(pixels, contours, -1, (0, 255, 0), thickness=max(3, image.width // 100))
    for x, y in points.values():
        cv2.circle(pixels, (round(x), round(y)), max(4, image.width // 60), (255, 0, 40), thickness=-1)
    tile = Image.fromarray(pixels)
    tile.thumbnail(TILE)
    framed = Image.new("RGB", (TILE[0], TILE[1] + 18), "white")
    framed.paste(tile, ((TILE[0] - tile.width) // 2, 0))
    ImageDraw.Draw(framed).text((4, TILE[1] + 3), label, fill="black")
    return framed


def contact_sheet(tiles: list[Image.Image]) -> Image.Image:
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * tiles[0].width, rows * tiles[0].height), "white")
    for index, tile in enumerate(tiles):
        sheet.paste(tile, ((index % COLUMNS) * tile.width, (index // COLUMNS) * tile.height))
    return sheet


def format_colors(colors: list[tuple[str, float]]) -> str:
    return ", ".join(f"{name} {share:.2f}" for name, share in colors)


def checked_set() -> list[tuple[str, Image.Image, str, np.ndarray | None]]:
    """(name, photo, region, true mask or None) for the three styles."""
    made = [(name, photo, REGIONS[next(c for c in REGIONS if name.startswith(c + "-"))], truth)
            for name, photo, truth in shots()]
    made += [(f"{path.parent.name}-{path.stem[:8]}", load(path), REGIONS[path.parent.name], None)
             for path in checked_photos()]
    made += [(name.split(".")[0], load(PEOPLE / name), region, None) for name, region in PEOPLE_GARMENTS]
    return made


def checked_table(sheet_path: Path | None) -> None:
    print("| # | photo | region | style | problem | area | IoU | colours | verdict |\n|---|---|---|---|---|---|---|---|---|")
    tiles = []
    for number, (name, image, region, truth) in enumerate(checked_set(), start=1):
        cutout = garment_cutout(image, region=region)
        iou = f"{(cutout.mask & truth).sum() / (cutout.mask | truth).sum():.3f}" if truth is not None else "—"
        colors = dominant_colors(image, cutout.mask)
        print(f"| {number} | {name} | {region} | {cutout.style} | {cutout.problem or '—'} | {cutout.mask.mean():.2f} "
              f"| {iou} | {format_colors(colors)} | |")
        tiles.append(outlined(image, cutout.mask, garment_keypoints(cutout.mask, region),
                              f"{number}. {name[:22]} {cutout.style} {cutout.problem} {iou if truth is not None else ''}"))
    if sheet_path:
        contact_sheet(tiles).save(sheet_path, quality=80, optimize=True)
        print(f"\ncontact sheet: {sheet_path} ({sheet_path.stat().st_size // 1024} KB)")


def is_near(first: str, expected: str) -> bool:
    return first == expected or any(first in family and expected in family for family in NEAR_FAMILIES)


def caption_agreement(verbose: bool) -> None:
    captions = {key: caption["color"] for key, caption in json.loads(CAPTIONS.read_text()).items()
                if "color" in caption}
    exact = near = 0
    for key, expected in captions.items():
        image = load(CLOTHING / "train" / key)
        colors = dominant_colors(image, garment_mask(image))
        first = colors[0][0] if colors else ""
        exact += first == expected
        near += is_near(first, expected)
        if verbose and first != expected:
            print(f"  {key}: caption {expected}, got {format_colors(colors)}"
                  f"{' (near)' if is_near(first, expected) else ''}")
    total = len(captions)
    print(f"\ncaption colour, first name: exact {exact}/{total} ({exact / total:.0%}), "
          f"exact or near {near}/{total} ({near / total:.0%})")


def timings() -> None:
    photos = sorted((CLOTHING / "validation").glob("*/*.jpg"))
    spent = {"garment_mask": [0.0, 0.0], "dominant_colors": [0.0, 0.0]}
    for path in photos:
        image = load(path)
        mask = _timed(spent["garment_mask"], garment_mask, image)
        _timed(spent["dominant_colors"], dominant_colors, image, mask)
    print(f"\ntime per photo over {len(photos)} validation photos "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs):")
    for name, (wall, cpu) in spent.items():
        print(f"  {name}: {1000 * wall / len(photos):.0f} ms wall, {1000 * cpu / len(photos):.0f} ms CPU")


def _timed(totals: list[float], function, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    totals[0] += time.perf_counter() - wall
    totals[1] += time.process_time() - cpu
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheet", type=Path, default=ROOT / "docs" / "mask-quality-sheet.jpg")
    parser.add_argument("--verbose", action="store_true", help="list the caption colour mismatches")
    args = parser.parse_args()
    if not CLOTHING.is_dir():
        sys.exit(f"no shared data at {CLOTHING}")
    checked_table(args.sheet)
    caption_agreement(args.verbose)
    timings()


if __name__ == "__main__":
    main()
