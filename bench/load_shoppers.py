#!/usr/bin/env python3
"""50 concurrent shoppers on MariaDB: browse, search, closet add/remove and history, caps checked after.

    .venv/bin/python bench/load_shoppers.py [--shoppers 50] [--seconds 30] [--warmup 10] [--workers 4]

Each shopper is a thread with its own account, DRF token and http.client connection. It loops on
a weighted mix of requests against gunicorn on 127.0.0.1 for --seconds after an unrecorded
--warmup, which first fills each closet to one short of the cap in the shopper's favourite
category; every run is bounded in time. Afterwards the scratch database (`ovdr_load`) is checked
for the closet and history invariants. The exit status is 1 when any request failed or any
invariant was broken, 2 when setup failed. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections import Counter
from urllib.parse import quote

from harness import (BenchError, Client, Stack, Stats, bench_parser, bench_stack, catalog_pages, checked_args,
                     gunicorn_memory, handle_signals, nproc, percentile, print_findings, run_main, run_threads)

BENCH_DB = "ovdr_load"
MAX_PER_CATEGORY, HISTORY_LENGTH = 5, 20  # closet.models: MAX_ITEMS_PER_CATEGORY, HISTORY_LENGTH
# What a shopper does next, with weights: mostly looking, sometimes keeping or dropping an item.
MIX = {"browse": 30, "item page": 25, "search": 20, "closet": 15, "history": 10}
REMOVE_SHARE = 0.4  # of closet actions: adds outnumber removes, so closets fill up and meet the cap
FAVOURITE_SHARE = 0.5  # of adds: from the shopper's favourite category, the one the warm-up nearly filled
ROWS = ("browse", "item page", "search", "closet add", "closet add: cap 400", "closet remove", "history")
WORKERS_WHY = ("2 per core: a sync worker idles while MariaDB answers, so two keep a core busy; more would "
               "add ~0.3 GiB each and only queue the same CPU")

INVARIANTS = {  # name: SQL counting the rows that break it; {db} is the scratch database
    f"users over {MAX_PER_CATEGORY} closet items in a category":
        "SELECT COUNT(*) FROM (SELECT c.user_id FROM `{db}`.closet_closetitem c JOIN `{db}`.catalog_clothingitem i "
        f"ON i.id = c.item_id GROUP BY c.user_id, i.category_id HAVING COUNT(*) > {MAX_PER_CATEGORY}) v",
    "duplicate (user, item) closet rows":
        "SELECT COUNT(*) FROM (SELECT user_id FROM `{db}`.closet_closetitem GROUP BY user_id, item_id "
        "HAVING COUNT(*) > 1) v",
    f"users over {HISTORY_LENGTH} history entries":
        "SELECT COUNT(*) FROM (SELECT user_id FROM `{db}`.closet_historyentry GROUP BY user_id "
        f"HAVING COUNT(*) > {HISTORY_LENGTH}) v",
    "items whose closet_users differs from their closet rows":
        "SELECT COUNT(*) FROM `{db}`.catalog_clothingitem i WHERE i.closet_users <> "
        "(SELECT COUNT(*) FROM `{db}`.closet_closetitem c WHERE c.item_id = i.id)",
}


def search_queries(titles: list[str]) -> list[str]:
    """What shoppers type, from the demo titles: "red striped cotton t-shirt", "red t-shirt", "t-shirt"."""
    queries = set()
    for title in titles:
        head = title.split(" with ")[0].split(" (")[0].lower().split()
        queries.update({" ".join(head), f"{head[0]} {head[-1]}", head[-1]})
    return sorted(queries)


class Shopper:
    """One shopper: own token and connection, a seeded random walk, and what is in their closet
    (only this thread changes it), so the client knows when the 5-per-category cap must answer."""

    def __init__(self, port: int, token: str, rng: random.Random, stack: Stack, queries: list[str]):
        self.client, self.rng, self.queries = Client(port, token), rng, queries
        self.items = stack.item_ids
        self.category = dict(zip(stack.item_ids, stack.item_categories))
        self.pages = catalog_pages(stack.item_ids)
        self.favourite = rng.choice(sorted(set(stack.item_categories)))
        self.closet: set[int] = set()
        self.accepted_past_cap = 0
        self.stats = {row: Stats() for row in ROWS}

    def fill_closet(self, deadline: float) -> None:
        """Warm-up: one item short of the cap in the favourite category, so the cap is met under load."""
        while self.in_category(self.favourite) < MAX_PER_CATEGORY - 1 and time.monotonic() < deadline:
            self.add(self.favourite)

    def run(self, deadline: float) -> dict[str, Stats]:
        self.stats = {row: Stats() for row in ROWS}
        actions = {"browse": self.browse, "item page": self.item_page, "search": self.search,
                   "closet": self.closet_change, "history": self.history}
        while time.monotonic() < deadline:
            actions[self.rng.choices(list(MIX), weights=list(MIX.values()))[0]]()
        return self.stats

    def browse(self) -> None:
        self.client.record(self.stats["browse"], "GET", f"/api/v1/clothes?page={self.rng.randint(1, self.pages)}", 200)

    def item_page(self) -> None:  # a signed-in view: the server records it in the history
        self.client.record(self.stats["item page"], "GET", f"/api/v1/clothes/{self.rng.choice(self.items)}", 200)

    def search(self) -> None:
        self.client.record(self.stats["search"], "GET", f"/api/v1/search?q={quote(self.rng.choice(self.queries))}", 200)

    def history(self) -> None:
        self.client.record(self.stats["history"], "GET", "/api/v1/history", 200)

    def closet_change(self) -> None:
        if self.closet and self.rng.random() < REMOVE_SHARE:
            item_id = self.rng.choice(sorted(self.closet))
            if self.client.record(self.stats["closet remove"], "DELETE", f"/api/v1/closet/{item_id}", 204) == 204:
                self.closet.discard(item_id)
        else:
            self.add(self.favourite if self.rng.random() < FAVOURITE_SHARE else None)

    def in_category(self, category: int) -> int:
        return sum(self.category[i] == category for i in self.closet)

    def add(self, category: int | None) -> None:
        """Add an item not in the closet yet (of `category` if given); a 400 is right only for a full category."""
        item_id = self.rng.choice([i for i in self.items if i not in self.closet
                                   and category in (None, self.category[i])])
        full = self.in_category(self.category[item_id]) >= MAX_PER_CATEGORY
        status, elapsed, data = self.client.call("POST", "/api/v1/closet", {"clothing_id": item_id})
        if status == 201:
            self.closet.add(item_id)
            self.accepted_past_cap += full
        row = "closet add: cap 400" if full and status == 400 else "closet add"
        self.stats[row].add(elapsed, status in (201, 400) and (status == 400) == full,
                            f"POST /api/v1/closet {item_id} (category full: {full}) -> {status}: {data[:200]!r}")


def smoke_test(port: int, token: str, stack: Stack, queries: list[str]) -> None:
    """One request of each kind, so a misconfiguration fails loudly before any timing."""
    client, item_id = Client(port, token), stack.item_ids[0]
    try:
        client.expect("GET", f"/api/v1/clothes?page={catalog_pages(stack.item_ids)}", 200)
        client.expect("GET", f"/api/v1/clothes/{item_id}", 200)
        if not json.loads(client.expect("GET", f"/api/v1/search?q={quote(queries[0])}", 200))["results"]:
            raise BenchError(f"smoke test: searching {queries[0]!r} found nothing; is the index built?")
        client.expect("POST", "/api/v1/closet", 201, {"clothing_id": item_id})
        client.expect("DELETE", f"/api/v1/closet/{item_id}", 204)
        client.expect("GET", "/api/v1/history", 200)
    finally:
        client.close()


def parse_args(argv=None) -> argparse.Namespace:
    parser = bench_parser(__doc__, db_name=BENCH_DB, seconds=30.0, warmup=10.0)
    parser.add_argument("--shoppers", type=int, default=50, help="concurrent shoppers (default 50)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; above 1 means gthread (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the shoppers' walks (default 1)")
    args = checked_args(parser, argv)
    if min(args.shoppers, args.threads) < 1:
        parser.error("--shoppers and --threads must be >= 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    handle_signals()
    load_before, started = os.getloadavg(), time.monotonic()
    with bench_stack(db_name=BENCH_DB, items=args.items, users=args.shoppers, workers=args.workers,
                     threads=args.threads, commands=(("build_search_index", "-v", "0"),),
                     keep_db=args.keep_db) as stack:
        queries = search_queries(stack.titles)
        smoke_test(stack.port, stack.tokens[0], stack, queries)
        shoppers = [Shopper(stack.port, token, random.Random(args.seed * 1000 + i), stack, queries)
                    for i, token in enumerate(stack.tokens)]
        def warm_up(i: int, deadline: float) -> dict[str, Stats]:
            shoppers[i].fill_closet(deadline)
            return shoppers[i].run(deadline)

        def shop(i: int, deadline: float) -> dict[str, Stats]:
            return shoppers[i].run(deadline)

        try:
            say_phase(f"{args.shoppers} shoppers: {args.warmup:g}s warm-up, filling closets")
            run_threads(len(shoppers), args.warmup, warm_up)
            say_phase(f"{args.shoppers} shoppers: {args.seconds:g}s measured")
            stats, wall = run_threads(len(shoppers), args.seconds, shop)
        finally:
            for shopper in shoppers:
                shopper.client.close()
        load_after, memory = os.getloadavg(), gunicorn_memory(stack.proc)
        violations = Counter({name: stack.server.execute(sql.format(db=BENCH_DB))[0][0]
                              for name, sql in INVARIANTS.items()})
    violations["closet adds answered 201 past the cap"] = sum(s.accepted_past_cap for s in shoppers)
    print_report(args, stack, stats, wall, violations, loads=(load_before, load_after), memory=memory,
                 total_s=time.monotonic() - started)
    errors = sum(s.errors for s in stats.values())
    return 1 if errors or sum(violations.values()) else 0


def say_phase(message: str) -> None:
    print(f"  {message} (1-min load {os.getloadavg()[0]:.2f})", file=sys.stderr, flush=True)


def print_report(args, stack: Stack, stats: dict[str, Stats], wall: float, violations: Counter, *,
                 loads: tuple, memory: str, total_s: float) -> None:
    before, after = (" / ".join(f"{v:.2f}" for v in load) for load in loads)
    kind = f"{args.threads} threads (gthread)" if args.threads > 1 else f"1 thread (sync; {WORKERS_WHY})"
    print(f"\n- Machine: {nproc()} CPUs, {platform.machine()}, Python {platform.python_version()}, load generator "
          f"on the same machine; load average (1/5/15 min) before {before}, after the run {after}")
    print(f"- Database: {stack.db_version} (scratch `{BENCH_DB}`), CONN_MAX_AGE={os.environ.get('CONN_MAX_AGE', '60')}; "
          f"{len(stack.item_ids)} items, {len(stack.titles)} demo titles indexed for search")
    print(f"- Server: gunicorn, {args.workers} workers x {kind}, DEBUG=False, ready {stack.boot_s:.1f}s after start"
          + (f"; memory after the run: {memory}" if memory else ""))
    print(f"- Load: {args.shoppers} shoppers, {args.seconds:g}s measured ({wall:.1f}s wall) after {args.warmup:g}s "
          f"warm-up; mix {', '.join(f'{k} {v}%' for k, v in MIX.items())}\n")
    print("| operation | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    everything = Stats()
    for row_stats in stats.values():
        everything.merge(row_stats)
    for row, row_stats in (*stats.items(), ("all", everything)):
        lat = sorted(row_stats.latencies)
        ms = " | ".join(f"{percentile(lat, p) * 1000:.1f}" if lat else "-" for p in (50, 95, 99))
        print(f"| {row} | {len(lat)} | {len(lat) / wall:.1f} | {ms} | {row_stats.errors} |")
    print(f"\n- cap violations: {sum(violations.values())} ("
          + "; ".join(f"{name}: {n}" for name, n in violations.items()) + ")")
    for row, row_stats in stats.items():
        for sample in row_stats.samples:
            print(f"- error sample ({row}): {sample}")
    print_findings(stack.findings)
    print(f"- total run time: {total_s:.0f}s")


if __name__ == "__main__":
    run_main(main)
