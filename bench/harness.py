"""What the HTTP benches share: a scratch MariaDB database, seeding, gunicorn on loopback, clients, stats.

`bench_stack()` runs the whole setup and always undoes it: it creates a scratch database on the
server named by DATABASE_URL (never touching the database in that URL), migrates it, imports
catalog/demo, runs any extra management commands, copies the demo items up to a catalog size,
creates shoppers with DRF tokens, and starts gunicorn (DEBUG=False) on a free port of 127.0.0.1.

Run as a script, this module is the seeding step (`harness.py seed ITEMS USERS OUT`): it needs
Django set up against the scratch database, so it runs in a child process.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/test"
HOST = "127.0.0.1"  # the load generators never connect anywhere else
REQUEST_TIMEOUT_S = 30
PAGE_SIZE = 20  # core.api.Pagination
PROJECT_GUNICORN_CONF = ROOT / "gunicorn.conf.py"


class BenchError(RuntimeError):
    """A setup step failed: reported in a few lines, without a traceback of the bench itself."""


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
        """Run the statements in order; the rows of the last one."""
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


def scratch_database(database_url: str, name: str) -> tuple[Server, str, str]:
    """(server, configured database name, URL of the scratch database `name` on the same server)."""
    parts = urlsplit(database_url)
    if not parts.scheme.startswith("mysql"):
        raise BenchError(f"DATABASE_URL must point at MariaDB/MySQL (mysql://...), not {parts.scheme}://")
    configured = parts.path.lstrip("/")
    if configured == name:
        raise BenchError(f"DATABASE_URL already names {name}, the scratch database this bench drops; "
                         "point it at another database on the same server.")
    server = Server(host=parts.hostname or "127.0.0.1", port=parts.port or 3306,
                    user=unquote(parts.username or "root"), password=unquote(parts.password or ""))
    return server, configured, urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


# --- Seeding (a child process with Django set up against the scratch database) ---------------------

def seed(items_total: int, users: int, out_path: str) -> None:
    """Copy the imported demo items up to items_total; create users with tokens; write what clients need."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovdr.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import models, transaction
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from accounts.usernames import username_skeleton
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
        User.objects.bulk_create([User(username=n, username_skeleton=username_skeleton(n), password=password)
                                   for n in names])  # bulk_create skips save(), which sets it
        by_name = {u.username: u for u in User.objects.filter(username__in=names)}
        tokens = [Token(key=Token.generate_key(), user=by_name[n]) for n in names]
        Token.objects.bulk_create(tokens)
    active = ClothingItem.objects.filter(is_active=True).order_by("id")
    Path(out_path).write_text(json.dumps({
        "tokens": [t.key for t in tokens],
        "item_ids": list(active.values_list("id", flat=True)),
        "item_categories": list(active.values_list("category_id", flat=True)),
        "titles": sorted({item.title for item in demo}),
    }))


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

    def merge(self, other: Stats) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.samples += other.samples[: max(0, 5 - len(self.samples))]


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

    def record(self, stats: Stats, method: str, path: str, expected: int, payload: dict | None = None) -> int | None:
        """Call and add the outcome to stats (an error unless the status is `expected`); the status."""
        status, elapsed, data = self.call(method, path, payload)
        stats.add(elapsed, status == expected, f"{method} {path} -> {status}: {data[:200].decode(errors='replace')}")
        return status

    def expect(self, method: str, path: str, expected: int, payload: dict | None = None) -> bytes:
        """Call, for a smoke test: the body, or a BenchError unless the status is `expected`."""
        status, _, data = self.call(method, path, payload)
        if status != expected:
            raise BenchError(f"smoke test: {method} {path} answered {status}, expected {expected}: "
                             f"{data[:300].decode(errors='replace')}")
        return data

    def close(self) -> None:
        self.conn.close()


