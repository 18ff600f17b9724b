"""The job lifecycle shared by try-on and image search: create, run (retrying once), cancel, reap.

A kind registers a handler with `@job_handler(kind)`, in its app's `tasks` module, which that
app's `ready()` imports so that every process (web and worker) knows every handler. The handler receives the job and a
`report(progress, stage)` callback; `report` raises JobCancelled once the owner has cancelled,
so the work stops at its next step. Files go under `job.files_prefix` and are removed when a
job fails or is cancelled; each attempt starts without the files of an earlier one, keeping only
the inputs its kind declared (`@job_handler(kind, inputs=(...))`).
"""

import logging
from datetime import timedelta
from typing import Callable, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_q.exceptions import TimeoutException
from django_q.tasks import async_task

from core.limits import LimitReached
from core.storage import storage_delete_tree
from jobs.models import Job

logger = logging.getLogger(__name__)


class JobCancelled(Exception):
    pass


class JobError(Exception):
    """A failure whose message is safe and useful to show the job's owner."""


class Report(Protocol):
    def __call__(self, progress: int, stage: str = "") -> None: ...


MAX_ATTEMPTS = 2
# The longest timeout of any cluster (the GPU workers' is their own), so no job is reaped while it may still run.
_TIMEOUTS = [settings.Q_CLUSTER["timeout"], *(alt.get("timeout", 0) for alt in settings.Q_CLUSTER.get(
    "ALT_CLUSTERS", {}).values())]
STALE_AFTER = timedelta(seconds=max(_TIMEOUTS) * MAX_ATTEMPTS + 120)
NEVER_PICKED_UP_AFTER = timedelta(days=1)
JobHandler = Callable[..., dict]
JOB_HANDLERS: dict[str, JobHandler] = {}
JOB_INPUTS: dict[str, tuple[str, ...]] = {}  # kind -> files stored with the job before it runs
# A shopper at their active-job limit can usually start another this soon.
JOB_LIMIT_RETRY_AFTER = timedelta(seconds=30)
OUT_OF_ATTEMPTS = "The job was interrupted twice before it could finish. Please try again."
TIMED_OUT = "The job took too long and was stopped."


def job_handler(kind: str, *, inputs: tuple[str, ...] = ()) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        JOB_HANDLERS[kind] = handler
        JOB_INPUTS[kind] = inputs
        return handler

    return register


def _check_limits(*, owner: AbstractBaseUser, kind: str) -> None:
    """JOBS_ACTIVE_PER_KIND queued or running jobs of a kind, and JOBS_PER_HOUR[kind] started an hour."""
    mine = Job.objects.filter(owner=owner, kind=kind)
    active = settings.JOBS_ACTIVE_PER_KIND
    if mine.filter(status__in=Job.ACTIVE).count() >= active:
        raise LimitReached(f"You already have {active} jobs of this kind under way. Please wait for one to "
                           f"finish, or cancel one.", retry_after=JOB_LIMIT_RETRY_AFTER.total_seconds())
    per_hour = settings.JOBS_PER_HOUR.get(kind)
    if per_hour is None:
        return
    since = timezone.now() - timedelta(hours=1)
    recent = list(mine.filter(created_at__gte=since).order_by("-created_at").values_list("created_at", flat=True))
    if len(recent) >= per_hour:
        frees_at = recent[per_hour - 1] + timedelta(hours=1)  # when the oldest that counts leaves the hour
        raise LimitReached(f"You can start {per_hour} of these an hour. Please try again later.",
                           retry_after=(frees_at - timezone.now()).total_seconds())


def job_create(*, owner: AbstractBaseUser, kind: str, params: dict, cache_key: str = "", cluster: str = "") -> Job:
    """Store a job, within the owner's limits (decided under a lock on the owner's row), and queue it once the
    transaction commits: on `cluster`'s queue (a django-q2 cluster of Q_CLUSTER["ALT_CLUSTERS"], whose workers
    alone read it), or on the default cluster's when empty."""
    with transaction.atomic():
        # The owner's row, as accounts.services.user_lock takes it (jobs sit below accounts).
        get_user_model().objects.select_for_update().get(pk=owner.pk)
        _check_limits(owner=owner, kind=kind)
        job = Job.objects.create(owner=owner, kind=kind, params=params, cache_key=cache_key)
    transaction.on_commit(lambda: async_task("jobs.tasks.job_run", str(job.pk), task_name=f"job-{job.pk}",
                                             cluster=cluster or None))
    return job


