#!/usr/bin/env python3
"""Text search over HTTP at catalog scale: GET /api/v1/search end to end, and where its time goes.

    .venv/bin/python bench/search_http.py [--items 100000] [--seconds 20] [--database-url mysql://...]

The issue's target is an end-to-end p50 under 30 ms at 100k catalog items on the 2-core machine.
bench/search_latency.py times the vector index alone; this bench times what a shopper waits for:
gunicorn, Django, the query encoder, the index, the database and the JSON.

1. Creates a scratch database `ovdr_search_bench` (utf8mb4_unicode_ci) on the MariaDB server named
   by --database-url (only its server and credentials are used) and migrates it.
2. Seeds --items active ClothingItems with bulk_create: titles and attributes drawn with a fixed
   seed from small vocabularies, categories 45/40/15% over tops/bottoms/dresses, all pointing at one
   small image file in a temporary MEDIA_ROOT.
3. Encodes the item texts (search.store.item_text) with the real default encoder. When the first
   batch says all of them would take longer than --encode-budget, it encodes --fallback-texts real
   texts and tiles their vectors over the rest, and says so. Only the text space is stored and
   indexed (search.store.index_build): a text query never reads the image space.
4. Starts gunicorn (DEBUG=False, --workers sync workers) on a free loopback port, warms every worker
   (each loads the sentence model and the index on its first search), then runs each scenario for
   --seconds with stdlib http.client clients: /healthz as the floor, then ~30 realistic queries
   with and without &category=, at concurrency 1 (latency) and 4 (throughput). Then it does the
   same again with OMP_NUM_THREADS=1 in the server's environment (one torch thread a worker), the
   configuration change the first run of this bench pointed to; the app itself is not changed.
5. Answers the same queries in-process to split a request into encoder, index, database and
   serialisation, and profiles the in-process view.
6. Stops gunicorn and drops the scratch database, whatever happened.

Gunicorn, the server and the load generator helpers come from bench/harness.py (CpuProbe from api_throughput.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import os
import platform
import pstats
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import numpy as np

from api_throughput import CpuProbe
from harness import (HOST, REQUEST_TIMEOUT_S, ROOT, BenchError, Client, Server, Stats, free_port, gunicorn_start,
                     gunicorn_stop, gunicorn_wait, log_findings, percentile)

BENCH_DB = "ovdr_search_bench"
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/"
TARGET_P50_MS = 30.0
LIMIT = 20
SEED = 20240601
IMAGE_NAME = "catalog/garments/bench.jpg"
SEED_BATCH = 5000
ENCODE_PROBE, ENCODE_CHUNK = 2000, 5000

SHARES = {"tops": 0.45, "bottoms": 0.40, "dresses": 0.15}
TYPES = {
    "tops": ["t-shirt", "blouse", "shirt", "sweater", "hoodie", "cardigan", "tank top", "jacket", "polo shirt",
             "crop top", "blazer", "coat"],
    "bottoms": ["jeans", "trousers", "shorts", "skirt", "leggings", "chinos", "cargo pants", "culottes"],
    "dresses": ["maxi dress", "midi dress", "wrap dress", "shirt dress", "slip dress", "sundress", "bodycon dress"],
}
COLOURS = ["black", "white", "navy", "red", "burgundy", "olive", "beige", "grey", "pink", "teal", "mustard",
           "cream", "brown", "lavender", "emerald", "sky blue"]
PATTERNS = ["solid", "striped", "floral", "plaid", "polka dot", "checked", "paisley", "leopard print", "tie-dye",
            "houndstooth"]
MATERIALS = ["cotton", "linen", "silk", "denim", "wool", "leather", "satin", "chiffon", "corduroy", "jersey",
             "cashmere", "velvet"]
NECKLINES = ["crew", "v-neck", "boat", "turtleneck", "collared", "scoop"]
SLEEVES = ["short", "long", "sleeveless", "three-quarter", "puff"]
LENGTHS = ["mini", "knee", "midi", "ankle", "full"]
TAGS = ["casual", "office", "summer", "winter", "party", "vintage", "sport", "boho", "minimalist", "streetwear"]
BRANDS = ["Northwind", "Atelier Rue", "Kestrel", "Maison Lune", "Fjord & Co", "Ivy Lane", "Basalt", "Marigold",
          "Oak Studio", "Tessellate", "Blue Harbour", "Sable", "Wren", "Cordelia", "Urban Fern", "Halcyon"]
SEASONS = ["spring", "summer", "autumn", "winter"]
# (query, the category a shopper would pick for it)
QUERIES = [
    ("red floral summer dress", "dresses"), ("black leather jacket", "tops"), ("blue denim jeans", "bottoms"),
    ("white cotton t-shirt", "tops"), ("striped linen shirt for the office", "tops"),
    ("cosy wool sweater", "tops"), ("plaid skirt", "bottoms"), ("high waisted black trousers", "bottoms"),
    ("silk blouse with a v-neck", "tops"), ("green midi dress", "dresses"), ("polka dot wrap dress", "dresses"),
    ("beige chinos", "bottoms"), ("grey hoodie", "tops"), ("leopard print slip dress", "dresses"),
    ("brown corduroy pants", "bottoms"), ("something for a summer party", "dresses"), ("navy polo shirt", "tops"),
    ("denim shorts", "bottoms"), ("cream cashmere cardigan", "tops"), ("velvet evening dress", "dresses"),
    ("sleeveless tank top", "tops"), ("ankle length cargo pants", "bottoms"), ("boho maxi dress", "dresses"),
    ("black turtleneck sweater", "tops"), ("pink satin skirt", "bottoms"), ("vintage checked blazer", "tops"),
    ("lavender crop top", "tops"), ("leggings for the gym", "bottoms"), ("minimalist white shirt dress", "dresses"),
    ("warm winter coat", "tops"),
]


def search_path(query: str, category: str | None) -> str:
    path = f"/api/v1/search?q={quote(query)}&limit={LIMIT}"
    return path + (f"&category={category}" if category else "")


# --- Database and environment ------------------------------------------------------------------

def server_from_url(database_url: str) -> tuple[Server, str]:
    """The server named by the URL, and the URL of the scratch database on it."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("mysql"):
        raise BenchError(f"--database-url must point at MariaDB/MySQL (mysql://...), not {parts.scheme}://")
    server = Server(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                    user=unquote(parts.username or "root"), password=unquote(parts.password or ""))
    return server, urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DB, parts.query, ""))


