#!/usr/bin/env python3
"""Recommendation latency: p50 and p95 of each recommendation endpoint at catalog scale.

    .venv/bin/python bench/recommend_latency.py [--items 10000] [--users 1000] [--requests 200]
    DATABASE_URL=mysql://root@127.0.0.1:3306/test .venv/bin/python bench/recommend_latency.py

Requests go in-process through Django's test client: URL routing, middleware, token
authentication, DRF, the ORM and FAISS are timed; gunicorn, the network and connection set-up are
not (the test client keeps one database connection open). Settings are production's
(DEBUG=False), so no query log slows the ORM down.

Database: with a mysql:// DATABASE_URL, a scratch database `ovdr_reco_bench` on that server,
dropped at the end even after a failure; the database the URL names is never touched. Otherwise a
temporary SQLite file. Media and the search index go to a temporary folder.

Seeding is cheap and synthetic: items share one image file, carry a random palette colour and
random unit embeddings in both spaces of the current encoder (then search.store.index_build), and
users get popularity-skewed activity over 30 days (views with their history, closet items within
the 5-per-category cap, saved top + bottom outfits) bulk-created row by row as the signals would
have logged it, then one trending refresh, as the scheduled task does.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "ovdr_reco_bench"
CATEGORY_SHARES = {"tops": 0.5, "bottoms": 0.35, "dresses": 0.15}
VIEWS, OUTFITS = (5, 50), (0, 4)  # per user, drawn uniformly; closet items: 0-5 a category
DAYS, WARMUP = 30, 10


# --- Database --------------------------------------------------------------------------------------

def _mysql(parts, *statements: str) -> None:
    import MySQLdb

    conn = MySQLdb.connect(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                           user=unquote(parts.username or "root"), passwd=unquote(parts.password or ""))
    try:
        for sql in statements:
            conn.cursor().execute(sql)
    finally:
        conn.close()


def scratch_database(database_url: str, workdir: Path):
    """(URL of the database to seed, function that removes it)."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("mysql"):
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    if parts.path.strip("/") == BENCH_DB:
        sys.exit(f"DATABASE_URL names {BENCH_DB}, the scratch database this bench drops: name another one.")
    _mysql(parts, f"DROP DATABASE IF EXISTS `{BENCH_DB}`",
           f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DB, parts.query, ""))
    return url, lambda: _mysql(parts, f"DROP DATABASE IF EXISTS `{BENCH_DB}`")


def django_setup(database_url: str, workdir: Path) -> None:
    os.environ.update(DATABASE_URL=database_url, MEDIA_ROOT=str(workdir / "media"),
                      SEARCH_INDEX_DIR=str(workdir / "index"), SEARCH_ENRICH_ON_SAVE="False", DEBUG="False",
                      SECRET_KEY="bench-only", SECURE_SSL_REDIRECT="False", LOG_LEVEL="WARNING",
                      DJANGO_SETTINGS_MODULE="ovdr.settings")
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# --- Seeding ---------------------------------------------------------------------------------------

def seed_items(rng: np.random.Generator, count: int) -> None:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from catalog.models import Category, ClothingItem
    from vision.colors import PALETTE

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (40, 70, 160)).save(buffer, format="JPEG")
    image = default_storage.save("catalog/garments/bench.jpg", ContentFile(buffer.getvalue()))
    categories = {category.slug: category for category in Category.objects.all()}
    slugs = rng.choice(list(CATEGORY_SHARES), size=count, p=list(CATEGORY_SHARES.values()))
    colours = rng.choice(list(PALETTE), size=count)
    ClothingItem.objects.bulk_create(
        [ClothingItem(category=categories[slug], title=f"Bench {colour} {slug} {n}", image=image,
                      attributes={"color": str(colour)}) for n, (slug, colour) in enumerate(zip(slugs, colours))],
        batch_size=1000)


