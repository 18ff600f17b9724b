from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from jobs.models import Job


def job_list(*, user: AbstractBaseUser) -> QuerySet[Job]:
    return Job.objects.filter(owner=user)


def job_get(*, user: AbstractBaseUser, job_id) -> Job:
    """The caller's job; anybody else's is a 404, as if it did not exist."""
    return get_object_or_404(job_list(user=user), pk=job_id)
