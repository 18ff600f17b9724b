#!/usr/bin/env python3
"""Search quality of the default encoder on real garment photos, beside random retrieval.

    .venv/bin/python bench/search_quality.py [--limit-per-class N] [--report-test]

Latency benches say how fast search is; this one says whether what it finds is any good, which
is what a shopper notices. Everything runs through the project's own code paths, in a scratch
SQLite database and media folder that are deleted afterwards:

1. Catalog: `import_catalog` of clothing/train, analysis (GrabCut mask, dominant colours, title:
   `item_analyse`, timed on its own), then `build_search_index` (image descriptors, MiniLM item
   texts, both indexes). Reports items/s for each stage.
2. Image -> image: each validation photo is masked (`garment_mask`), encoded and searched in the
   image index, top 10 with no category filter. Precision@10 by class (the dataset folder in
   `source_id`) and by category (tops/bottoms/dresses), per class, macro and micro, beside the
   precision random retrieval would get (the class's or category's share of the catalog).
3. Text -> image through `search_text`: class-name queries and colour + class queries built from
   the three commonest detected first colours of each class. Hit rate@10 and precision@10 beside
   random retrieval.
4. `--report-test` runs step 2 once on the held-out test split. Nothing is tuned on it.

A full run (2,747 catalog photos, 301 queries) takes about 9 CPU-minutes: 12.5 minutes of wall
time on 2 shared cores, with --report-test. Results and how to read them: bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
CLOTHING = ROOT.parent / "shared" / "data" / "clothing"
K = 10
COLOURS_PER_CLASS = 3
# What a shopper would type for each dataset class; "jacket" and "long sleeve top" are not the
# folder names, so they are the queries that word overlap alone cannot answer.
CLASS_QUERIES = {"dress": "dress", "t-shirt": "t-shirt", "shirt": "shirt", "longsleeve": "long sleeve top",
                 "outwear": "jacket", "pants": "pants", "shorts": "shorts", "skirt": "skirt"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def django_setup(workdir: Path) -> None:
    """Point Django at a scratch database, media folder and index; the default encoder, offline."""
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "ovdr.settings", "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"), "SEARCH_INDEX_DIR": str(workdir / "index"),
        "SEARCH_ENRICH_ON_SAVE": "False", "SEARCH_ENCODER": "default",
        "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
    })
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- 1. Catalog ------------------------------------------------------------------------------

Timings = dict[str, tuple[float, float]]  # stage -> (wall seconds, this process's CPU seconds)


@contextmanager
def timed(timings: Timings, name: str):
    """Add the block's wall and CPU time to timings[name]. CPU time is reported beside wall time
    because a shared machine inflates wall time much more."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        before = timings.get(name, (0.0, 0.0))
        timings[name] = (before[0] + time.perf_counter() - wall, before[1] + time.process_time() - cpu)


def _timed_method(owner, name: str, timings: Timings) -> None:
    method = getattr(owner, name)

    def wrapper(*args, **kwargs):
        with timed(timings, name):
            return method(*args, **kwargs)

    setattr(owner, name, wrapper)


def _command(*args, **options) -> None:
    from django.core.management import call_command

    output = io.StringIO()  # the commands' summaries would break the Markdown on stdout
    call_command(*args, stdout=output, verbosity=0, **options)
    log(output.getvalue().strip())


def catalog_build(*, limit: int) -> Timings:
    """Import, analyse and index the train split, timing each stage."""
    from catalog.models import ClothingItem
    from search.encoders import get_encoder
    from search.enrichment import item_analyse

    timings: Timings = {}
    with timed(timings, "import"):
        _command("import_catalog", str(CLOTHING / "train"), limit=limit)
    encoder = get_encoder()
    with timed(timings, "text model load"):  # once per process, so timed apart
        encoder.encode_item_texts(["warm-up"])
    log("analysing")
    with timed(timings, "analysis"):
        for item in ClothingItem.objects.select_related("category").order_by("pk"):
            item_analyse(item=item, encoder=encoder)
    log("embedding and indexing")
    for name in ("encode_images", "encode_item_texts"):
        _timed_method(encoder, name, timings)
    with timed(timings, "build_search_index"):
        _command("build_search_index")  # the analysis is stored, so this only embeds and indexes
    return timings


@dataclass(frozen=True)
class Catalog:
    item_class: dict[int, str]  # item id -> dataset class
    first_colour: dict[int, str | None]  # item id -> detected first colour
    category_of: dict[str, str]  # dataset class -> category slug

    def share(self, *, cls: str | None = None, category: str | None = None) -> float:
        """The fraction of catalog items of this class or category: random retrieval's precision."""
        matches = [c == cls if cls else self.category_of[c] == category for c in self.item_class.values()]
        return sum(matches) / len(matches)


