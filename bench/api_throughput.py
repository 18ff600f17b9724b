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
import http.client
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/test"
BENCH_DB = "ovdr_bench"
HOST = "127.0.0.1"  # the load generator never connects anywhere else
CATALOG_PAGES = 50  # GET /api/v1/clothes?page=1..50 (20 items a page)
REQUEST_TIMEOUT_S = 30


# --- Database ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str

    def connect(self):
        import MySQLdb

        kwargs = {"user": self.user, "passwd": self.password, "charset": "utf8mb4"}
        if self.host in ("localhost", ""):
            kwargs["host"] = "localhost"  # the client library then uses the unix socket
        else:
            kwargs.update(host=self.host, port=self.port)
        return MySQLdb.connect(**kwargs)

    def execute(self, *statements: str) -> list:
        conn = self.connect()
        try:
            cur = conn.cursor()
            rows = []
            for sql in statements:
                cur.execute(sql)
                rows = list(cur.fetchall()) if cur.description else []
            conn.commit()
            return rows
        finally:
            conn.close()


def bench_database_url(database_url: str) -> tuple[Server, str, str]:
    """(server, configured database name, URL of the scratch database on the same server)."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("mysql"):
        sys.exit(f"DATABASE_URL must point at MariaDB/MySQL (mysql://...), not {parts.scheme}://")
    configured = parts.path.lstrip("/")
    if configured == BENCH_DB:
        sys.exit(f"DATABASE_URL already names {BENCH_DB}, the scratch database this bench drops; "
                 "point it at another database on the same server.")
    server = Server(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
    )
    url = urlunsplit((parts.scheme, parts.netloc, "/" + BENCH_DB, parts.query, ""))
    return server, configured, url


def database_create(server: Server) -> None:
    server.execute(
        f"DROP DATABASE IF EXISTS `{BENCH_DB}`",
        f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
    )


def database_drop(server: Server) -> None:
    server.execute(f"DROP DATABASE IF EXISTS `{BENCH_DB}`")


# --- Seeding (runs in a child process with Django set up against the scratch database) ------------

def seed(items_total: int, users: int, out_path: str) -> None:
    """Copy the imported demo items up to items_total; create users with tokens; write ids/tokens."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovdr.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import models, transaction
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from catalog.models import ClothingItem

    demo = list(ClothingItem.objects.order_by("id"))
    if not demo:
        raise SystemExit("import_catalog created no items")
    skip = {"id", "source_id", "closet_users", "created_at", "updated_at"}
    fields = [f for f in ClothingItem._meta.concrete_fields if f.name not in skip]
    copies = []
    for i in range(max(0, items_total - len(demo))):
        src = demo[i % len(demo)]
        values = {}
        for f in fields:
            value = getattr(src, f.attname)
            values[f.attname] = value.name if isinstance(f, models.FileField) else value
        copies.append(ClothingItem(**values))  # same image file names: no files are copied
    password = make_password(None)  # unusable: bench users only authenticate with tokens
    names = [f"bench{i:03d}" for i in range(users)]
    with transaction.atomic():
        ClothingItem.objects.bulk_create(copies, batch_size=500)
        User.objects.bulk_create([User(username=n, password=password) for n in names])
        by_name = {u.username: u for u in User.objects.filter(username__in=names)}
        tokens = [Token(key=Token.generate_key(), user=by_name[n]) for n in names]
        Token.objects.bulk_create(tokens)
    item_ids = list(ClothingItem.objects.filter(is_active=True).values_list("id", flat=True))
    Path(out_path).write_text(json.dumps({"tokens": [t.key for t in tokens], "item_ids": item_ids}))


# --- Load generator ----------------------------------------------------------------------------

@dataclass
class Stats:
    latencies: list = field(default_factory=list)  # seconds, successful or not
    errors: int = 0
    samples: list = field(default_factory=list)  # a few error descriptions

    def add(self, elapsed: float, ok: bool, what: str = "") -> None:
        self.latencies.append(elapsed)
        if not ok:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append(what)