def bench_env(database_url: str, tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, DEBUG="False", SECRET_KEY="bench", ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="False", MEDIA_ROOT=str(tmp / "media"), STATIC_ROOT=str(tmp / "static"),
        SEARCH_INDEX_DIR=str(tmp / "index"), SEARCH_ENRICH_ON_SAVE="False",  # bulk seeding, no workers
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="ovdr.settings",
    )
    env.setdefault("LOG_LEVEL", "WARNING")
    env.setdefault("CONN_MAX_AGE", "0")
    return env


def media_prepare(media_root: Path) -> None:
    from PIL import Image

    target = media_root / IMAGE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (48, 64), (40, 60, 120)).save(target, "JPEG")


# --- Seeding (in this process, Django set up against the scratch database) ----------------------

def item_make(rng: random.Random, categories: dict):
    from catalog.models import ClothingItem
    from catalog.titles import clothing_title_build

    slug = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
    category = categories[slug]
    attributes = {"type": rng.choice(TYPES[slug]), "color": rng.choice(COLOURS),
                  "pattern": rng.choice(PATTERNS), "material": rng.choice(MATERIALS)}
    if category.body_region == "upper":
        attributes.update(neckline=rng.choice(NECKLINES), sleeve=rng.choice(SLEEVES))
    else:
        attributes["length"] = rng.choice(LENGTHS)
    title = clothing_title_build(attributes=attributes, item_noun=category.item_noun,
                                 body_region=category.body_region)
    return ClothingItem(title=title, category=category, image=IMAGE_NAME, attributes=attributes,
                        brand=rng.choice(BRANDS), tags=rng.sample(TAGS, 2), season=rng.choice(SEASONS),
                        price=Decimal(rng.randrange(999, 19999)) / 100)


