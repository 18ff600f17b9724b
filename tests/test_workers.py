"""Background jobs through a real `manage.py qcluster` process, as in production."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from jobs.models import Job
from search.services import image_search_start
from tests.factories import UserFactory, image_bytes
from tests.workers import job_wait, qcluster, skip_without_a_shared_database

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DELETED = "The photo or an item was deleted before the try-on ran."


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


def test_a_photo_real_job_waits_for_the_gpu_workers_which_warm_up_first_and_take_it(tmp_path, monkeypatch):
    """Real clusters: the CPU one runs its own jobs but leaves the GPU queue alone; the GPU one (no weights
    here, so its warm-up fails, is logged, and the worker serves on) takes the job."""
    skip_without_a_shared_database()
    from django_q.conf import Conf

    from jobs.services import job_create

    monkeypatch.setattr(Conf, "SYNC", False)
    owner, params = UserFactory(), {"photo_id": 0, "top_id": 0, "engine": "diffusion", "options": {}}
    gpu_job = job_create(owner=owner, kind=Job.Kind.TRYON, params=params, cluster="gpu")
    cpu_job = job_create(owner=owner, kind=Job.Kind.TRYON, params={**params, "engine": "warp"})
    with qcluster(TRYON_GPU_CLUSTER="gpu"):
        job_wait(cpu_job, seconds=60)
        job_wait(gpu_job, seconds=3)
    assert (cpu_job.status, cpu_job.error) == ("failed", DELETED)  # the CPU worker ran its own job...
    assert gpu_job.status == "queued"  # ...and not the GPU one
    with qcluster(log=tmp_path / "gpu.log", TRYON_GPU_CLUSTER="gpu", Q_CLUSTER_NAME="gpu"):
        job_wait(gpu_job, seconds=60)
    assert (gpu_job.status, gpu_job.error) == ("failed", DELETED)
    log = (tmp_path / "gpu.log").read_text()
    assert "could not load the diffusion model" in log and "no weights are configured" in log