class Client:
    """One client: one http.client connection, reopened when the server closes it."""

    def __init__(self, port: int, token: str | None = None):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, payload: dict | None = None) -> tuple[int | None, float, bytes]:
        headers = dict(self.headers)
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return None, time.perf_counter() - start, repr(exc).encode()
        return status, time.perf_counter() - start, data

    def close(self) -> None:
        self.conn.close()


def _record(stats: Stats, method: str, path: str, expected: int, result) -> None:
    status, elapsed, data = result
    ok = status == expected
    stats.add(elapsed, ok, f"{method} {path} -> {status}: {data[:200].decode(errors='replace')}")


def loop_healthz(client: Client, rng: random.Random, deadline: float, out: dict) -> None:
    stats = out.setdefault("healthz", Stats())
    while time.monotonic() < deadline:
        _record(stats, "GET", "/healthz", 200, client.call("GET", "/healthz"))


def loop_catalog(client: Client, rng: random.Random, deadline: float, out: dict) -> None:
    stats = out.setdefault("catalog list", Stats())
    while time.monotonic() < deadline:
        path = f"/api/v1/clothes?page={rng.randint(1, CATALOG_PAGES)}"
        _record(stats, "GET", path, 200, client.call("GET", path))


def loop_closet(client: Client, rng: random.Random, deadline: float, out: dict, item_ids: list) -> None:
    """Add an item then remove it, so the shopper's closet never reaches the 5-per-category cap."""
    add, remove = out.setdefault("closet add", Stats()), out.setdefault("closet remove", Stats())
    while time.monotonic() < deadline:
        item_id = rng.choice(item_ids)
        _record(add, "POST", "/api/v1/closet", 201,
                client.call("POST", "/api/v1/closet", {"clothing_id": item_id}))
        path = f"/api/v1/closet/{item_id}"
        _record(remove, "DELETE", path, 204, client.call("DELETE", path))


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
    per_thread: list[dict] = [{} for _ in range(concurrency)]
    clients = [Client(port, tokens[i] if scenario == "closet" else None) for i in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)
    deadline_box: list[float] = []

    def worker(i: int) -> None:
        rng = random.Random(seed_base * 1000 + i)
        barrier.wait()
        deadline = deadline_box[0]
        try:
            if scenario == "healthz":
                loop_healthz(clients[i], rng, deadline, per_thread[i])
            elif scenario == "catalog":
                loop_catalog(clients[i], rng, deadline, per_thread[i])
            else:
                loop_closet(clients[i], rng, deadline, per_thread[i], item_ids)
        finally:
            clients[i].close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    cpu0, t0 = probe.snapshot(), time.perf_counter()
    deadline_box.append(time.monotonic() + seconds)
    barrier.wait()
    # Stop by time: a request started before the deadline gets at most its socket timeout
    # (twice for the closet's add and remove), so the whole scenario is bounded.
    join_by = time.monotonic() + seconds + 2 * REQUEST_TIMEOUT_S + 5
    for t in threads:
        t.join(max(0.0, join_by - time.monotonic()))
    wall = time.perf_counter() - t0
    cpu = probe.usage(cpu0, probe.snapshot(), wall)
    merged: dict[str, Stats] = {}
    for part in per_thread:
        for name, stats in part.items():
            into = merged.setdefault(name, Stats())
            into.latencies += stats.latencies
            into.errors += stats.errors
            into.samples += stats.samples[: max(0, 5 - len(into.samples))]
    if any(t.is_alive() for t in threads):
        for into in merged.values():
            into.errors += 1
            into.samples.append("a client thread did not finish in time")
    return merged, wall, cpu


