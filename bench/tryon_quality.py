#!/usr/bin/env python3
"""The warp try-on engine on every usable people photo x 19 garments of the three photo styles:
a contact sheet to judge by eye, and objective figures per try-on.

    .venv/bin/python bench/tryon_quality.py [--sheet docs/tryon-quality-sheet.jpg] [--repeat 3] [--csv out.csv]

Garments (19, fixed; nobody picks the easy ones per photo):
- 12 product shots: 11 made by bench/product_shots.py (hand-checked cut-outs of clothing/train
  garments placed on white, light grey or pastel, half of them with a soft drop shadow: made, not
  photographed, and said so on the sheet) and the one real product shot of ../shared/data/people
  (a hoodie on light grey);
- 4 flat-lays: the first photo of the validation split's t-shirt, longsleeve, pants and skirt
  folders whose cut-out carries no problem;
- 3 worn: the garment photos of ../shared/data/people worn by a model (a T-shirt, shorts, a dress).
Each garment goes through garment_cutout and garment_keypoints, as enrichment does. Never reads
clothing/test/.

Per try-on (photos resized to 768 x 1024, those person_analyse accepts, garments whose region the
photo shows):
- outside: garment pixels (final coverage over half) outside the silhouette the garment may cover
  (tryon.engines.body.garment_silhouette: the person, minus the head, plus the flare of skirts and
  dresses). Target 0.
- residue: share of the old garment's pixels (the replaced region, less bare skin and arms in
  front) that the new garment does not cover and that still show the photo's old colour (CIE76
  distance under RESIDUE_DELTA to the original pixel).
- outside_diff: the largest pixel change outside the edited region. Must be 0.
- seconds: render only, the preprocessing (pose, person mask, cut-out, landmarks) cached.
The sheet numbers every cell (photo | garment | result, the photos framed on the person); the
verdicts are in docs/tryon-quality.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.product_shots import BACKDROPS, CHECKED, cutout, shot  # noqa: E402
from tryon.engines.base import GarmentInput, RenderFailed  # noqa: E402
from tryon.engines.compositing import composite, edited_region  # noqa: E402
from tryon.engines.keypoints import garment_keypoints  # noqa: E402
from tryon.engines.person import PhotoUnusable, person_analyse, usable_for  # noqa: E402
from tryon.engines.warp import garment_fit  # noqa: E402
from vision.garment import garment_cutout  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PEOPLE, VALIDATION = DATA / "people", DATA / "clothing" / "validation"
SIZE = (768, 1024)
REGIONS = {"t-shirt": "upper", "longsleeve": "upper", "shirt": "upper", "outwear": "upper", "pants": "lower",
           "shorts": "lower", "skirt": "lower", "dress": "full"}
# Indices into bench.product_shots.CHECKED, each with its backdrop and shadow.
PRODUCT = [(0, "white", True), (2, "light-grey", False), (3, "white", False), (4, "pastel-blue", True),
           (6, "light-grey", True), (7, "white", False), (8, "pastel-pink", False), (10, "white", True),
           (12, "light-grey", False), (14, "white", True), (15, "pastel-pink", True)]
REAL_PRODUCT = [("omnitry_object_top_cloth.jpg", "upper", "hoodie")]
FLAT_LAY = ["t-shirt", "longsleeve", "pants", "skirt"]
WORN = [("fashn_garment.webp", "upper", "tee"), ("omnitry_object_bottom_cloth.jpg", "lower", "shorts"),
        ("omnitry_object_dress.jpg", "full", "dress")]
RESIDUE_DELTA = 12.0
TILE = (150, 200)
COLUMNS = 4


@dataclass
class Garment:
    label: str
    style: str
    input: GarmentInput


def _garment(image: Image.Image, region: str, label: str, style: str) -> Garment | None:
    cut = garment_cutout(image, region=region)
    if cut.problem:
        print(f"skip {label}: cut-out flagged {cut.problem}", file=sys.stderr)
        return None
    return Garment(label, style, GarmentInput(image=image, mask=cut.mask, region=region,
                                              keypoints=garment_keypoints(cut.mask, region)))


def garments() -> list[Garment]:
    found = []
    for index, backdrop, shadow in PRODUCT:
        name, words = CHECKED[index]
        photo, _ = shot(*cutout(name), BACKDROPS[backdrop], shadow)
        label = f"{words} (made: {backdrop}{', shadow' if shadow else ''})"
        found.append(_garment(photo, REGIONS[name.split("/")[0]], label, "product"))
    for file, region, words in REAL_PRODUCT:
        found.append(_garment(Image.open(PEOPLE / file).convert("RGB"), region, f"{words} (real shot)", "product"))
    for cls in FLAT_LAY:
        for path in sorted((VALIDATION / cls).glob("*.jpg")):
            garment = _garment(Image.open(path).convert("RGB"), REGIONS[cls], f"{cls} {path.stem[:8]}", "flat-lay")
            if garment is not None:
                found.append(garment)
                break
    for file, region, words in WORN:
        found.append(_garment(Image.open(PEOPLE / file).convert("RGB"), region, f"{words} on a model", "worn"))
    return [garment for garment in found if garment is not None]


def photos() -> dict[str, Image.Image]:
    paths = sorted(p for p in PEOPLE.glob("*") if p.suffix.lower() in (".jpg", ".webp") and "object" not in p.name
                   and p.name != "fashn_garment.webp")
    return {p.stem: Image.open(p).convert("RGB").resize(SIZE, Image.LANCZOS) for p in paths}


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


def measures(photo: np.ndarray, result: np.ndarray, fit) -> dict:
    covered = fit.garment_alpha > 0.5
    old = fit.region & ~fit.bare & ~fit.in_front
    uncovered = old & ~covered
    same = np.linalg.norm(_lab(result) - _lab(photo), axis=2) < RESIDUE_DELTA
    edited = edited_region(fit)
    return {"outside": int((covered & ~fit.allowed).sum()),
            "residue": float((uncovered & same).sum() / max(int(old.sum()), 1)),
            "outside_diff": int(np.abs(result.astype(int) - photo.astype(int))[~edited].max(initial=0))}


def run(repeat: int, only_photo: str = "", only_garment: str = "") -> tuple[list[dict], list[tuple]]:
    """Every try-on, or those whose photo and garment names contain the two filters; a cell keeps
    its number in the whole sheet either way, so a filtered run's cells match the verdict table."""
    rows, tiles, items, number = [], [], garments(), 0
    for name, image in photos().items():
        try:
            analysis = person_analyse(image)
        except PhotoUnusable as refusal:
            print(f"skip {name}: {refusal.message}", file=sys.stderr)
            continue
        photo = np.asarray(image)
        for garment in items:
            if usable_for(analysis, garment.input.region) is not None:
                continue
            number += 1
            if only_photo not in name or only_garment not in garment.label:
                continue
            seconds = []
            try:
                garment_fit(photo=photo, analysis=analysis, garment=garment.input)
            except RenderFailed as refusal:  # the engine says why it cannot fit this garment to this pose
                print(f"refused {number}. {name} / {garment.label}: {refusal}", file=sys.stderr)
                continue
            for _ in range(repeat):
                start = time.perf_counter()
                fit = garment_fit(photo=photo, analysis=analysis, garment=garment.input)
                result = composite(photo=photo, fit=fit, report=lambda *a: None)
                seconds.append(time.perf_counter() - start)
            rows.append({"cell": number, "photo": name, "garment": garment.label, "style": garment.style,
                         "region": garment.input.region, **measures(photo, result, fit), "seconds": seconds})
            tiles.append((f"{number}. {name.replace('omnitry_person_', '')} / {garment.label}",
                          garment.input.image, image, Image.fromarray(result), _framed(analysis.person_mask)))
    return rows, tiles


