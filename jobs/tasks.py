"""django-q2 entry points: thin wrappers that call services."""

from jobs.services import job_reap_stale as _job_reap_stale
from jobs.services import job_run as _job_run


def job_run(job_id: str) -> None:
    _job_run(job_id=job_id)


def job_reap_stale() -> int:
    return _job_reap_stale()