def catalog_load() -> Catalog:
    from catalog.models import Category, ClothingItem

    item_class, first_colour = {}, {}
    for pk, source_id, enrichment in ClothingItem.objects.values_list("pk", "source_id", "enrichment"):
        item_class[pk] = source_id.split("/", 1)[0]
        colours = enrichment.get("colors") or []
        first_colour[pk] = colours[0][0] if colours else None
    category_of = {cls: c.slug for c in Category.objects.all() for cls in c.source_classes}
    return Catalog(item_class, first_colour, category_of)


def throughput_table(timings: Timings, count: int) -> str:
    analysis, build = timings["analysis"], timings["build_search_index"]
    rows = [
        ("import_catalog (copy, re-encode JPEG)", timings["import"]),
        ("analysis: GrabCut mask + dominant colours + title", analysis),
        ("build_search_index: embed both spaces + build indexes", build),
        ("  of which image descriptor (encode_images)", timings["encode_images"]),
        ("  of which MiniLM item texts (encode_item_texts)", timings["encode_item_texts"]),
        ("encoding + indexing (analysis + build_search_index)", (analysis[0] + build[0], analysis[1] + build[1])),
    ]
    body = [[stage, f"{wall:.1f}", f"{count / wall:.1f}", f"{cpu:.1f}", f"{count / cpu:.1f}"]
            for stage, (wall, cpu) in rows]
    table = markdown(["stage", "wall s", "items/s (wall)", "CPU s", "items/CPU s"], body)
    return table + f"\n\nMiniLM load, once per process, not included above: {timings['text model load'][0]:.1f} s wall."


# --- 2. Image -> image -------------------------------------------------------------------------

@dataclass(frozen=True)
class ImageResult:
    cls: str
    class_precision: float
    category_precision: float
    seconds: tuple[float, float, float]  # mask, encode, search


def query_photos(split: str, limit: int) -> list[tuple[str, Path]]:
    photos = []
    for folder in sorted(p for p in (CLOTHING / split).iterdir() if p.is_dir()):
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        photos += [(folder.name, path) for path in (files[:limit] if limit else files)]
    return photos


def image_query(catalog: Catalog, cls: str, path: Path) -> ImageResult:
    from PIL import Image, ImageOps

    from search.encoders import get_encoder
    from vision.garment import garment_mask
    from search.store import loaded_index

    encoder = get_encoder()
    with Image.open(path) as raw:
        image = ImageOps.exif_transpose(raw).convert("RGB")  # as image_normalise does on upload
    t0 = time.perf_counter()
    mask = garment_mask(image)
    t1 = time.perf_counter()
    vector = encoder.encode_images([image], [mask])[0]
    t2 = time.perf_counter()
    hits = loaded_index(encoder=encoder, space="image").search(vector, k=K)
    t3 = time.perf_counter()
    found = [catalog.item_class[item_id] for item_id, _ in hits]
    category = catalog.category_of[cls]
    return ImageResult(cls, sum(c == cls for c in found) / K,
                       sum(catalog.category_of[c] == category for c in found) / K, (t1 - t0, t2 - t1, t3 - t2))


def image_eval(catalog: Catalog, *, split: str, limit: int) -> list[ImageResult]:
    log(f"image -> image queries from {split}")
    return [image_query(catalog, cls, path) for cls, path in query_photos(split, limit)]


def image_table(catalog: Catalog, results: list[ImageResult]) -> str:
    def row(label: str, group: list[ImageResult], randoms: tuple[float, float]) -> list[str]:
        return [label, str(len(group)), f"{mean(r.class_precision for r in group):.3f}", f"{randoms[0]:.3f}",
                f"{mean(r.category_precision for r in group):.3f}", f"{randoms[1]:.3f}"]

    def randoms(cls: str) -> tuple[float, float]:
        return catalog.share(cls=cls), catalog.share(category=catalog.category_of[cls])

    classes = sorted({r.cls for r in results})
    rows = [row(cls, [r for r in results if r.cls == cls], randoms(cls)) for cls in classes]
    per_class = [[float(value) for value in r[2:]] for r in rows]
    macro = ["**macro** (mean of classes)", str(len(results))] + [f"{mean(c):.3f}" for c in zip(*per_class)]
    micro = row("**micro** (mean of queries)", results,
                tuple(mean(randoms(r.cls)[i] for r in results) for i in (0, 1)))
    headers = ["query class", "queries", "P@10 class", "random", "P@10 category", "random"]
    return markdown(headers, rows + [macro, micro])


def query_cost_line(results: list[ImageResult]) -> str:
    mask, encode, search = (1000 * mean(r.seconds[i] for r in results) for i in range(3))
    return (f"Per query photo (mean of {len(results)}): garment mask {mask:.0f} ms, descriptor {encode:.1f} ms, "
            f"index search {search:.2f} ms.")