def items_seed(total: int) -> tuple[list[int], list[str], list[str]]:
    """Bulk-create `total` items: (ids, item texts, text fingerprints), in creation order."""
    from catalog.models import Category, ClothingItem
    from search.store import fingerprint, item_text

    rng = random.Random(SEED)
    categories = {c.slug: c for c in Category.objects.filter(slug__in=SHARES)}
    texts, sources = [], []
    for start in range(0, total, SEED_BATCH):
        batch = [item_make(rng, categories) for _ in range(min(SEED_BATCH, total - start))]
        ClothingItem.objects.bulk_create(batch, batch_size=1000)
        texts += [item_text(item) for item in batch]
        sources += [fingerprint(item, "text") for item in batch]
    ids = list(ClothingItem.objects.order_by("id").values_list("id", flat=True))  # fresh table: insert order
    return ids, texts, sources


def texts_encode(texts: list[str], budget_s: float, fallback: int) -> tuple[np.ndarray, str]:
    """One unit vector per text; past the budget, `fallback` real vectors tiled over the rest."""
    import torch

    from search.encoders import get_encoder

    encoder, default_threads = get_encoder(), torch.get_num_threads()
    encoder.encode_item_texts(["warm up"])  # loads the model outside the timing
    # One intra-op thread encodes batches faster on 2 shared cores; this changes only the seeding.
    torch.set_num_threads(1)
    try:
        started = time.perf_counter()
        parts = [encoder.encode_item_texts(texts[:ENCODE_PROBE])]
        projected = len(texts) * (time.perf_counter() - started) / len(parts[0])
        real = len(texts) if projected <= budget_s else min(len(texts), max(fallback, len(parts[0])))
        for start in range(len(parts[0]), real, ENCODE_CHUNK):
            parts.append(encoder.encode_item_texts(texts[start:min(start + ENCODE_CHUNK, real)]))
        elapsed = time.perf_counter() - started
    finally:
        torch.set_num_threads(default_threads)
    vectors = np.concatenate(parts)
    note = (f"{real:,} item texts encoded by {encoder.name} in {elapsed:.0f}s ({real / elapsed:.0f} texts/s, "
            f"1 torch thread)")
    if real < len(texts):
        note += (f"; all {len(texts):,} were projected at {projected:.0f}s > budget {budget_s:.0f}s, so those "
                 f"{real:,} vectors are tiled over the other items (item i gets vector i mod {real:,})")
    return vectors[np.arange(len(texts)) % real], note


def embeddings_seed(ids: list[int], sources: list[str], vectors: np.ndarray) -> float:
    """Store the text vectors and build the text index; returns the index build seconds."""
    from search.encoders import get_encoder
    from search.models import ItemEmbedding
    from search.store import index_build

    encoder = get_encoder()
    rows = (ItemEmbedding(item_id=i, encoder=encoder.name, space="text", source=s,
                          vector=np.asarray(v, dtype=np.float32).tobytes())
            for i, s, v in zip(ids, sources, vectors))
    while batch := list(itertools.islice(rows, 2000)):
        ItemEmbedding.objects.bulk_create(batch, batch_size=1000)
    started = time.perf_counter()
    index = index_build(encoder=encoder, space=encoder.text_query_space)
    if index.kind != "ivf":
        print(f"Note: the index is {index.kind} (SEARCH_EXACT_MAX not exceeded)", file=sys.stderr)
    return time.perf_counter() - started


# --- Load over HTTP ------------------------------------------------------------------------------

# The suggested fix, measured without touching the app: one intra-op thread per worker process.
SERVER_CONFIGS = [("app defaults", {}), ("OMP_NUM_THREADS=1", {"OMP_NUM_THREADS": "1"})]


