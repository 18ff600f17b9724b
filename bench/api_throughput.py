#!/usr/bin/env python3
"""API throughput on MariaDB: catalog list and closet add/remove beside a bare Django view.

    .venv/bin/python bench/api_throughput.py [--concurrency 1,16] [--seconds 8]

What it does (see bench/README.md):

1. Creates a scratch database `ovdr_bench` on the server named by DATABASE_URL (default
   mysql://root@127.0.0.1:3306/test); the database in that URL is never touched.
2. Migrates it, imports catalog/demo, copies the demo items up to --items catalog items and
   creates one shopper (with a DRF token) per closet client.
3. Starts gunicorn (sync workers, DEBUG=False) on a free port of 127.0.0.1.
4. For each concurrency level, runs each scenario for --seconds with that many client threads,
   each with its own http.client connection, after an unrecorded warm-up.
5. Prints a Markdown table, stops gunicorn and drops the scratch database, whatever happened.

Only the standard library drives the load; MySQLdb (mysqlclient) creates and drops the database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from dataclasses import dataclass

from harness import (PROJECT_GUNICORN_CONF, BenchError, Client, Stack, Stats, bench_parser, bench_stack,
                     catalog_pages, checked_args, gunicorn_memory, handle_signals, nproc, percentile,
                     print_findings, run_main, run_threads)

BENCH_DB = "ovdr_bench"


def loop_healthz(client: Client, rng: random.Random, deadline: float, item_ids: list) -> dict[str, Stats]:
    stats = Stats()
    while time.monotonic() < deadline:
        client.record(stats, "GET", "/healthz", 200)
    return {"healthz": stats}


def loop_catalog(client: Client, rng: random.Random, deadline: float, item_ids: list) -> dict[str, Stats]:
    stats = Stats()
    while time.monotonic() < deadline:
        client.record(stats, "GET", f"/api/v1/clothes?page={rng.randint(1, catalog_pages(item_ids))}", 200)
    return {"catalog list": stats}


def loop_closet(client: Client, rng: random.Random, deadline: float, item_ids: list) -> dict[str, Stats]:
    """Add an item then remove it, so the shopper's closet never reaches the 5-per-category cap."""
    add, remove = Stats(), Stats()
    while time.monotonic() < deadline:
        item_id = rng.choice(item_ids)
        client.record(add, "POST", "/api/v1/closet", 201, {"clothing_id": item_id})
        client.record(remove, "DELETE", f"/api/v1/closet/{item_id}", 204)
    return {"closet add": add, "closet remove": remove}


LOOPS = {"healthz": loop_healthz, "catalog": loop_catalog, "closet": loop_closet}


@dataclass
class Result:
    name: str
    concurrency: int
    stats: Stats
    seconds: float
    cpu: dict  # CPU used during the window, in cores (CPU seconds per second); see CpuProbe


class CpuProbe:
    """CPU seconds used so far by the load generator, gunicorn (master and workers), a local
    MariaDB and the whole machine, so a report shows where the CPU went and whether anything
    else was running. Everything but the load generator needs Linux's /proc."""

    DB_NAMES = ("mariadbd", "mysqld")

    def __init__(self, server_pid: int):
        self.server_pid = server_pid
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def snapshot(self) -> dict:
        snap = {"load generator": time.process_time()}
        try:
            with open("/proc/stat") as f:
                values = [int(v) for v in f.readline().split()[1:9]]
            idle = values[3] + values[4]  # idle + iowait
            snap["machine"], snap["capacity"] = (sum(values) - idle) / self.tick, sum(values) / self.tick
            server = db = 0
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        raw = f.read()
                except OSError:
                    continue  # the process ended meanwhile
                comm = raw[raw.index("(") + 1: raw.rindex(")")]
                fields = raw[raw.rindex(")") + 2:].split()
                pid, ppid, used = int(entry), int(fields[1]), int(fields[11]) + int(fields[12])
                if pid == self.server_pid or ppid == self.server_pid:
                    server += used
                elif comm in self.DB_NAMES:
                    db += used
            snap["gunicorn"], snap["MariaDB"] = server / self.tick, db / self.tick
        except (OSError, ValueError, IndexError):
            pass
        return snap

    @staticmethod
    def usage(before: dict, after: dict, wall: float) -> dict:
        """Cores used by each part during the window; "other" is everything else on the machine."""
        cores = {k: (after[k] - before[k]) / wall for k in before if k in after and k != "capacity"}
        if "machine" in cores:
            cores["other"] = max(0.0, cores["machine"] - sum(v for k, v in cores.items() if k != "machine"))
            cores["busy share"] = (after["machine"] - before["machine"]) / max(
                1e-9, after["capacity"] - before["capacity"])
        return cores


