"""A try-on worker killed mid-job: the job is retried from a clean folder, and the next job runs."""

import os
import signal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_q.exceptions import TimeoutException
from PIL import Image

from accounts.services import photo_upload
from catalog.models import ClothingItem
from jobs import services
from jobs.models import Job
from tests.factories import ClothingItemFactory, UserFactory, category
from tests.workers import job_wait, qcluster, skip_without_a_shared_database, worker_pid
from tryon.models import RESULT_FILE
from tryon.services import tryon_start

PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"
# The killed attempt's task is delivered again once its broker lock (Q_RETRY) expires; each
# attempt may run Q_TIMEOUT seconds. Small values keep the test short.
Q_TIMEOUT, Q_RETRY = 20, 25


def _files(job: Job) -> list[str]:
    return sorted(os.listdir(default_storage.path(job.files_prefix)))


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")
def test_a_worker_killed_mid_job_is_retried_without_its_partial_files_and_the_next_job_runs(
        monkeypatch, tmp_path):
    skip_without_a_shared_database()
    from django_q.conf import Conf

    shopper = UserFactory()
    photo = photo_upload(user=shopper, upload=SimpleUploadedFile(
        "me.jpg", (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes()))
    first_top, next_top = ClothingItemFactory.create_batch(2, category=category("tops"))
    monkeypatch.setattr(Conf, "SYNC", False)
    job, _ = tryon_start(owner=shopper, photo=photo, top=first_top)
    log = tmp_path / "qcluster.log"
    with qcluster(log=log, Q_TIMEOUT=str(Q_TIMEOUT), Q_RETRY=str(Q_RETRY)):
        with transaction.atomic():
            # Holding the garment's row parks the worker mid-job, deterministically: it has
            # reported progress, and blocks where it caches the garment's key points.
            ClothingItem.objects.select_for_update().get(pk=first_top.pk)
            job_wait(job, seconds=60, until=lambda job: job.progress > 0)
            assert (job.status, job.attempts) == ("running", 1)
            # What a worker killed while saving leaves: a truncated result.
            default_storage.save(job.files_prefix + RESULT_FILE, ContentFile(b"\xff\xd8\xff\xe0 half a JPEG"))
            os.kill(worker_pid(log, task_name=f"job-{job.pk}"), signal.SIGKILL)
        job_wait(job, seconds=Q_RETRY + Q_TIMEOUT + 10)
        assert (job.status, job.attempts) == ("succeeded", 2), job.error
        assert _files(job) == [RESULT_FILE] and job.result["image"] == RESULT_FILE
        with Image.open(default_storage.path(job.files_prefix + RESULT_FILE)) as result:
            result.load()  # the retry's complete picture, not the killed attempt's half
            assert result.size == (job.result["width"], job.result["height"])

        following, _ = tryon_start(owner=shopper, photo=photo, top=next_top)
        job_wait(following, seconds=Q_TIMEOUT + 10)
    assert (following.status, following.attempts) == ("succeeded", 1), following.error


# --- job_run's part, without a worker process -------------------------------------------------------

@pytest.fixture
def handler(monkeypatch):
    """A try-on handler that records the files it finds when it starts."""
    found = []
    monkeypatch.setitem(services.JOB_HANDLERS, Job.Kind.TRYON,
                        lambda *, job, report: found.append(_files(job)) or {"image": RESULT_FILE})
    return found


@pytest.mark.django_db
def test_a_retry_starts_without_the_files_of_the_attempt_that_died_but_keeps_its_inputs(
        shopper, handler, monkeypatch):
    monkeypatch.setitem(services.JOB_INPUTS, Job.Kind.TRYON, ("query.jpg",))
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING, attempts=1)
    for name in ("query.jpg", RESULT_FILE, "step-3.png"):
        default_storage.save(job.files_prefix + name, ContentFile(b"written by the first attempt"))
    services.job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert handler == [["query.jpg"]]
    assert (job.status, job.attempts) == ("succeeded", 2)


@pytest.mark.django_db
def test_a_job_delivered_again_after_its_last_attempt_died_fails_with_a_clear_message(shopper, handler):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING,
                             attempts=services.MAX_ATTEMPTS)
    default_storage.save(job.files_prefix + RESULT_FILE, ContentFile(b"half"))
    services.job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert handler == []
    assert (job.status, job.error) == ("failed", services.OUT_OF_ATTEMPTS) and job.finished_at
    assert not default_storage.exists(job.files_prefix)


@pytest.mark.django_db
@pytest.mark.parametrize("attempts_before, status", [(0, "running"), (services.MAX_ATTEMPTS - 1, "failed")])
def test_an_attempt_stopped_by_the_timeout_is_retried_and_the_last_one_fails_the_job(
        shopper, monkeypatch, attempts_before, status):
    def too_slow(*, job, report):
        default_storage.save(job.files_prefix + RESULT_FILE, ContentFile(b"half"))
        raise TimeoutException("Task exceeded maximum timeout value")

    monkeypatch.setitem(services.JOB_HANDLERS, Job.Kind.TRYON, too_slow)
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, attempts=attempts_before)
    with pytest.raises(TimeoutException):  # django-q2 must still see it, to deliver the task again
        services.job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.status == status
    if status == "failed":
        assert job.error == services.TIMED_OUT and not default_storage.exists(job.files_prefix)
