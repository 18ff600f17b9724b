from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from jobs.models import Job
from tryon.models import Combination


def combination_list(*, user: User) -> QuerySet[Combination]:
    return Combination.objects.filter(user=user).select_related(
        "top__category", "bottom__category", "dress__category"
    )


def combination_get(*, user: User, combination_id: int) -> Combination:
    return get_object_or_404(combination_list(user=user), pk=combination_id)


# How long a try-on takes on a server that has run none yet: the benchmarks' order of magnitude (bench/).
TYPICAL_SECONDS = {"warp": 2.0, "diffusion": 30.0}
RECENT_RUNS = 20


def tryon_duration_estimate(*, engine: str) -> float:
    """Seconds a try-on with `engine` takes once a worker starts it: the median of the latest runs on this
    server (every shopper's, only their timings), or a typical figure before any."""
    runs = (Job.objects.filter(kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED, params__engine=engine,
                               started_at__isnull=False, finished_at__isnull=False)
            .order_by("-finished_at").values_list("started_at", "finished_at")[:RECENT_RUNS])
    seconds = sorted((finished - started).total_seconds() for started, finished in runs)
    return seconds[len(seconds) // 2] if seconds else TYPICAL_SECONDS.get(engine, 10.0)