def run_scenario(scenario: str, concurrency: int, seconds: float, port: int, tokens: list,
                 item_ids: list, seed_base: int, probe: CpuProbe) -> tuple[dict, float, dict]:
    """Run `concurrency` client threads for `seconds`: ({row name: Stats}, wall seconds, CPU use)."""
    def work(i: int, deadline: float) -> dict[str, Stats]:
        client = Client(port, tokens[i] if scenario == "closet" else None)
        try:
            return LOOPS[scenario](client, random.Random(seed_base * 1000 + i), deadline, item_ids)
        finally:
            client.close()

    cpu0 = probe.snapshot()
    merged, wall = run_threads(concurrency, seconds, work)
    return merged, wall, probe.usage(cpu0, probe.snapshot(), wall)


# --- Checks ------------------------------------------------------------------------------------

def smoke_test(port: int, token: str, item_ids: list) -> None:
    """One request of each kind, so a misconfiguration fails loudly before any timing."""
    anon, shopper = Client(port), Client(port, token)
    item_id = item_ids[0]
    try:
        anon.expect("GET", "/healthz", 200)
        anon.expect("GET", f"/api/v1/clothes?page={catalog_pages(item_ids)}", 200)
        if len(json.loads(anon.expect("GET", "/api/v1/clothes?page=1", 200))["results"]) != 20:
            raise BenchError("smoke test: a catalog page does not hold 20 items")
        shopper.expect("POST", "/api/v1/closet", 201, {"clothing_id": item_id})
        shopper.expect("DELETE", f"/api/v1/closet/{item_id}", 204)
    finally:
        anon.close()
        shopper.close()


# --- Main --------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = bench_parser(__doc__, db_name=BENCH_DB, seconds=8.0, warmup=1.0)
    parser.add_argument("--concurrency", default="1,16",
                        help="comma-separated numbers of concurrent clients (default 1,16)")
    args = checked_args(parser, argv)
    try:
        args.levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    except ValueError:
        parser.error("--concurrency takes integers, e.g. 1,16")
    if not args.levels or min(args.levels) < 1:
        parser.error("--concurrency needs at least one level, each >= 1")
    return args


def measure(args: argparse.Namespace, port: int, probe: CpuProbe, tokens: list, item_ids: list) -> list[Result]:
    results = []
    for level in args.levels:
        for n, scenario in enumerate(LOOPS):
            seed_base = level * 10 + n
            print(f"  {scenario} x{level}: {args.warmup:g}s warm-up + {args.seconds:g}s...", file=sys.stderr)
            if args.warmup:
                run_scenario(scenario, level, args.warmup, port, tokens, item_ids, seed_base + 5000, probe)
            merged, wall, cpu = run_scenario(scenario, level, args.seconds, port, tokens, item_ids, seed_base, probe)
            results += [Result(name, level, stats, wall, cpu) for name, stats in merged.items()]
    return results