def run_threads(count: int, seconds: float, work: Callable[[int, float], dict[str, Stats]],
                ) -> tuple[dict[str, Stats], float]:
    """Start `count` threads together, each running work(i, deadline) until the deadline; merge the
    {row name: Stats} they return. A request started before the deadline gets at most its socket
    timeout (twice, for a loop that sends two), so the whole run is bounded in time."""
    results: list[dict[str, Stats]] = [{} for _ in range(count)]
    barrier = threading.Barrier(count + 1)
    deadline_box: list[float] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i, deadline_box[0])
        except Exception as exc:  # a bug in a client loop: count it rather than lose it in stderr
            results[i] = {"client thread": Stats(latencies=[0.0], errors=1, samples=[repr(exc)])}

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline_box.append(time.monotonic() + seconds)
    barrier.wait()
    join_by = time.monotonic() + seconds + 2 * REQUEST_TIMEOUT_S + 5
    for t in threads:
        t.join(max(0.0, join_by - time.monotonic()))
    wall = time.perf_counter() - started
    merged: dict[str, Stats] = {}
    for part in results:
        for name, stats in part.items():
            merged.setdefault(name, Stats()).merge(stats)
    if any(t.is_alive() for t in threads):
        for stats in merged.values():
            stats.add(0.0, False, "a client thread did not finish in time")
    return merged, wall


def catalog_pages(item_ids: list) -> int:
    """Pages of GET /api/v1/clothes: every page number from 1 to this one answers 200."""
    return max(1, math.ceil(len(item_ids) / PAGE_SIZE))


