"""Background jobs through a real `manage.py qcluster` process, as in production."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from search.services import image_search_start
from tryon.models import Job
from tests.factories import UserFactory, image_bytes

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]


def _worker_env(**extra) -> dict:
    db = connection.settings_dict  # the test database, shared with the worker process
    url = f"mysql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR), "Q_WORKERS": "1", **extra}


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)  # the cluster's own graceful stop
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def test_a_qcluster_worker_runs_an_image_search_job_to_the_end(monkeypatch, small_catalog):
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server shared with the test (MariaDB)")
    from django_q.conf import Conf

    call_command("build_search_index", verbosity=0)
    monkeypatch.setattr(Conf, "SYNC", False)
    upload = SimpleUploadedFile("look.jpg", image_bytes(size=(300, 400), color=(195, 32, 42), garment=True))
    job = image_search_start(owner=UserFactory(), image_file=upload, category=None, limit=3)
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR,
                              env=_worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status not in Job.ACTIVE:
                break
            time.sleep(0.3)
    finally:
        _stop(worker)
    assert job.status == "succeeded", job.error
    best = [match["id"] for match in job.result["garments"][0]["matches"][:2]]
    assert set(best) == {small_catalog["dress"].pk, small_catalog["skirt"].pk}


def test_redis_broker_is_selected_by_setting_and_reachable():
    code = ("import django; django.setup(); from django_q.brokers import get_broker; b = get_broker(); "
            "print(type(b).__name__, b.ping())")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "ovdr.settings", "Q_BROKER": "redis"},
                            timeout=60)
    assert result.stdout.split() == ["Redis", "True"], result.stderr