def main(argv=None) -> int:
    args = parse_args(argv)
    handle_signals()
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"Warning: 1-min load average is {load_before:.2f}; other processes share the CPUs "
              "and will lower these numbers.", file=sys.stderr)
    started = time.monotonic()
    with bench_stack(db_name=BENCH_DB, items=args.items, users=max(args.levels), workers=args.workers,
                     keep_db=args.keep_db) as stack:
        smoke_test(stack.port, stack.tokens[0], stack.item_ids)
        results = measure(args, stack.port, CpuProbe(stack.proc.pid), stack.tokens, stack.item_ids)
        memory = gunicorn_memory(stack.proc)
        leftover, counted = stack.server.execute(
            f"SELECT (SELECT COUNT(*) FROM `{BENCH_DB}`.closet_closetitem), "
            f"(SELECT COALESCE(SUM(closet_users), 0) FROM `{BENCH_DB}`.catalog_clothingitem)")[0]
    closet_check = (f"closet rows left after the run: {leftover}; "
                    f"sum of ClothingItem.closet_users: {counted} (both should be 0)")
    print_report(args, results, stack, closet_check, time.monotonic() - started, load_before, memory)
    errors = sum(r.stats.errors for r in results)
    return 1 if errors or leftover or counted else 0


def print_report(args, results: list[Result], stack: Stack, closet_check: str, total_s: float,
                 load_before: float, memory: str) -> None:
    ceiling = {r.concurrency: len(r.stats.latencies) / r.seconds for r in results if r.name == "healthz"}
    print()
    print(f"- Machine: {nproc()} CPUs (nproc), {platform.machine()}, Python {platform.python_version()}, "
          f"load generator on the same machine; 1-min load average before the run: {load_before:.2f}")
    print(f"- Database: {stack.db_version} (scratch database `{BENCH_DB}`), "
          f"CONN_MAX_AGE={os.environ.get('CONN_MAX_AGE', '60')}")
    hooks = " with the hooks of gunicorn.conf.py" if PROJECT_GUNICORN_CONF.exists() else ""
    print(f"- Server: gunicorn, {args.workers} sync workers x 1 thread{hooks}, DEBUG=False, "
          f"all workers ready {stack.boot_s:.1f}s after start; "
          f"{args.seconds:g}s per scenario after {args.warmup:g}s warm-up")
    print()
    print("| scenario | concurrency | requests | req/s | p50 ms | p99 ms | errors | % of ceiling |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        lat = sorted(r.stats.latencies)
        rate = len(lat) / r.seconds
        share = f"{100 * rate / ceiling[r.concurrency]:.0f}%" if ceiling.get(r.concurrency) else "n/a"
        print(f"| {r.name} | {r.concurrency} | {len(lat)} | {rate:.0f} | {percentile(lat, 50) * 1000:.1f} "
              f"| {percentile(lat, 99) * 1000:.1f} | {r.stats.errors} | {share} |")
    print()
    seen = set()
    for r in results:
        key = (r.concurrency, r.name.split()[0])
        if key in seen:
            continue
        seen.add(key)
        label = "closet add+remove" if r.name.startswith("closet") else r.name
        parts = ", ".join(f"{k} {v:.2f}" for k, v in r.cpu.items() if k not in ("machine", "busy share"))
        busy = f" (all {os.cpu_count()} CPUs {100 * r.cpu['busy share']:.0f}% busy)" if "busy share" in r.cpu else ""
        print(f"- CPU during {label} x{r.concurrency}, in cores: {parts}{busy}")
    worst_other = max((r.cpu.get("other", 0.0) for r in results), default=0.0)
    if worst_other > 0.15:
        print(f"- WARNING: other processes used up to {worst_other:.2f} cores during the run; "
              "these numbers are low. Rerun on an idle machine.")
    if memory:
        print(f"- gunicorn resident memory after the run: {memory}")
    print(f"- {closet_check}")
    for r in results:
        for sample in r.stats.samples:
            print(f"- error sample ({r.name} x{r.concurrency}): {sample}")
    print_findings(stack.findings)
    print(f"- total run time: {total_s:.0f}s")


if __name__ == "__main__":
    run_main(main)