def percentile(sorted_values: list, p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


# --- Server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


PROJECT_GUNICORN_CONF = ROOT / "gunicorn.conf.py"

# gunicorn reads one config file. This one takes the project's gunicorn.conf.py, when there is
# one, so its hooks (a model warm-up in post_worker_init, say) run as in production. It adds a
# marker file per worker once that worker can serve, so the bench starts timing only when all
# are ready. Command-line options (workers, bind, timeout) override the project file's.
GUNICORN_CONF = """\
import os
import runpy

_project = runpy.run_path({project!r}) if os.path.exists({project!r}) else {{}}
globals().update({{k: v for k, v in _project.items() if not k.startswith("_")}})


def post_worker_init(worker):
    if callable(_project.get("post_worker_init")):
        _project["post_worker_init"](worker)
    open(os.path.join({ready!r}, str(os.getpid())), "w").close()
"""


def gunicorn_start(env: dict, port: int, workers: int, tmp: Path) -> subprocess.Popen:
    ready = tmp / "ready"
    ready.mkdir()
    conf = tmp / "gunicorn_bench.conf.py"
    conf.write_text(GUNICORN_CONF.format(project=str(PROJECT_GUNICORN_CONF), ready=str(ready)))
    log = (tmp / "gunicorn.log").open("ab")
    cmd = [
        sys.executable, "-m", "gunicorn",
        "--config", str(conf),
        "--workers", str(workers), "--threads", "1",
        "--bind", f"{HOST}:{port}",
        "--timeout", str(REQUEST_TIMEOUT_S), "--graceful-timeout", "5",
        "--error-logfile", "-", "--log-level", "info",
        "ovdr.wsgi:application",
    ]
    try:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    finally:
        log.close()


def gunicorn_workers(proc: subprocess.Popen) -> set[int]:
    """PIDs of the master's live children (Linux /proc); empty where /proc is missing."""
    children = set()
    try:
        for task in os.listdir(f"/proc/{proc.pid}/task"):
            with open(f"/proc/{proc.pid}/task/{task}/children") as f:
                children.update(int(pid) for pid in f.read().split())
    except OSError:
        pass
    return children


def rss_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def gunicorn_memory(proc: subprocess.Popen) -> str:
    """Resident memory of the master and workers, e.g. "master 60 MiB, 4 workers 410 MiB each"."""
    master = rss_mib(proc.pid)
    workers = [m for m in (rss_mib(pid) for pid in gunicorn_workers(proc)) if m is not None]
    if master is None or not workers:
        return ""
    return (f"master {master:.0f} MiB, {len(workers)} workers {min(workers):.0f} to {max(workers):.0f} MiB each "
            f"({master + sum(workers):.0f} MiB in all)")


def gunicorn_wait(proc: subprocess.Popen, port: int, workers: int, tmp: Path, timeout: float = 120) -> float:
    """Until every worker has run post_worker_init and /healthz answers; the seconds it took."""
    started, log_path = time.monotonic(), tmp / "gunicorn.log"
    deadline = started + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}:\n{log_tail(log_path)}")
        ready = {int(name) for name in os.listdir(tmp / "ready")}
        live = gunicorn_workers(proc)
        if len(ready & live if live else ready) >= workers:
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status == 200 and body == b"ok":
                    return time.monotonic() - started
            except OSError:
                pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn's {workers} workers were not all ready within {timeout:.0f}s:\n"
                     f"{log_tail(log_path)}")


def gunicorn_stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


LOG_NOISE = re.compile(r"\[INFO\] (Starting gunicorn|Listening at|Using worker|Booting worker|"
                       r"Handling signal|Worker exiting|Shutting down|Control socket)")


PROGRESS_BAR = re.compile(r"\d+/\d+ \[[\d:<?]+")  # tqdm, e.g. a model loading in a warm-up hook


def log_findings(path: Path) -> list[str]:
    """Lines of the gunicorn/Django log other than routine start/stop messages and progress bars."""
    text = path.read_text(errors="replace") if path.exists() else ""
    lines = (part for line in text.splitlines() for part in line.split("\r"))
    return [line for line in lines
            if line.strip() and not LOG_NOISE.search(line) and not PROGRESS_BAR.search(line)]


# --- Checks ------------------------------------------------------------------------------------

