#!/usr/bin/env python3
"""The warp try-on engine on the real people photos with demo catalog garments.

    .venv/bin/python bench/tryon_warp.py [--sheet docs/tryon-warp-contact-sheet.jpg] [--repeat 3]

1. Loads every photo in shared/data/people, resized to 768 x 1024 (as the brief's timing size;
   2:3 photos are stretched a little sideways), and keeps those person_analyse accepts.
2. Pairs each with a fixed pick of demo garments (tops, bottoms, dresses: the first files of
   each class folder, so nobody chooses the easy ones), wherever usable_for(region) is None.
3. For each pair: the largest absolute pixel difference outside the edited region (region mask
   united with the warped garment mask, grown by the feather radius; must be 0), the IoU of the
   pasted garment (warped mask over half) with the region mask, and the seconds per try-on with
   cached preprocessing (render only) and without (person_analyse + garment_mask +
   garment_keypoints + render).
4. Prints a Markdown table (one row per region, then all) and writes a contact sheet of
   garment / before / after triplets: per photo one top, bottom and dress where usable, the
   garment of each region taking turns from photo to photo.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tryon.engines.base import GarmentInput  # noqa: E402
from tryon.engines.body import region_mask  # noqa: E402
from tryon.engines.compositing import FEATHER  # noqa: E402
from tryon.engines.keypoints import garment_keypoints  # noqa: E402
from tryon.engines.person import PhotoUnusable, person_analyse, usable_for  # noqa: E402
from tryon.engines.warp import WarpEngine, garment_parts, warp_garment  # noqa: E402
from vision.garment import garment_mask  # noqa: E402

PEOPLE = ROOT.parent / "shared" / "data" / "people"
CATALOG = ROOT / "catalog" / "demo"
SIZE = (768, 1024)
PICKS = {"t-shirt": 2, "shirt": 1, "longsleeve": 1, "outwear": 1, "pants": 2, "shorts": 1, "skirt": 1, "dress": 2}
REGION = {"t-shirt": "upper", "shirt": "upper", "longsleeve": "upper", "outwear": "upper",
          "pants": "lower", "shorts": "lower", "skirt": "lower", "dress": "full"}
TILE = (180, 240)
COLUMNS = 3


def garments() -> list[GarmentInput]:
    captions = json.loads((CATALOG / "captions.json").read_text())
    picked = []
    for cls, count in PICKS.items():
        for path in sorted((CATALOG / cls).glob("*.jpg"))[:count]:
            picked.append(garment_input(path, REGION[cls], captions.get(f"{cls}/{path.name}", {})))
    return picked


def garment_input(path: Path, region: str, attributes: dict) -> GarmentInput:
    image = Image.open(path).convert("RGB")
    mask = garment_mask(image)
    return GarmentInput(image=image, mask=mask, region=region, keypoints=garment_keypoints(mask, region),
                        attributes={**attributes, "path": str(path)})


def photos() -> dict[str, Image.Image]:
    paths = sorted(p for p in PEOPLE.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
    return {p.stem: Image.open(p).convert("RGB").resize(SIZE, Image.LANCZOS) for p in paths}


def edited_region(analysis, garment: GarmentInput, region: np.ndarray) -> np.ndarray:
    parts = garment_parts(analysis=analysis, garment=garment)
    _, alpha = warp_garment(garment=garment, parts=parts, size=(analysis.width, analysis.height))
    radius = max(2, round(FEATHER * max(analysis.width, analysis.height)))
    grown = cv2.dilate((region | (alpha > 0)).astype(np.uint8), np.ones((2 * radius + 1,) * 2, np.uint8))
    return grown > 0, alpha > 0.5


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def uncached_seconds(photo: Image.Image, garment: GarmentInput, engine: WarpEngine) -> float:
    start = time.perf_counter()
    analysis = person_analyse(photo)
    mask = garment_mask(garment.image)
    fresh = GarmentInput(image=garment.image, mask=mask, region=garment.region,
                         keypoints=garment_keypoints(mask, garment.region), attributes=garment.attributes)
    engine.render(person=photo, analysis=analysis, garment=fresh, report=lambda *a: None, options={})
    return time.perf_counter() - start


def run(repeat: int) -> tuple[list[dict], list[tuple]]:
    engine, rows, tiles = WarpEngine(), [], []
    items = garments()
    for number, (name, photo) in enumerate(photos().items()):
        try:
            analysis = person_analyse(photo)
        except PhotoUnusable as refusal:
            print(f"skip {name}: {refusal.message}", file=sys.stderr)
            continue
        shown = _shown(items, number)
        for garment in items:
            if usable_for(analysis, garment.region) is not None:
                continue
            seconds = []
            for _ in range(repeat):
                result, spent = timed(engine.render, person=photo, analysis=analysis, garment=garment,
                                      report=lambda *a: None, options={})
                seconds.append(spent)
            region = region_mask(analysis, garment.region, length=garment.attributes.get("length"))
            edited, pasted = edited_region(analysis, garment, region)
            after, before = np.asarray(result).astype(int), np.asarray(photo).astype(int)
            rows.append({"photo": name, "garment": Path(garment.attributes["path"]).parent.name,
                         "region": garment.region, "outside_diff": int(np.abs(after - before)[~edited].max(initial=0)),
                         "iou": float((pasted & region).sum() / max((pasted | region).sum(), 1)),
                         "cached": seconds, "uncached": uncached_seconds(photo, garment, engine)})
            if any(garment is chosen for chosen in shown):
                tiles.append((f"{name} / {rows[-1]['garment']}", garment.image, photo, result))
    return rows, tiles


def _shown(items: list[GarmentInput], number: int) -> list[GarmentInput]:
    """One garment per region for the sheet, taking turns photo by photo so every garment shows."""
    by_region = {}
    for garment in items:
        by_region.setdefault(garment.region, []).append(garment)
    return [choices[number % len(choices)] for choices in by_region.values()]


def table(rows: list[dict]) -> str:
    lines = ["| region | try-ons | max abs diff outside edited region | IoU garment vs region (mean, min) "
             "| cached p50 / p99 s | uncached p50 / p99 s |", "|---|---|---|---|---|---|"]
    for region in ("upper", "lower", "full", "all"):
        chosen = [r for r in rows if region in ("all", r["region"])]
        if not chosen:
            continue
        cached = np.concatenate([r["cached"] for r in chosen])
        uncached = np.array([r["uncached"] for r in chosen])
        ious = np.array([r["iou"] for r in chosen])
        lines.append(f"| {region} | {len(chosen)} | {max(r['outside_diff'] for r in chosen)} "
                     f"| {ious.mean():.2f}, {ious.min():.2f} "
                     f"| {np.percentile(cached, 50):.2f} / {np.percentile(cached, 99):.2f} "
                     f"| {np.percentile(uncached, 50):.2f} / {np.percentile(uncached, 99):.2f} |")
    return "\n".join(lines)


def contact_sheet(tiles: list[tuple], path: Path) -> None:
    width, height = TILE
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * 3 * width, rows * (height + 16)), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (label, garment, before, after) in enumerate(tiles):
        x, y = (index % COLUMNS) * 3 * width, (index // COLUMNS) * (height + 16)
        thumb = garment.copy()
        thumb.thumbnail(TILE)
        sheet.paste(thumb, (x + (width - thumb.width) // 2, y + 16 + (height - thumb.height) // 2))
        sheet.paste(before.resize(TILE, Image.LANCZOS), (x + width, y + 16))
        sheet.paste(after.resize(TILE, Image.LANCZOS), (x + 2 * width, y + 16))
        draw.text((x + 4, y + 2), f"{index + 1}. {label}", fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, format="JPEG", quality=82, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheet", type=Path, default=ROOT / "docs" / "tryon-warp-contact-sheet.jpg")
    parser.add_argument("--repeat", type=int, default=3, help="cached renders per pair")
    args = parser.parse_args()
    if not PEOPLE.exists():
        sys.exit(f"no people photos at {PEOPLE}")
    cv2.setNumThreads(os.cpu_count() or 1)
    rows, tiles = run(args.repeat)
    print(table(rows))
    contact_sheet(tiles, args.sheet)
    print(f"\ncontact sheet: {args.sheet} ({args.sheet.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
