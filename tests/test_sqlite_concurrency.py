"""The embedded SQLite default under its own worker: writers wait their turn instead of failing.

Real processes on one SQLite file, as `make run` starts them: gunicorn, a `manage.py qcluster`
enriching an import, `build_search_index`, and shoppers uploading photos, all at once. Then a
database held locked past the busy timeout: the API answers 503 with Retry-After, not 500.
These tests use their own SQLite file, whichever database the rest of the suite runs on.
"""

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bench.harness import ROOT, Client, free_port, gunicorn_start, gunicorn_stop, gunicorn_wait, server_env
from tests.workers import qcluster

VALIDATION = ROOT.parent / "shared" / "data" / "clothing" / "validation"
PERSON = ROOT.parent / "shared" / "data" / "people" / "omnitry_person_dress.jpg"
# Any small valid JPEG: the lock test needs no person in it.
PHOTO = sorted((ROOT / "catalog" / "demo" / "shirt").glob("*.jpg"))[0]
PASSWORD = "a-long-test-password-2026"


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test works on its own copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _manage(server_env(f"sqlite:///{path}", path.parent), "migrate")
    return path


@pytest.fixture
def stack(tmp_path, migrated_sqlite):
    """(env, sqlite file, start(**env) -> port): gunicorn on a copy of the migrated database."""
    database = tmp_path / "ovdr.sqlite3"
    shutil.copyfile(migrated_sqlite, database)
    env = server_env(f"sqlite:///{database}", tmp_path)
    servers = []

    def start(**extra: str) -> int:
        port, server_tmp = free_port(), tmp_path / f"gunicorn-{len(servers)}"
        server_tmp.mkdir()
        servers.append(gunicorn_start({**env, **extra}, port, 2, server_tmp, project_conf=None))
        gunicorn_wait(servers[-1], port, 2, server_tmp)
        return port

    yield env, database, start
    for server in servers:
        gunicorn_stop(server)


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args, "-v", "0"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)


def _shopper(port: int) -> Client:
    client = Client(port)
    body = client.expect("POST", "/api/v1/auth/register", 201,
                         {"username": f"s{uuid.uuid4().hex[:8]}", "password": PASSWORD,
                          "password_confirm": PASSWORD})
    client.close()
    return Client(port, token=json.loads(body)["token"])


def _upload(client: Client, image: Path) -> tuple[int, dict, bytes]:
    """POST the image to /api/v1/photos as multipart; (status, response headers, body)."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{image.name}\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + image.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    client.conn.request("POST", "/api/v1/photos", body=body, headers={
        **client.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = client.conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def _queued_tasks(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT COUNT(*) FROM django_q_ormq").fetchone()[0]


@pytest.mark.skipif(not (VALIDATION.is_dir() and PERSON.is_file()), reason="needs ../shared/data")
def test_worker_import_index_rebuild_and_uploads_share_sqlite_without_lock_errors(stack, tmp_path):
    env, database, start = stack
    port = start(PHOTOS_PER_SHOPPER="1000")  # the shopper uploads for as long as the import and rebuild run
    shopper = _shopper(port)
    worker_log = tmp_path / "qcluster.log"
    with qcluster(log=worker_log, Q_WORKERS="2", **{k: env[k] for k in (
            "DATABASE_URL", "MEDIA_ROOT", "SEARCH_INDEX_DIR", "DEBUG", "SECRET_KEY")}):
        run = {"cwd": ROOT, "env": env, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
        importing = subprocess.Popen([sys.executable, "manage.py", "import_catalog", str(VALIDATION),
                                      "--limit", "3"], **run)
        time.sleep(3)  # the import has started and the worker is enriching its first items
        indexing = subprocess.Popen([sys.executable, "manage.py", "build_search_index", "-v", "0"], **run)
        uploads = []
        while indexing.poll() is None or importing.poll() is None:
            uploads.append(_upload(shopper, PERSON)[0])
        outputs = importing.communicate(timeout=300)[0] + indexing.communicate(timeout=300)[0]
        deadline = time.monotonic() + 300
        while _queued_tasks(database) and time.monotonic() < deadline:
            time.sleep(1)
        remaining = _queued_tasks(database)
    log = worker_log.read_text()
    assert importing.returncode == 0 and indexing.returncode == 0, outputs
    assert "locked" not in outputs
    assert uploads and set(uploads) == {201}, uploads
    assert remaining == 0
    assert "database is locked" not in log and "Failed '" not in log, log[-3000:]
    assert log.count("Processed 'search.tasks.item_enrich'") == 3 * 8  # --limit 3 of each of 8 classes


def test_a_database_locked_past_the_busy_timeout_answers_503_with_retry_after(stack, tmp_path):
    env, database, start = stack
    port = start(DATABASE_BUSY_TIMEOUT="0.5")
    shopper = _shopper(port)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the one write lock, and keeps it
    try:
        status, headers, body = _upload(shopper, PHOTO)
        assert status == 503, body
        assert headers["Retry-After"] == "5"
        assert json.loads(body)["error"]["code"] == "database_unavailable"
        assert shopper.call("GET", "/api/v1/clothes")[0] == 200  # WAL: reads go on beside the writer
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _upload(shopper, PHOTO)[0] == 201  # the lock is gone: served again
    assert len(list((tmp_path / "media").rglob("*.jpg"))) == 1  # the refused upload left no file