def seed_embeddings(rng: np.random.Generator) -> None:
    from catalog.models import ClothingItem
    from search.encoders import get_encoder
    from search.encoders.base import SPACES, l2_normalise
    from search.models import ItemEmbedding
    from search.store import index_build

    encoder, ids = get_encoder(), list(ClothingItem.objects.order_by("pk").values_list("pk", flat=True))
    for space in SPACES:
        vectors = l2_normalise(rng.standard_normal((len(ids), encoder.dim(space))))
        ItemEmbedding.objects.bulk_create(
            [ItemEmbedding(item_id=item_id, encoder=encoder.name, space=space, vector=vector.tobytes(),
                           source="bench") for item_id, vector in zip(ids, vectors)], batch_size=1000)
        index_build(encoder=encoder, space=space)


def seed_users(count: int) -> list[str]:
    """Users with unusable passwords and one API token each; returns the tokens."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.usernames import username_skeleton

    password = make_password(None)
    names = [f"bench{n:05d}" for n in range(count)]
    # bulk_create skips save(), which sets the skeleton that keeps look-alike names apart
    User.objects.bulk_create([User(username=n, username_skeleton=username_skeleton(n), password=password)
                              for n in names])
    tokens = [Token(key=Token.generate_key(), user=user) for user in User.objects.order_by("pk")]
    Token.objects.bulk_create(tokens)
    return [token.key for token in tokens]


class Activity:
    """One user's rows at a time, collected for bulk_create: what the services and signals write."""

    def __init__(self, rng: np.random.Generator):
        from catalog.models import ClothingItem

        self.rng, self.now = rng, time.time()
        rows = list(ClothingItem.objects.values_list("pk", "category__slug"))
        self.ids = np.array([pk for pk, _ in rows])
        self.slugs = np.array([slug for _, slug in rows])
        popularity = 1.0 / (rng.permutation(len(rows)) + 20.0)  # Zipf-like: a few items draw most eyes
        self.popularity = popularity / popularity.sum()
        self.rows: dict[str, list] = {"log": [], "history": [], "closet": [], "outfits": []}

    def _draw(self, count: int, slug: str | None = None) -> np.ndarray:
        mask = np.ones(len(self.ids), bool) if slug is None else self.slugs == slug
        weights = self.popularity * mask
        return self.rng.choice(self.ids, size=min(count, mask.sum()), replace=False, p=weights / weights.sum())

    def _when(self) -> datetime:
        return datetime.fromtimestamp(self.now - self.rng.uniform(0, DAYS * 86400), tz=timezone.utc)

    def add_user(self, user_id: int) -> None:
        from closet.models import HISTORY_LENGTH, MAX_ITEMS_PER_CATEGORY, ClosetItem, HistoryEntry
        from recommend.models import Interaction
        from tryon.models import Combination

        log, rng = self.rows["log"], self.rng
        views = sorted(((self._when(), item) for item in self._draw(rng.integers(*VIEWS))), reverse=True)
        log += [Interaction(user_id=user_id, item_id=item, kind="view", created_at=when) for when, item in views]
        self.rows["history"] += [HistoryEntry(user_id=user_id, item_id=item, viewed_at=when)
                                 for when, item in views[:HISTORY_LENGTH]]
        for slug in CATEGORY_SHARES:
            for item in self._draw(rng.integers(0, MAX_ITEMS_PER_CATEGORY + 1), slug):
                when = self._when()
                self.rows["closet"].append(ClosetItem(user_id=user_id, item_id=item, added_at=when))
                log.append(Interaction(user_id=user_id, item_id=item, kind="closet", created_at=when))
        for top, bottom in zip(self._draw(rng.integers(*OUTFITS), "tops"), self._draw(OUTFITS[1], "bottoms")):
            when = self._when()
            self.rows["outfits"].append(Combination(user_id=user_id, top_id=top, bottom_id=bottom, created_at=when))
            log += [Interaction(user_id=user_id, item_id=item, kind="outfit", created_at=when)
                    for item in (top, bottom)]

    def save(self) -> None:
        from django.db.models import Count

        from catalog.models import ClothingItem
        from closet.models import ClosetItem, HistoryEntry
        from recommend.models import Interaction
        from tryon.models import Combination

        for model, rows in zip((Interaction, HistoryEntry, ClosetItem, Combination), self.rows.values()):
            model.objects.bulk_create(rows, batch_size=2000)
        counts = ClosetItem.objects.values("item_id").annotate(n=Count("id"))
        ClothingItem.objects.bulk_update([ClothingItem(pk=row["item_id"], closet_users=row["n"]) for row in counts],
                                         ["closet_users"], batch_size=1000)