def smoke_test(port: int, token: str, item_id: int) -> None:
    """One request of each kind, so a misconfiguration fails loudly before any timing."""
    anon, shopper = Client(port), Client(port, token)
    try:
        checks = [
            (anon, "GET", "/healthz", None, 200),
            (anon, "GET", "/api/v1/clothes?page=1", None, 200),
            (anon, "GET", f"/api/v1/clothes?page={CATALOG_PAGES}", None, 200),
            (shopper, "POST", "/api/v1/closet", {"clothing_id": item_id}, 201),
            (shopper, "DELETE", f"/api/v1/closet/{item_id}", None, 204),
        ]
        for client, method, path, payload, expected in checks:
            status, _, data = client.call(method, path, payload)
            if status != expected:
                raise BenchError(f"smoke test: {method} {path} answered {status}, expected {expected}: "
                                   f"{data[:300].decode(errors='replace')}")
        status, _, data = anon.call("GET", "/api/v1/clothes?page=1")
        if len(json.loads(data)["results"]) != 20:
            raise BenchError("smoke test: a catalog page does not hold 20 items")
    finally:
        anon.close()
        shopper.close()


# --- Main --------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", default="1,16",
                        help="comma-separated numbers of concurrent clients (default 1,16)")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per scenario (default 8)")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="unrecorded seconds before each scenario (default 1)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--items", type=int, default=2000, help="catalog items to seed (default 2000)")
    parser.add_argument("--keep-db", action="store_true", help=f"leave {BENCH_DB} in place afterwards")
    parser.add_argument("--seed", nargs=3, metavar=("ITEMS", "USERS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    except ValueError:
        parser.error("--concurrency takes integers, e.g. 1,16")
    if not args.levels or min(args.levels) < 1:
        parser.error("--concurrency needs at least one level, each >= 1")
    if args.seconds <= 0 or args.warmup < 0 or args.workers < 1:
        parser.error("--seconds must be > 0, --warmup >= 0, --workers >= 1")
    return args


class BenchError(RuntimeError):
    """A setup step failed: reported in a few lines, without a traceback of the bench itself."""


def manage(env: dict, *args: str) -> None:
    """Run a management command quietly; show its output only when it fails."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        tail = "\n".join(done.stdout.splitlines()[-25:])
        raise BenchError(f"manage.py {' '.join(args)} failed with exit status {done.returncode}:\n{tail}")


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main's finally: gunicorn stops, the database goes


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.seed:
        seed(int(args.seed[0]), int(args.seed[1]), args.seed[2])
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a script
        signal.signal(signal.SIGINT, signal.default_int_handler)

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    server, configured_db, bench_url = bench_database_url(database_url)
    db_version = server.execute("SELECT VERSION()")[0][0]
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"Warning: 1-min load average is {load_before:.2f}; other processes share the CPUs "
              "and will lower these numbers.", file=sys.stderr)

    tmp = Path(tempfile.mkdtemp(prefix="ovdr-bench-"))
    (tmp / "media").mkdir()
    (tmp / "static").mkdir()
    log_path = tmp / "gunicorn.log"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=bench_url,
        DEBUG="False",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS=f"{HOST},localhost",
        SECURE_SSL_REDIRECT="False",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="ovdr.settings",
    )
    # Django still logs every 4xx/5xx at WARNING/ERROR; INFO chatter from imports would bury them.
    env.setdefault("LOG_LEVEL", "WARNING")
    conn_max_age = env.get("CONN_MAX_AGE", "0")
    proc = None
    boot_s = float("nan")
    memory = ""
    results: list[Result] = []
    closet_check = ""
    findings: list[str] = []
    started = time.monotonic()
    try:
        print(f"Creating {BENCH_DB} on {server.host}:{server.port} "
              f"(DATABASE_URL names `{configured_db}`, left untouched)...", file=sys.stderr)
        database_create(server)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "import_catalog", "catalog/demo", "-v", "0")
        seed_out = tmp / "seed.json"
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--seed",
                               str(args.items), str(max(args.levels)), str(seed_out)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode:
            tail = "\n".join(done.stdout.splitlines()[-25:])
            raise BenchError(f"seeding failed with exit status {done.returncode}:\n{tail}")
        seeded = json.loads(seed_out.read_text())
        tokens, item_ids = seeded["tokens"], seeded["item_ids"]
        print(f"Seeded {len(item_ids)} catalog items and {len(tokens)} shoppers in "
              f"{time.monotonic() - started:.1f}s; starting gunicorn...", file=sys.stderr)

        port = free_port()
        proc = gunicorn_start(env, port, args.workers, tmp)
        boot_s = gunicorn_wait(proc, port, args.workers, tmp)
        print(f"gunicorn's {args.workers} workers ready in {boot_s:.1f}s", file=sys.stderr)
        smoke_test(port, tokens[0], item_ids[0])

        probe = CpuProbe(proc.pid)
        scenarios = ["healthz", "catalog", "closet"]
        for level in args.levels:
            for n, scenario in enumerate(scenarios):
                seed_base = level * 10 + n
                print(f"  {scenario} x{level}: {args.warmup:g}s warm-up + {args.seconds:g}s...", file=sys.stderr)
                if args.warmup:
                    run_scenario(scenario, level, args.warmup, port, tokens, item_ids, seed_base + 5000, probe)
                merged, wall, cpu = run_scenario(scenario, level, args.seconds, port, tokens, item_ids,
                                                 seed_base, probe)
                for name in ("healthz", "catalog list", "closet add", "closet remove"):
                    if name in merged:
                        results.append(Result(name, level, merged[name], wall, cpu))

        memory = gunicorn_memory(proc)
        leftover, counted = server.execute(
            f"SELECT (SELECT COUNT(*) FROM `{BENCH_DB}`.closet_closetitem), "
            f"(SELECT COALESCE(SUM(closet_users), 0) FROM `{BENCH_DB}`.catalog_clothingitem)")[0]
        closet_check = (f"closet rows left after the run: {leftover}; "
                        f"sum of ClothingItem.closet_users: {counted} (both should be 0)")
    finally:
        if proc is not None:
            gunicorn_stop(proc)
        findings = log_findings(log_path)
        if not args.keep_db:
            try:
                database_drop(server)
            except Exception as exc:  # report, but keep the original error if there is one
                print(f"Could not drop {BENCH_DB}: {exc}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)

    print_report(args, results, db_version, conn_max_age, closet_check, findings,
                 time.monotonic() - started, load_before, boot_s, memory)
    errors = sum(r.stats.errors for r in results)
    return 1 if errors or (closet_check and "left after the run: 0;" not in closet_check) else 0


def nproc() -> int:
    """CPUs this process may run on, as `nproc` counts them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def print_report(args, results: list[Result], db_version: str, conn_max_age: str, closet_check: str,
                 findings: list[str], total_s: float, load_before: float, boot_s: float,
                 memory: str) -> None:
    ceiling = {r.concurrency: len(r.stats.latencies) / r.seconds for r in results if r.name == "healthz"}
    print()
    print(f"- Machine: {nproc()} CPUs (nproc), {platform.machine()}, Python {platform.python_version()}, "
          f"load generator on the same machine; 1-min load average before the run: {load_before:.2f}")
    print(f"- Database: {db_version} (scratch database `{BENCH_DB}`), CONN_MAX_AGE={conn_max_age}")
    hooks = " with the hooks of gunicorn.conf.py" if PROJECT_GUNICORN_CONF.exists() else ""
    print(f"- Server: gunicorn, {args.workers} sync workers x 1 thread{hooks}, DEBUG=False, "
          f"all workers ready {boot_s:.1f}s after start; "
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
    if closet_check:
        print(f"- {closet_check}")
    for r in results:
        for sample in r.stats.samples:
            print(f"- error sample ({r.name} x{r.concurrency}): {sample}")
    if findings:
        print(f"- gunicorn/Django log: {len(findings)} notable line(s); first ones:")
        for line in findings[:20]:
            print(f"    {line}")
    else:
        print("- gunicorn/Django log: nothing but start/stop messages")
    print(f"- total run time: {total_s:.0f}s")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped, scratch files removed", file=sys.stderr)
        sys.exit(130)
