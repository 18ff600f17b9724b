import importlib
import pydoc
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from jobs import services, tasks
from jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(monkeypatch):
    """Register a handler for the try-on kind for one test; the test decides what it does."""
    registry = dict(services.JOB_HANDLERS)
    monkeypatch.setattr(services, "JOB_HANDLERS", registry)

    def install(function):
        registry[Job.Kind.TRYON] = function

    return install


def _write(job, name="result.jpg"):
    default_storage.save(f"{job.files_prefix}{name}", ContentFile(b"partial"))


def _create(shopper, capture):
    with capture(execute=True):
        return services.job_create(owner=shopper, kind=Job.Kind.TRYON, params={"photo_id": 1})


def test_a_job_runs_to_success_with_progress_and_result(shopper, handler, django_capture_on_commit_callbacks):
    seen = []

    def work(*, job, report):
        report(40, "warping")
        seen.append(Job.objects.get(pk=job.pk).progress)
        _write(job)
        return {"image": f"{job.files_prefix}result.jpg"}

    handler(work)
    job = _create(shopper, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert seen == [40]
    assert (job.status, job.progress, job.result) == ("succeeded", 100, {"image": f"{job.files_prefix}result.jpg"})
    assert job.started_at and job.finished_at
    assert default_storage.exists(f"{job.files_prefix}result.jpg")


def test_a_failed_job_keeps_no_partial_files_and_hides_internals(shopper, handler, django_capture_on_commit_callbacks):
    def work(*, job, report):
        _write(job)
        raise RuntimeError("secret stack detail")

    handler(work)
    job = _create(shopper, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and "internal error" in job.error and "secret" not in job.error
    assert not default_storage.exists(job.files_prefix)


def test_a_job_error_message_reaches_the_owner(shopper, handler, django_capture_on_commit_callbacks):
    def work(*, job, report):
        raise services.JobError("No person found in the photo.")

    handler(work)
    job = _create(shopper, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "No person found in the photo.")


def test_cancelling_a_running_job_stops_it_at_the_next_step_and_removes_files(
        shopper, handler, django_capture_on_commit_callbacks):
    steps = []

    def work(*, job, report):
        _write(job)
        services.job_cancel(job=Job.objects.get(pk=job.pk))  # the owner cancels meanwhile
        _write(job, "late.jpg")
        for step in range(5):
            report(step * 20, "diffusion")
            steps.append(step)
        return {"never": "stored"}

    handler(work)
    job = _create(shopper, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert steps == [] and job.status == "cancelled" and job.result is None
    assert not default_storage.exists(job.files_prefix)


def test_a_job_of_a_kind_nobody_handles_fails_with_a_clear_message(
        shopper, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services, "JOB_HANDLERS", {})  # a server without the image-search worker code
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(owner=shopper, kind=Job.Kind.IMAGE_SEARCH, params={})
    job.refresh_from_db()
    assert job.status == "failed" and "No worker can run Image search jobs" in job.error


def test_a_job_waits_in_the_queue_of_the_cluster_it_names_and_in_the_default_one_otherwise(
        shopper, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue on the ORM broker, as a real web process does
    with django_capture_on_commit_callbacks(execute=True):
        gpu = services.job_create(owner=shopper, kind=Job.Kind.TRYON, params={}, cluster="gpu")
        default = services.job_create(owner=shopper, kind=Job.Kind.TRYON, params={})
    queued = {row.name(): row.key for row in OrmQ.objects.all()}
    assert queued == {f"job-{gpu.pk}": "gpu", f"job-{default.pk}": Conf.CLUSTER_NAME}
    assert Conf.CLUSTER_NAME == settings.Q_CLUSTER["name"] != "gpu"


# --- retries and the reaper -----------------------------------------------------------------

def test_stale_jobs_are_ended_and_their_files_removed(shopper):
    old = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    running = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING, started_at=old)
    default_storage.save(running.files_prefix + "partial.jpg", ContentFile(b"x"))
    fresh = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING,
                               started_at=timezone.now())
    assert services.job_reap_stale() == 1
    running.refresh_from_db(), fresh.refresh_from_db()
    assert running.status == "failed" and "too long" in running.error and fresh.status == "running"
    assert not default_storage.exists(running.files_prefix + "partial.jpg")


def test_a_job_whose_worker_died_gets_one_more_attempt(shopper, monkeypatch):
    runs = []
    monkeypatch.setitem(services.JOB_HANDLERS, Job.Kind.TRYON, lambda *, job, report: runs.append(job.pk) or {})
    died_once = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING, attempts=1)
    died_twice = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.RUNNING, attempts=2)
    services.job_run(job_id=str(died_once.pk))
    services.job_run(job_id=str(died_twice.pk))
    assert runs == [died_once.pk]
    died_once.refresh_from_db()
    assert (died_once.status, died_once.attempts) == ("succeeded", 2)


# --- API -------------------------------------------------------------------------------------

def test_owner_polls_and_cancels_a_queued_job(api, shopper):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON)
    assert api.get(f"/api/v1/jobs/{job.pk}").data["status"] == "queued"
    cancelled = api.delete(f"/api/v1/jobs/{job.pk}")
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    services.job_run(job_id=str(job.pk))  # a worker that picks it up later does nothing
    job.refresh_from_db()
    assert job.status == "cancelled" and job.started_at is None


def test_cancelling_a_finished_job_is_a_409(api, shopper):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED)
    response = api.delete(f"/api/v1/jobs/{job.pk}")
    assert response.status_code == 409 and response.data["error"]["code"] == "job_finished"


def test_jobs_are_private_to_their_owner(other_api, anon_api, shopper):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON)
    assert other_api.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert other_api.delete(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert other_api.get("/api/v1/jobs").data["count"] == 0
    assert anon_api.get(f"/api/v1/jobs/{job.pk}").status_code == 401
    job.refresh_from_db()
    assert job.status == "queued"


def test_an_unknown_job_id_is_404(api):
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.get("/api/v1/jobs/not-a-uuid").status_code == 404


# --- startup and the move out of tryon ----------------------------------------------------------

def test_every_kind_has_its_handler_registered_at_startup():
    from search.tasks import image_search_run
    from tryon.tasks import tryon_run

    assert services.JOB_HANDLERS == {Job.Kind.TRYON: tryon_run, Job.Kind.IMAGE_SEARCH: image_search_run}
    assert services.JOB_INPUTS == {Job.Kind.TRYON: (), Job.Kind.IMAGE_SEARCH: ("query.jpg",)}


def test_the_reaper_is_scheduled_under_the_jobs_tasks_module():
    [schedule] = Schedule.objects.filter(name="End stale jobs")
    assert schedule.func == "jobs.tasks.job_reap_stale"
    assert pydoc.locate(schedule.func) is tasks.job_reap_stale  # how a django-q2 worker finds it


def test_a_database_from_before_the_move_keeps_its_reaper_schedule_and_job_permissions():
    moved = importlib.import_module("jobs.migrations.0002_moved_from_tryon")
    job_type = ContentType.objects.get_for_model(Job).pk
    moved.backwards(django_apps, None)  # the rows as tryon left them
    assert Schedule.objects.get(name="End stale jobs").func == "tryon.tasks.job_reap_stale"
    assert ContentType.objects.filter(pk=job_type, app_label="tryon").exists()
    moved.forwards(django_apps, None)
    assert Schedule.objects.get(name="End stale jobs").func == "jobs.tasks.job_reap_stale"
    assert Permission.objects.get(codename="view_job").content_type_id == job_type
    assert ContentType.objects.filter(pk=job_type, app_label="jobs").exists()