def percentile(sorted_values: list, p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def nproc() -> int:
    """CPUs this process may run on, as `nproc` counts them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- gunicorn ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


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


def gunicorn_start(env: dict, port: int, workers: int, tmp: Path, threads: int = 1,
                   project_conf: Path | None = PROJECT_GUNICORN_CONF) -> subprocess.Popen:
    """gunicorn in its own session, logging to tmp/gunicorn.log; more than one thread means gthread.
    project_conf=None leaves out the project's hooks (its search-model warm-up) when nothing needs them."""
    ready = tmp / "ready"
    ready.mkdir()
    conf = tmp / "gunicorn_bench.conf.py"
    conf.write_text(GUNICORN_CONF.format(project=str(project_conf or ""), ready=str(ready)))
    log = (tmp / "gunicorn.log").open("ab")
    cmd = [
        sys.executable, "-m", "gunicorn",
        "--config", str(conf),
        "--workers", str(workers), "--threads", str(threads),
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
            client = Client(port)
            status, _, body = client.call("GET", "/healthz")
            client.close()
            if status == 200 and body == b"ok":
                return time.monotonic() - started
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


def print_findings(findings: list[str]) -> None:
    if not findings:
        print("- gunicorn/Django log: nothing but start/stop messages")
        return
    print(f"- gunicorn/Django log: {len(findings)} notable line(s); first ones:")
    for line in findings[:20]:
        print(f"    {line}")


# --- The whole setup ---------------------------------------------------------------------------

@dataclass
class Stack:
    """What a bench needs while it runs, and after: `findings` is filled in once gunicorn stopped."""
    server: Server
    db_name: str
    db_version: str
    tokens: list = field(default_factory=list)
    item_ids: list = field(default_factory=list)
    item_categories: list = field(default_factory=list)  # the category id of each item in item_ids
    titles: list = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen | None = None
    boot_s: float = float("nan")
    findings: list = field(default_factory=list)


def manage(env: dict, *args: str) -> None:
    """Run a management command quietly; show its output only when it fails."""
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        tail = "\n".join(done.stdout.splitlines()[-25:])
        raise BenchError(f"manage.py {' '.join(args)} failed with exit status {done.returncode}:\n{tail}")


def server_env(database_url: str, tmp: Path) -> dict:
    """Production-like settings (DEBUG=False) with media, static files and the search index under tmp."""
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, DEBUG="False", SECRET_KEY="bench-only", ALLOWED_HOSTS=f"{HOST},localhost",
               SECURE_SSL_REDIRECT="False", MEDIA_ROOT=str(tmp / "media"), STATIC_ROOT=str(tmp / "static"),
               SEARCH_INDEX_DIR=str(tmp / "search-index"), PYTHONPATH=str(ROOT),
               DJANGO_SETTINGS_MODULE="ovdr.settings")
    # Django still logs every 4xx/5xx at WARNING/ERROR; INFO chatter from imports would bury them.
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_prepare(*, stack: Stack, env: dict, tmp: Path, items: int, users: int,
                     commands: tuple[tuple[str, ...], ...]) -> None:
    """Create the scratch database, migrate it, import the demo catalog, run `commands`, then seed."""
    db_name = stack.db_name
    stack.server.execute(f"DROP DATABASE IF EXISTS `{db_name}`",
                         f"CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    for command in (("migrate", "--noinput", "-v", "0"), ("import_catalog", "catalog/demo", "-v", "0"), *commands):
        manage(env, *command)
    seed_out = tmp / "seed.json"
    done = subprocess.run([sys.executable, __file__, "seed", str(items), str(users), str(seed_out)], cwd=ROOT,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode:
        raise BenchError(f"seeding failed with exit status {done.returncode}:\n{done.stdout[-3000:]}")
    seeded = json.loads(seed_out.read_text())
    stack.tokens, stack.item_ids, stack.titles = seeded["tokens"], seeded["item_ids"], seeded["titles"]
    stack.item_categories = seeded["item_categories"]


@contextmanager
def bench_stack(*, db_name: str, items: int, users: int, workers: int, threads: int = 1,
                commands: tuple[tuple[str, ...], ...] = (), keep_db: bool = False) -> Iterator[Stack]:
    """Scratch database, migrated and seeded (the demo catalog, then `commands`, then the copies and
    `users` shoppers), and gunicorn serving it. gunicorn stops, the database is dropped (unless
    keep_db) and the temporary files go, whatever happens."""
    server, configured, url = scratch_database(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL, db_name)
    stack = Stack(server=server, db_name=db_name, db_version=server.execute("SELECT VERSION()")[0][0])
    tmp = Path(tempfile.mkdtemp(prefix="ovdr-bench-"))
    (tmp / "media").mkdir()
    (tmp / "static").mkdir()  # WhiteNoise warns at every request when STATIC_ROOT is missing
    env = server_env(url, tmp)
    started = time.monotonic()
    try:
        say(f"Creating {db_name} on {server.host}:{server.port} (DATABASE_URL names `{configured}`, left untouched)...")
        database_prepare(stack=stack, env=env, tmp=tmp, items=items, users=users, commands=commands)
        say(f"Seeded {len(stack.item_ids)} catalog items and {len(stack.tokens)} shoppers in "
            f"{time.monotonic() - started:.1f}s; starting gunicorn...")
        stack.port = free_port()
        stack.proc = gunicorn_start(env, stack.port, workers, tmp, threads)
        stack.boot_s = gunicorn_wait(stack.proc, stack.port, workers, tmp)
        say(f"gunicorn's {workers} workers ready in {stack.boot_s:.1f}s")
        yield stack
    finally:
        if stack.proc is not None:
            gunicorn_stop(stack.proc)
        stack.findings = log_findings(tmp / "gunicorn.log")
        if not keep_db:
            try:
                server.execute(f"DROP DATABASE IF EXISTS `{db_name}`")
            except Exception as exc:  # report, but keep the original error if there is one
                say(f"Could not drop {db_name}: {exc}")
        shutil.rmtree(tmp, ignore_errors=True)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through bench_stack: gunicorn stops, the database goes


def handle_signals() -> None:
    """SIGTERM, and SIGINT even when started in the background by a script, clean up as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def bench_parser(doc: str, *, db_name: str, seconds: float, warmup: float) -> argparse.ArgumentParser:
    """The options every HTTP bench takes; `checked_args` validates them."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=seconds, help=f"measured seconds (default {seconds:g})")
    parser.add_argument("--warmup", type=float, default=warmup, help=f"unrecorded seconds first (default {warmup:g})")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--items", type=int, default=2000, help="catalog items to seed (default 2000)")
    parser.add_argument("--keep-db", action="store_true", help=f"leave {db_name} in place afterwards")
    return parser


def checked_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or args.workers < 1 or args.items < 1:
        parser.error("--seconds must be > 0, --warmup >= 0, --workers and --items >= 1")
    return args


def run_main(main: Callable[[], int]) -> None:
    """Exit with main's status: 2 when a setup step failed, 130 on Ctrl-C (bench_stack has cleaned up)."""
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped, scratch files removed", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__" and sys.argv[1:2] == ["seed"]:
    seed(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
