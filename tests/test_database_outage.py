"""The database going away: requests fail cleanly (503 + Retry-After) and recover without an app restart.

The fast tests fake a refused connection inside Django's test client. The outage test starts a
private MariaDB and gunicorn, restarts the database under load and watches every answer.
"""

import http.client
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from bench.harness import (HOST, ROOT, free_port, gunicorn_start, gunicorn_stop, gunicorn_wait, gunicorn_workers,
                           server_env)
from core.middleware import database_unreachable
from tests.private_mariadb import MARIADBD, PrivateMariaDB

REFUSED = OperationalError(2002, "Can't connect to server on '127.0.0.1' (115)")
PAGE_TEXT = b"The service is briefly unavailable"


@pytest.mark.parametrize("exc, unreachable", [
    (REFUSED, True),
    (OperationalError(2006, "Server has gone away"), True),
    (OperationalError(2013, "Lost connection to server during query"), True),
    (OperationalError(1927, "Connection was killed"), True),
    (InterfaceError(0, ""), True),
    (OperationalError("unable to open database file"), True),
    (OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction"), False),
    (OperationalError(1213, "Deadlock found when trying to get lock"), False),
    (OperationalError("database is locked"), True),
    (IntegrityError(1062, "Duplicate entry"), False),
])
def test_only_connectivity_errors_count_as_an_unreachable_database(exc, unreachable):
    assert database_unreachable(exc) is unreachable


@pytest.fixture
def database_raises(monkeypatch):
    """Every attempt to reach the database raises the exception the test sets."""
    raised = {"exc": REFUSED}

    def ensure_connection(self):
        raise raised["exc"]

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)
    return raised


def _assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"error": {
        "status": 503, "code": "database_unavailable",
        "message": "The service is briefly unavailable. Please try again in a moment."}}


def test_api_answers_503_in_the_error_format_when_the_database_refuses(client, database_raises):
    _assert_api_503(client.get("/api/v1/clothes"))
    # DRF's token authentication is the first to query here.
    _assert_api_503(client.get("/api/v1/me", HTTP_AUTHORIZATION="Token 0123456789abcdef"))


def test_pages_answer_the_503_page_even_for_a_signed_in_session(client, database_raises):
    client.cookies["sessionid"] = "a-session-key-the-database-must-look-up"
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert PAGE_TEXT in response.content


def test_an_outage_logs_one_warning_and_no_errors(client, database_raises, caplog):
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            assert client.get("/api/v1/clothes").status_code == 503
    assert [(r.name, r.levelname) for r in caplog.records] == [("core.middleware", "WARNING")]
    assert "(1 request(s)" in caplog.records[0].getMessage()


def test_a_lock_wait_timeout_is_not_hidden_as_an_outage(client, database_raises):
    database_raises["exc"] = OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction")
    with pytest.raises(OperationalError, match="Lock wait timeout"):
        client.get("/api/v1/clothes")


# --- The real thing: MariaDB restarted under load ----------------------------------------------------

WORKERS = 2
OUTAGE_S = 3.0  # how long the database stays down once it has stopped
RECOVERY_S = 10.0  # every target answers 200 again within this long after the database is back
SLOWEST_ANSWER_S = 5.0  # "fails cleanly" includes "fails fast": nobody waits on a dead database
REQUEST_TIMEOUT_S = 30.0  # the client's own limit, so a hung request is seen instead of waited on forever