def bulk_task_enqueue(*, task: str, args: tuple = (), kwargs: dict | None = None) -> None:
    """Queue work no shopper waits for (catalog enrichment, index updates) on the bulk cluster's queue
    (Q_BULK_CLUSTER), so that try-ons and image searches on the default cluster never queue behind it."""
    async_task(task, *args, cluster=settings.Q_BULK_CLUSTER or None, **(kwargs or {}))


def jobs_delete(*, jobs) -> int:
    """Delete jobs and their files (what was made from a deleted photo: a job made from a photo
    names it as `photo_id` in its params). A running one stops at its next report, its row gone."""
    doomed = list(jobs)
    for job in doomed:
        transaction.on_commit(lambda job=job: _files_delete(job))
    return Job.objects.filter(pk__in=[job.pk for job in doomed]).delete()[0]


def _files_delete(job: Job) -> None:
    storage_delete_tree(default_storage, job.files_prefix)


def _outputs_delete(job: Job) -> None:
    """A killed attempt may have left half-written files; a retry must neither show them nor save
    its own beside them under another name (storage never overwrites)."""
    storage_delete_tree(default_storage, job.files_prefix, keep=JOB_INPUTS.get(job.kind, ()))


def _fail(job: Job, *, message: str) -> bool:
    """Fail a job still in the status it was read with, and remove its files."""
    failed = Job.objects.filter(pk=job.pk, status=job.status).update(
        status=Job.Status.FAILED, error=message, finished_at=timezone.now())
    if failed:
        _files_delete(job)
    return bool(failed)


def _finish(job: Job, *, status: str, **fields) -> bool:
    """Move a running job to a final state unless it was cancelled meanwhile."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=status, finished_at=timezone.now(), **fields
    )
    return updated == 1


def job_cancel(*, job: Job) -> Job:
    Job.objects.filter(pk=job.pk, status__in=Job.ACTIVE).update(
        status=Job.Status.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    if job.status == Job.Status.CANCELLED:
        _files_delete(job)
    return job


def _reporter(job: Job) -> Report:
    def report(progress: int, stage: str = "") -> None:
        progress = max(0, min(100, int(progress)))
        still_running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=progress, stage=stage[:50]
        )
        if not still_running:
            raise JobCancelled(str(job.pk))

    return report


def _attempt_start(job_id: str) -> Job | None:
    """Mark the job running for one more attempt; None when it must not run (again).

    django-q2 delivers a task again only after its timeout killed the first attempt (or the
    worker died), so a job still marked running gets one more attempt, and no more."""
    started = Job.objects.filter(pk=job_id, status__in=Job.ACTIVE, attempts__lt=MAX_ATTEMPTS).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not started:
        # Cancelled before a worker took it, or finished; or delivered again after its last
        # attempt died: fail it now rather than leave it running until the reaper.
        for job in Job.objects.filter(pk=job_id, status=Job.Status.RUNNING, attempts__gte=MAX_ATTEMPTS):
            _fail(job, message=OUT_OF_ATTEMPTS)
        return None
    return Job.objects.get(pk=job_id)


def job_run(*, job_id: str) -> None:
    """Run a queued job to its end; what the handler returns becomes the job's result."""
    job = _attempt_start(job_id)
    if job is None:
        return
    _outputs_delete(job)
    handler = JOB_HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise JobError(f"No worker can run {job.get_kind_display()} jobs on this server.")
        result = handler(job=job, report=_reporter(job))
    except JobCancelled:
        _files_delete(job)
    except TimeoutException:
        # django-q2 stops an attempt that outlives Q_TIMEOUT by raising this (a SystemExit). The
        # task comes back for the next attempt; after the last one nothing would come back.
        if job.attempts >= MAX_ATTEMPTS:
            _fail(job, message=TIMED_OUT)
        raise
    except Exception as exc:
        logger.exception("Job %s failed", job.pk)
        message = str(exc) if isinstance(exc, JobError) else "The job failed because of an internal error."
        _finish(job, status=Job.Status.FAILED, error=message[:500])
        _files_delete(job)
    else:
        if not _finish(job, status=Job.Status.SUCCEEDED, result=result, progress=100, stage="done"):
            _files_delete(job)  # cancelled after the last report: keep no partial output


def job_reap_stale() -> int:
    """Scheduled: a job never stays running (or queued) forever, even when its worker died."""
    now, reaped = timezone.now(), 0
    stale = {"status": Job.Status.RUNNING, "started_at__lt": now - STALE_AFTER}
    forgotten = {"status": Job.Status.QUEUED, "created_at__lt": now - NEVER_PICKED_UP_AFTER}
    for criteria, message in ((stale, TIMED_OUT),
                              (forgotten, "No worker picked the job up. Please try again.")):
        reaped += sum(_fail(job, message=message) for job in Job.objects.filter(**criteria))
    return reaped