def seed(items: int, users: int, seed_value: int) -> tuple[list[str], float]:
    """(tokens, seconds one trending refresh took)."""
    from accounts.models import User
    from recommend.trending import trending_refresh

    rng = np.random.default_rng(seed_value)
    seed_items(rng, items)
    seed_embeddings(rng)
    tokens = seed_users(users)
    activity = Activity(rng)
    for user_id in User.objects.order_by("pk").values_list("pk", flat=True):
        activity.add_user(user_id)
    activity.save()
    started = time.perf_counter()
    trending_refresh()
    return tokens, time.perf_counter() - started


# --- Measuring -------------------------------------------------------------------------------------

def endpoints(rng: np.random.Generator, tokens: list[str]) -> dict:
    """name -> function returning (path, extra request headers) for one request."""
    from catalog.models import Category, ClothingItem

    items = list(ClothingItem.objects.values_list("pk", flat=True))
    separates = list(ClothingItem.objects.exclude(category__body_region=Category.BodyRegion.FULL)
                      .values_list("pk", flat=True))
    base = "/api/v1/recommendations"
    return {
        "GET /similar/{id}": lambda: (f"{base}/similar/{rng.choice(items)}", {}),
        "GET /trending": lambda: (f"{base}/trending", {}),
        "GET /trending?category=bottoms": lambda: (f"{base}/trending?category=bottoms", {}),
        "GET /for-you (token)": lambda: (f"{base}/for-you", {"HTTP_AUTHORIZATION": f"Token {rng.choice(tokens)}"}),
        "GET /complete/{id} (top or bottom)": lambda: (f"{base}/complete/{rng.choice(separates)}", {}),
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, int(np.ceil(share * len(ordered))) - 1)]


def measure(client, request, count: int) -> tuple[list[float], list[float], int, int]:
    """(wall ms, this process's CPU ms, non-200 answers, SQL queries of one extra request).
    CPU time leaves out waiting for the database and for a busy machine's cores."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    latencies, cpu, errors = [], [], 0
    for n in range(WARMUP + count):
        path, headers = request()
        started, cpu_started = time.perf_counter(), time.process_time()
        status = client.get(path, **headers).status_code
        if n >= WARMUP:
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            errors += status != 200
    path, headers = request()
    with CaptureQueriesContext(connection) as queries:
        client.get(path, **headers)
    return latencies, cpu, errors, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200, help="measured requests per endpoint")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ovdr-reco-bench-") as folder:
        url, drop = scratch_database(os.environ.get("DATABASE_URL", ""), Path(folder))
        try:
            return run(args, url, Path(folder))
        finally:
            drop()


def environment(args, *, seeded_s: float, refresh_s: float) -> str:
    from django.db import connection

    from recommend.models import Interaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT VERSION()" if connection.vendor == "mysql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return (f"{connection.vendor} {version}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
            f"before measuring, Python {platform.python_version()}, in-process (Django test client); "
            f"{args.items} items, {args.users} users, {Interaction.objects.count()} logged interactions, "
            f"seeded in {seeded_s:.0f} s; one trending refresh (the scheduled task) took {refresh_s * 1000:.0f} ms.")


def run(args, url: str, workdir: Path) -> int:
    started = time.perf_counter()
    django_setup(url, workdir)
    from django.test import Client

    tokens, refresh_s = seed(args.items, args.users, args.seed)
    print(environment(args, seeded_s=time.perf_counter() - started, refresh_s=refresh_s) + "\n")
    print("| endpoint | requests | p50 ms | p95 ms | max ms | p50 CPU ms (Django) | SQL queries / request | errors |")
    print("|---|---|---|---|---|---|---|---|")
    client, rng, failed = Client(), np.random.default_rng(args.seed), 0
    for name, request in endpoints(rng, tokens).items():
        latencies, cpu, errors, queries = measure(client, request, args.requests)
        failed += errors
        print(f"| {name} | {len(latencies)} | {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.95):.1f} "
              f"| {max(latencies):.1f} | {percentile(cpu, 0.5):.1f} | {queries} | {errors} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
