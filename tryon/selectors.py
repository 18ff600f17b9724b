from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from tryon.models import Combination


def combination_list(*, user: User) -> QuerySet[Combination]:
    return Combination.objects.filter(user=user).select_related(
        "top__category", "bottom__category", "dress__category"
    )


def combination_get(*, user: User, combination_id: int) -> Combination:
    return get_object_or_404(combination_list(user=user), pk=combination_id)