def _framed(person: np.ndarray) -> tuple[int, int, int, int]:
    """A 3:4 box around the person (the sheet shows the person, not the street around them)."""
    ys, xs = np.nonzero(person)
    height = max(ys.max() - ys.min(), (xs.max() - xs.min()) * 4 / 3) * 1.08
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    width = height * 3 / 4
    left = int(np.clip(cx - width / 2, 0, max(0, person.shape[1] - width)))
    top = int(np.clip(cy - height / 2, 0, max(0, person.shape[0] - height)))
    return left, top, int(left + min(width, person.shape[1])), int(top + min(height, person.shape[0]))


def table(rows: list[dict]) -> str:
    lines = ["| style / region | try-ons | outside silhouette px (max, tops+trousers max) | residue share "
             "(mean, max) | max change outside edited | p50 / p99 s |", "|---|---|---|---|---|---|"]
    groups = [("product", None), ("flat-lay", None), ("worn", None), (None, "upper"), (None, "lower"),
              (None, "full"), (None, None)]
    for style, region in groups:
        chosen = [r for r in rows if style in (None, r["style"]) and region in (None, r["region"])]
        if not chosen:
            continue
        seconds = np.concatenate([r["seconds"] for r in chosen])
        strict = [r["outside"] for r in chosen if r["region"] == "upper" or (r["region"] == "lower"
                                                                           and "skirt" not in r["garment"])]
        residue = np.array([r["residue"] for r in chosen])
        lines.append(f"| {style or region or 'all'} | {len(chosen)} | {max(r['outside'] for r in chosen)}, "
                     f"{max(strict, default=0)} | {residue.mean():.3f}, {residue.max():.3f} "
                     f"| {max(r['outside_diff'] for r in chosen)} "
                     f"| {np.percentile(seconds, 50):.2f} / {np.percentile(seconds, 99):.2f} |")
    return "\n".join(lines)