@dataclass
class Scenario:
    server: str
    name: str
    concurrency: int
    stats: Stats
    seconds: float
    cpu: dict


def run_load(name: str, port: int, paths: list[str], concurrency: int, seconds: float,
             probe: CpuProbe) -> Scenario:
    """`concurrency` clients, each cycling through `paths` from its own offset, for `seconds`."""
    per_client = [Stats() for _ in range(concurrency)]
    deadline = time.monotonic() + seconds

    def client_loop(i: int) -> None:
        client = Client(port)
        try:
            for n in itertools.count(i * len(paths) // concurrency):
                if time.monotonic() >= deadline:
                    break
                status, elapsed, data = client.call("GET", paths[n % len(paths)])
                per_client[i].add(elapsed, status == 200, f"{paths[n % len(paths)]} -> {status}: {data[:160]!r}")
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(concurrency)]
    before, started = probe.snapshot(), time.perf_counter()
    for t in threads:
        t.start()
    join_by = deadline + REQUEST_TIMEOUT_S + 5  # a request started before the deadline may finish
    for t in threads:
        t.join(max(0.0, join_by - time.monotonic()))
    wall = time.perf_counter() - started
    merged = Stats()
    for stats in per_client:
        merged.latencies += stats.latencies
        merged.errors += stats.errors
        merged.samples += stats.samples[: max(0, 3 - len(merged.samples))]
    merged.errors += sum(t.is_alive() for t in threads)
    return Scenario("", name, concurrency, merged, wall, probe.usage(before, probe.snapshot(), wall))


