"""Background jobs through a real `manage.py qcluster` process, as in production."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from search.services import image_search_start
from tests.factories import UserFactory, image_bytes
from tests.workers import job_wait, qcluster, skip_without_a_shared_database

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_qcluster_worker_runs_an_image_search_job_to_the_end(monkeypatch, small_catalog):
    skip_without_a_shared_database()
    from django_q.conf import Conf

    call_command("build_search_index", verbosity=0)
    monkeypatch.setattr(Conf, "SYNC", False)
    upload = SimpleUploadedFile("look.jpg", image_bytes(size=(300, 400), color=(195, 32, 42), garment=True))
    job = image_search_start(owner=UserFactory(), image_file=upload, category=None, limit=3)
    with qcluster():
        job_wait(job, seconds=90)
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
