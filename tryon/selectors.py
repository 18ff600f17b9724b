from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from tryon.models import Combination, Job


def combination_list(*, user: User) -> QuerySet[Combination]:
    return Combination.objects.filter(user=user).select_related(
        "top__category", "bottom__category", "dress__category"
    )


def combination_get(*, user: User, combination_id: int) -> Combination:
    return get_object_or_404(combination_list(user=user), pk=combination_id)


def job_list(*, user: User) -> QuerySet[Job]:
    return Job.objects.filter(owner=user)


def job_get(*, user: User, job_id) -> Job:
    return get_object_or_404(job_list(user=user), pk=job_id)
