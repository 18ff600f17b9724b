"""Background jobs through a real `manage.py qcluster` process, as in production."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from tryon import jobs
from tryon.models import Job
from tests.factories import UserFactory

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True)]


def _worker_env(**extra) -> dict:
    db = connection.settings_dict  # the test database, shared with the worker process
    url = f"mysql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "Q_WORKERS": "1", **extra}


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGTERM)  # the cluster's own graceful stop
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def test_a_qcluster_worker_picks_up_and_finishes_a_queued_job(monkeypatch):
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server shared with the test (MariaDB)")
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    job = jobs.job_create(owner=UserFactory(), kind=Job.Kind.IMAGE_SEARCH, params={})
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR,
                              env=_worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status not in Job.ACTIVE:
                break
            time.sleep(0.3)
    finally:
        _stop(worker)
    # No handler is registered for image search yet, so the worker ends it as failed, with a reason.
    assert job.status == "failed" and "No worker can run" in job.error and job.started_at


def test_redis_broker_is_selected_by_setting_and_reachable():
    code = ("import django; django.setup(); from django_q.brokers import get_broker; b = get_broker(); "
            "print(type(b).__name__, b.ping())")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "ovdr.settings", "Q_BROKER": "redis"},
                            timeout=60)
    assert result.stdout.split() == ["Redis", "True"], result.stderr