# --- 3. Text -> image ------------------------------------------------------------------------

@dataclass(frozen=True)
class TextQuery:
    text: str
    cls: str
    colour: str | None = None

    def relevant(self, catalog: Catalog, item_id: int) -> bool:
        return catalog.item_class[item_id] == self.cls and (
            self.colour is None or catalog.first_colour[item_id] == self.colour)


def text_queries(catalog: Catalog) -> list[TextQuery]:
    """The class-name queries, then for each class its commonest detected first colours."""
    queries = [TextQuery(text, cls) for cls, text in CLASS_QUERIES.items()]
    for cls, noun in CLASS_QUERIES.items():
        counts = Counter(catalog.first_colour[i] for i, c in catalog.item_class.items() if c == cls)
        counts.pop(None, None)
        commonest = sorted(counts, key=lambda colour: (-counts[colour], colour))[:COLOURS_PER_CLASS]
        queries += [TextQuery(f"{colour} {noun}", cls, colour) for colour in commonest]
    return queries


def random_hit_rate(*, total: int, relevant: int, k: int = K) -> float:
    """The chance that k items drawn at random (without replacement) include a relevant one."""
    return 1 - math.comb(total - relevant, k) / math.comb(total, k)


def text_rows(catalog: Catalog, queries: list[TextQuery]) -> list[list]:
    from search.services import search_text

    total, rows = len(catalog.item_class), []
    for query in queries:
        relevant = sum(query.relevant(catalog, i) for i in catalog.item_class)
        found = [hit.item.pk for hit in search_text(query=query.text, limit=K)]
        correct = sum(query.relevant(catalog, i) for i in found)
        rows.append([f'"{query.text}"', query.cls, relevant, float(correct > 0), correct / K,
                     random_hit_rate(total=total, relevant=relevant), relevant / total])
    return rows


def text_table(catalog: Catalog) -> str:
    queries = text_queries(catalog)
    rows = text_rows(catalog, queries)
    body = [row[:3] + [f"{value:.3f}" for value in row[3:]] for row in rows]
    for label, kind in (("class-name queries", None), ("colour + class queries", True)):
        group = [row for row, query in zip(rows, queries) if (query.colour is not None) == bool(kind)]
        body.append([f"**mean, {len(group)} {label}**", "", ""] +
                    [f"{mean(row[i] for row in group):.3f}" for i in range(3, 7)])
    headers = ["query", "class", "relevant in catalog", "hit@10", "P@10", "random hit@10", "random P@10"]
    return markdown(headers, body)


# --- Output ------------------------------------------------------------------------------------

def markdown(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows])


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def report(args: argparse.Namespace) -> None:
    from search.encoders import get_encoder

    load_before = os.getloadavg()[0]
    timings = catalog_build(limit=args.limit_per_class)
    catalog = catalog_load()
    limited = f", at most {args.limit_per_class} photos per class" if args.limit_per_class else ""
    print(f"Search quality, {date.today().isoformat()}, {machine()}, encoder {get_encoder().name}{limited}.")
    print(f"Catalog: clothing/train, {len(catalog.item_class)} items. Command: `{' '.join(sys.argv)}`\n")
    print("### Indexing throughput\n\n" + throughput_table(timings, len(catalog.item_class)))
    print(f"Load average (1 min) before the build {load_before:.1f}, after it {os.getloadavg()[0]:.1f}: "
          "above ~2 on this machine, other processes were competing and wall times are inflated.\n")
    results = image_eval(catalog, split="validation", limit=args.limit_per_class)
    print("### Image -> image, validation queries (top 10, no category filter)\n")
    print(image_table(catalog, results) + "\n\n" + query_cost_line(results) + "\n")
    log("text -> image queries")
    print("### Text -> image (search_text, top 10)\n")
    print("The default encoder's text space is each item's own words (its type is the dataset's folder "
          "name, plus the detected colour names), so class-name queries that repeat a folder name partly "
          "measure word overlap, and colour queries are judged by the same detected colours they match.\n")
    print(text_table(catalog) + "\n")
    if args.report_test:
        test = image_eval(catalog, split="test", limit=args.limit_per_class)
        print("### Image -> image, held-out test split, reported once, never tuned on\n")
        print(image_table(catalog, test) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit-per-class", type=int, default=0,
                        help="at most N photos per class, in the catalog and among queries (quick runs)")
    parser.add_argument("--report-test", action="store_true",
                        help="also evaluate image -> image once on the held-out test split")
    args = parser.parse_args()
    if not (CLOTHING / "train").is_dir():
        sys.exit(f"{CLOTHING} is missing: see /work/shared/data/README.md.")
    with tempfile.TemporaryDirectory(prefix="ovdr-search-quality-") as workdir:
        django_setup(Path(workdir))
        report(args)


if __name__ == "__main__":
    main()