def http_scenarios(port: int, probe: CpuProbe, args: argparse.Namespace, floor: bool) -> list[Scenario]:
    """The warm-up first (2 clients a worker, so that every sync worker takes a first search, which
    loads the model and the index, while the others are busy), then the measured scenarios."""
    plain = [search_path(q, None) for q, _ in QUERIES]
    filtered = [search_path(q, c) for q, c in QUERIES]
    runs = [("warm-up (model + index load)", plain + filtered, 2 * args.workers, args.warmup)]
    runs += [("healthz (floor)", ["/healthz"], 1, min(args.seconds, 5.0))] if floor else []
    for level in (1, 4):
        runs += [("search", plain, level, args.seconds), ("search + category", filtered, level, args.seconds)]
    results = []
    for name, paths, level, seconds in runs:
        print(f"  {name} x{level}: {seconds:g}s (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
        results.append(run_load(name, port, paths, level, seconds, probe))
    return results


def serve_and_measure(env: dict, args: argparse.Namespace, server_dir: Path, label: str, floor: bool) -> list[Scenario]:
    port = free_port()
    print(f"  gunicorn ({label}) on port {port}...", file=sys.stderr)
    server_dir.mkdir(exist_ok=True)  # gunicorn_start keeps its config, log and readiness marks here
    proc = gunicorn_start(env, port, args.workers, server_dir)
    try:
        gunicorn_wait(proc, port, args.workers, server_dir)
        results = http_scenarios(port, CpuProbe(proc.pid), args, floor)
    finally:
        gunicorn_stop(proc)
    for result in results:
        result.server = label
    return results


# --- In-process breakdown ------------------------------------------------------------------------

def timed(fn: Callable[[], object]) -> tuple[object, tuple[float, float]]:
    """(result, (wall seconds, CPU seconds of this whole process, every torch thread included)).
    CPU time barely depends on what else the machine runs; wall time does."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def one_query_steps(query: str, category, tools: dict) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each step of one search, as services.search_text and SearchApi run them."""
    from django.db import connection

    from catalog.models import Category
    from search import services
    from search.serializers import SearchResultSerializer

    encoder, index, torch = tools["encoder"], tools["index"], tools["torch"]
    steps: dict[str, tuple[float, float]] = {}
    connection.close()
    _, steps["DB connect (CONN_MAX_AGE=0: every request)"] = timed(connection.ensure_connection)
    vector, steps["encode_texts (query -> vector)"] = timed(lambda: encoder.encode_texts([query])[0])
    torch.set_num_threads(1)
    _, steps["encode_texts, torch 1 thread"] = timed(lambda: encoder.encode_texts([query])[0])
    torch.set_num_threads(tools["threads"])
    cid = category.pk if category else None
    _, steps[f"index.search (k={LIMIT})"] = timed(lambda: index.search(vector, k=LIMIT, category=cid))
    categories = Category.objects.filter(pk=cid) if category else None
    hits, steps["nearest_items (index + category + in_bulk)"] = timed(lambda: services.nearest_items(
        encoder=encoder, space=encoder.text_query_space, vector=vector, categories=categories, limit=LIMIT))
    _, steps["search_text (service total)"] = timed(
        lambda: services.search_text(query=query, category=category, limit=LIMIT))
    body = {"query": query, "category": category.slug if category else None, "results": hits}
    _, steps[f"serialise {LIMIT} hits"] = timed(
        lambda: SearchResultSerializer(body, context={"request": tools["request"]}).data)
    response, steps["whole view in-process (test Client)"] = timed(
        lambda: tools["web"].get(search_path(query, category.slug if category else None)))
    if response.status_code != 200:
        raise BenchError(f"in-process search answered {response.status_code}: {response.content[:300]!r}")
    return steps


def breakdown(rounds: int) -> tuple[dict[str, dict[str, list[tuple[float, float]]]], str]:
    """({variant: {step: [(wall, CPU) seconds]}}, torch thread note) over every query, `rounds` times."""
    import torch
    from django.test import Client as DjangoClient
    from django.test import RequestFactory

    from catalog.models import Category
    from search.encoders import get_encoder
    from search.store import loaded_index

    encoder = get_encoder()
    tools = {"encoder": encoder, "torch": torch, "threads": torch.get_num_threads(),
             "index": loaded_index(encoder=encoder, space=encoder.text_query_space),
             "web": DjangoClient(HTTP_HOST=HOST), "request": RequestFactory(HTTP_HOST=HOST).get("/api/v1/search")}
    cats = {c.slug: c for c in Category.objects.all()}
    variants = {"search": lambda slug: None, "search + category": lambda slug: cats[slug]}
    for slug in SHARES:  # untimed: the first use of each filter and query path
        one_query_steps(QUERIES[0][0], cats[slug], tools)
    times: dict = {variant: defaultdict(list) for variant in variants}
    for _ in range(rounds):
        for query, slug in QUERIES:
            for variant, category_of in variants.items():
                for step, seconds in one_query_steps(query, category_of(slug), tools).items():
                    times[variant][step].append(seconds)
    return times, f"torch intra-op threads in this process (torch's default, as in a worker): {tools['threads']}"


def view_profile() -> str:
    """cProfile of the in-process view, once per query: the functions that cost most, own time."""
    from django.test import Client as DjangoClient

    web = DjangoClient(HTTP_HOST=HOST)
    profiler = cProfile.Profile()
    profiler.enable()
    for query, _ in QUERIES:
        web.get(search_path(query, None))
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(14)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(line.rstrip() for line in lines[start:] if line.strip())


# --- Report ------------------------------------------------------------------------------------

def ms(values: list[float], p: float) -> float:
    return percentile(sorted(values), p) * 1000


CPU_PARTS = ("gunicorn", "MariaDB", "load generator", "other")  # CpuProbe's names


def report_http(results: list[Scenario]) -> None:
    print("| server | scenario | concurrency | requests | req/s | p50 ms | p95 ms | p99 ms | errors "
          "| server CPU ms/req | CPU cores: gunicorn / MariaDB / client / other |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        lat, cpu = r.stats.latencies, r.cpu
        split = " / ".join(f"{cpu.get(k, float('nan')):.2f}" for k in CPU_PARTS)
        print(f"| {r.server} | {r.name} | {r.concurrency} | {len(lat)} | {len(lat) / r.seconds:.1f} "
              f"| {ms(lat, 50):.1f} | {ms(lat, 95):.1f} | {ms(lat, 99):.1f} | {r.stats.errors} "
              f"| {server_cpu_ms(r):.1f} | {split} |")
    for r in results:
        for sample in r.stats.samples:
            print(f"- error sample ({r.server}, {r.name} x{r.concurrency}): {sample}")


def report_breakdown(times: dict, results: list[Scenario]) -> None:
    print("| step (in-process, one query at a time) | search p50 ms | p95 ms | CPU p50 ms "
          "| + category p50 ms | p95 ms | CPU p50 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for step in times["search"]:
        cells = []
        for variant in times.values():
            wall, cpu = [w for w, _ in variant[step]], [c for _, c in variant[step]]
            cells += [f"{ms(wall, 50):.1f}", f"{ms(wall, 95):.1f}", f"{ms(cpu, 50):.1f}"]
        print(f"| {step} | {' | '.join(cells)} |")
    for label, _ in SERVER_CONFIGS:
        cells = []
        for r in results:
            if r.concurrency == 1 and r.server == label and r.name.startswith("search"):
                lat = r.stats.latencies
                cells += [f"{ms(lat, 50):.1f}", f"{ms(lat, 95):.1f}", f"{server_cpu_ms(r):.1f}"]
        print(f"| HTTP end to end, concurrency 1, {label} (above) | {' | '.join(cells)} |")


def server_cpu_ms(r: Scenario) -> float:
    """CPU milliseconds gunicorn and MariaDB spent per request in the scenario's window."""
    used = r.cpu.get("gunicorn", float("nan")) + r.cpu.get("MariaDB", 0.0)
    return 1000 * used * r.seconds / max(1, len(r.stats.latencies))


def report_target(results: list[Scenario]) -> bool:
    """Print the verdict per server configuration; True when the app defaults meet the target."""
    met = True
    for r in results:
        if r.concurrency == 1 and r.name.startswith("search"):
            p50 = ms(r.stats.latencies, 50)
            verdict = "MET" if p50 < TARGET_P50_MS and not r.stats.errors else "MISSED"
            met &= verdict == "MET" or r.server != SERVER_CONFIGS[0][0]
            print(f"- Target p50 < {TARGET_P50_MS:.0f} ms ({r.server}, {r.name}, concurrency 1): {p50:.1f} ms "
                  f"-> {verdict}")
    return met


# --- Main --------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="catalog items to seed (default 100000)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per scenario (default 20)")
    parser.add_argument("--warmup", type=float, default=10.0, help="unrecorded warm-up seconds (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2, one a core)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"MariaDB server and credentials; the bench uses only `{BENCH_DB}` on it")
    parser.add_argument("--encode-budget", type=float, default=360.0,
                        help="seconds allowed for encoding every item text (default 360)")
    parser.add_argument("--fallback-texts", type=int, default=10_000,
                        help="real texts encoded (then tiled) when the budget is too short (default 10000)")
    parser.add_argument("--rounds", type=int, default=2, help="in-process rounds over the queries (default 2)")
    parser.add_argument("--keep-db", action="store_true", help=f"leave {BENCH_DB} in place afterwards")
    args = parser.parse_args(argv)
    if args.items < 1 or args.seconds <= 0 or args.warmup < 0 or args.workers < 1 or args.rounds < 1:
        parser.error("--items, --workers and --rounds must be >= 1, --seconds > 0, --warmup >= 0")
    return args


def prepare(args: argparse.Namespace, server: Server, env: dict, tmp: Path) -> list[str]:
    """Scratch database, items, embeddings and index; returns notes for the report."""
    import django
    from django.core.management import call_command

    server.execute(f"DROP DATABASE IF EXISTS `{BENCH_DB}`",
                   f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    django.setup()
    media_prepare(tmp / "media")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    ids, texts, sources = items_seed(args.items)
    seeded = time.perf_counter() - started
    print(f"  {len(ids):,} items seeded (migrate included) in {seeded:.0f}s; encoding...", file=sys.stderr)
    vectors, encode_note = texts_encode(texts, args.encode_budget, args.fallback_texts)
    print(f"  {encode_note}", file=sys.stderr)
    started = time.perf_counter()
    build_s = embeddings_seed(ids, sources, vectors)
    stored = time.perf_counter() - started - build_s
    return [f"Seeding: {len(ids):,} items in {seeded:.0f}s (migrate included); example item text: "
            f"\"{texts[0]}\"", f"Embeddings: {encode_note}; stored in {stored:.0f}s",
            f"Text index: built in {build_s:.1f}s ({index_summary()})"]


def index_summary() -> str:
    from search.encoders import get_encoder
    from search.store import loaded_index

    encoder = get_encoder()
    index = loaded_index(encoder=encoder, space=encoder.text_query_space)
    probes = index.probes
    detail = f", nprobe {probes[0]} of {probes[1]} lists, calibrated recall@10 {index.recall:.3f}" if probes else ""
    return f"{index.kind}, {len(index):,} vectors{detail}"


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main's finally: gunicorn stops, the database goes


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    server, database_url = server_from_url(args.database_url)
    db_version = server.execute("SELECT VERSION()")[0][0]
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="ovdr-search-bench-"))
    (tmp / "static").mkdir()
    env, started, results = bench_env(database_url, tmp), time.monotonic(), []
    try:
        print(f"Creating {BENCH_DB} on {server.host}:{server.port} (load {load_before[0]:.2f})...", file=sys.stderr)
        notes = prepare(args, server, env, tmp)
        for n, (label, extra) in enumerate(SERVER_CONFIGS):
            results += serve_and_measure(env | extra, args, tmp / f"gunicorn-{n}", label, floor=n == 0)
        print("  in-process breakdown...", file=sys.stderr)  # gunicorn is stopped: the CPUs are ours
        times, thread_note = breakdown(args.rounds)
        profile = view_profile()
    finally:
        findings = [line for n in range(len(SERVER_CONFIGS)) for line in log_findings(tmp / f"gunicorn-{n}" / "gunicorn.log")
                    if "Loading weights" not in line]  # transformers' progress bar on each model load
        if not args.keep_db:
            try:
                server.execute(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")
            except Exception as exc:  # report, but keep the original error if there is one
                print(f"Could not drop {BENCH_DB}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)
    print_report(args, db_version, load_before, notes + [thread_note], results, times, profile, findings,
                 time.monotonic() - started)
    return 0 if all(r.stats.errors == 0 for r in results if not r.name.startswith("warm-up")) else 1


def print_report(args, db_version: str, load_before: tuple, notes: list[str], results: list[Scenario],
                 times: dict, profile: str, findings: list[str], total_s: float) -> None:
    print(f"\n- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; machine: {os.cpu_count()} CPUs, {platform.machine()}, "
          f"Python {platform.python_version()}; MariaDB {db_version} (`{BENCH_DB}`)")
    print(f"- Load average (1/5/15 min) before: {' / '.join(f'{v:.2f}' for v in load_before)}; after: "
          f"{' / '.join(f'{v:.2f}' for v in os.getloadavg())} (other work shares these CPUs)")
    print(f"- Server: gunicorn {args.workers} sync workers, DEBUG=False, CONN_MAX_AGE={os.environ['CONN_MAX_AGE']}; "
          f"{args.seconds:g}s per scenario after {args.warmup:g}s warm-up, {len(QUERIES)} queries, limit={LIMIT}")
    for note in notes:
        print(f"- {note}")
    print()
    report_http(results)
    print()
    report_breakdown(times, results)
    print()
    met = report_target(results)
    print(f"- Overall ({SERVER_CONFIGS[0][0]}): {'target met' if met else 'target missed'}")
    print("\nIn-process view, once per unfiltered query, top functions by own time (cProfile):\n")
    print("```\n" + profile + "\n```")
    print(f"\n- gunicorn/Django log: {len(findings)} notable line(s)" + "".join(f"\n    {l}" for l in findings[:10]))
    print(f"- total run time: {total_s:.0f}s")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        sys.exit(2)