def contact_sheet(tiles: list[tuple], path: Path) -> None:
    width, height = TILE
    rows = (len(tiles) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * 3 * width, rows * (height + 14)), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (label, garment, before, after, box) in enumerate(tiles):
        x, y = (index % COLUMNS) * 3 * width, (index // COLUMNS) * (height + 14)
        thumb = garment.copy()
        thumb.thumbnail(TILE)
        sheet.paste(before.crop(box).resize(TILE, Image.LANCZOS), (x, y + 14))
        sheet.paste(thumb, (x + width + (width - thumb.width) // 2, y + 14 + (height - thumb.height) // 2))
        sheet.paste(after.crop(box).resize(TILE, Image.LANCZOS), (x + 2 * width, y + 14))
        draw.text((x + 3, y + 1), label[:70], fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path, format="JPEG", quality=70, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheet", type=Path, default=ROOT / "docs" / "tryon-quality-sheet.jpg")
    parser.add_argument("--repeat", type=int, default=3, help="renders per try-on, for the timing")
    parser.add_argument("--csv", type=Path, help="also write one row per try-on here")
    parser.add_argument("--cells", type=Path, help="also save every result at full size in this folder (PNG)")
    parser.add_argument("--photo", default="", help="only the photos whose name contains this")
    parser.add_argument("--garment", default="", help="only the garments whose label contains this")
    args = parser.parse_args()
    if not PEOPLE.exists() or not VALIDATION.exists():
        sys.exit(f"no shared data at {DATA}")
    cv2.setNumThreads(os.cpu_count() or 1)
    rows, tiles = run(args.repeat, args.photo, args.garment)
    print(table(rows))
    contact_sheet(tiles, args.sheet)
    print(f"\ncontact sheet: {args.sheet} ({args.sheet.stat().st_size // 1024} KiB)")
    if args.csv:
        with args.csv.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[k for k in rows[0] if k != "seconds"] + ["p50_s"])
            writer.writeheader()
            for row in rows:
                writer.writerow({**{k: v for k, v in row.items() if k != "seconds"},
                                 "p50_s": round(float(np.median(row["seconds"])), 3)})
    if args.cells:
        args.cells.mkdir(parents=True, exist_ok=True)
        for row, (_, garment, before, after, box) in zip(rows, tiles):
            strip = Image.new("RGB", (3 * 384, 512), "white")
            thumb = garment.copy()
            thumb.thumbnail((384, 512))
            strip.paste(before.crop(box).resize((384, 512)), (0, 0))
            strip.paste(thumb, (384, 0))
            strip.paste(after.crop(box).resize((384, 512)), (768, 0))
            strip.save(args.cells / f"{row['cell']:03d}.png")


if __name__ == "__main__":
    main()