SEED = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from accounts.models import User
call_command("migrate", interactive=False, verbosity=0)
user = User.objects.create_user("outage-shopper")
browser = Client()
browser.force_login(user)
print(json.dumps({"token": Token.objects.create(user=user).key,
                  "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}))
"""


@pytest.fixture
def mariadb():
    if not shutil.which("mariadb-install-db") or not os.path.exists(MARIADBD):
        pytest.skip(f"needs mariadb-install-db and {MARIADBD} (Debian's mariadb-server)")
    server = PrivateMariaDB(root=Path(tempfile.mkdtemp(prefix="ovdr-outage-")))
    try:
        server.install()
        server.start()
        server.execute("CREATE DATABASE ovdr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


@dataclass
class App:
    port: int
    proc: subprocess.Popen
    token: str
    session: str
    log: Path


@pytest.fixture
def app(mariadb):
    """gunicorn serving the private database with persistent connections (CONN_MAX_AGE=60)."""
    tmp = Path(tempfile.mkdtemp(prefix="ovdr-outage-app-"))
    # DEBUG=True only spares a collectstatic run for the home page; the middleware ignores DEBUG.
    env = {**server_env(mariadb.url, tmp), "DEBUG": "True", "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}
    proc = None
    try:
        seeded = subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=180)
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        secrets = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = free_port()
        # Without the project's gunicorn.conf.py: its search-model warm-up (40 s on a busy
        # 2-core machine) serves no request here.
        proc = gunicorn_start(env, port, WORKERS, tmp, project_conf=None)
        gunicorn_wait(proc, port, WORKERS, tmp)
        yield App(port=port, proc=proc, token=secrets["token"], session=secrets["session"],
                  log=tmp / "gunicorn.log")
    finally:
        if proc is not None:
            gunicorn_stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass(frozen=True)
class Answer:
    target: str
    started: float
    elapsed: float
    status: int | None  # None: no HTTP answer at all
    retry_after: str | None
    body: bytes


def _get(port: int, target: str, path: str, headers: dict) -> Answer:
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    started = time.monotonic()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return Answer(target, started, time.monotonic() - started, response.status,
                      response.getheader("Retry-After"), body)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(target, started, time.monotonic() - started, None, None, repr(exc).encode())
    finally:
        conn.close()


class Load:
    """One client thread per target, each sending GETs back to back (a short pause between)."""

    def __init__(self, app: App):
        self.targets = {
            "/api/v1/clothes": ("/api/v1/clothes", {"Accept": "application/json"}),
            "/api/v1/me": ("/api/v1/me", {"Accept": "application/json", "Authorization": f"Token {app.token}"}),
            "home": ("/", {}),
            "home, signed in": ("/", {"Cookie": f"sessionid={app.session}"}),
        }
        self.answers: list[Answer] = []  # list.append is atomic: threads share it without a lock
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(app.port, name, *spec), daemon=True)
                         for name, spec in self.targets.items()]

    def _run(self, port: int, target: str, path: str, headers: dict) -> None:
        while not self._stop.is_set():
            self.answers.append(_get(port, target, path, headers))
            self._stop.wait(0.05)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_S + 5)

    def first_200s_after(self, moment: float, timeout: float) -> dict[str, float]:
        """{target: when its first 200 started, among requests started after moment}, waiting up to timeout."""
        deadline = time.monotonic() + timeout
        while True:
            firsts = {}
            for answer in list(self.answers):
                if answer.status == 200 and answer.started >= moment and answer.target not in firsts:
                    firsts[answer.target] = answer.started
            if len(firsts) == len(self.targets) or time.monotonic() > deadline:
                return firsts
            time.sleep(0.05)


def _clean_failure(answer: Answer) -> bool:
    if answer.status != 503 or answer.retry_after != "5":
        return False
    if answer.target.startswith("/api/"):
        try:
            return json.loads(answer.body)["error"]["code"] == "database_unavailable"
        except (ValueError, KeyError):
            return False
    return PAGE_TEXT in answer.body


@pytest.mark.mariadb
def test_a_database_restart_under_load_fails_cleanly_and_recovers_without_an_app_restart(mariadb, app, capsys):
    workers = gunicorn_workers(app.proc)
    assert len(workers) == WORKERS
    with Load(app) as load:
        assert len(load.first_200s_after(0, RECOVERY_S)) == len(load.targets), "no 200s before the outage"
        stopping = time.monotonic()
        mariadb.stop()
        time.sleep(OUTAGE_S)
        mariadb.start()
        back = time.monotonic()
        recovered = load.first_200s_after(back, RECOVERY_S)
    answers = load.answers

    unclean = [a for a in answers if a.status != 200 and not _clean_failure(a)]
    assert not unclean, [(a.target, a.status, a.body[:300]) for a in unclean[:5]]
    during = [a for a in answers if stopping <= a.started < back]
    assert {a.target for a in during if a.status == 503} == set(load.targets), "some target never saw the outage"
    slowest = max(a.elapsed for a in answers)
    assert slowest < SLOWEST_ANSWER_S
    assert set(recovered) == set(load.targets), f"no 200 within {RECOVERY_S}s of the restart: {recovered}"
    assert gunicorn_workers(app.proc) == workers  # the same processes served before and after
    log = app.log.read_text(errors="replace")
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    assert 1 <= log.count("Database unreachable, answering 503") <= WORKERS

    with capsys.disabled():
        print(f"\n[database outage] {sum(a.status == 503 for a in answers)} of {len(answers)} requests answered "
              f"503; database down {back - stopping:.1f}s (SIGTERM to accepting connections again); "
              f"first 200 per target {max(recovered.values()) - back:.2f}s after it was back at the latest; "
              f"slowest answer {slowest:.2f}s; load {open('/proc/loadavg').read().split()[0]}")
