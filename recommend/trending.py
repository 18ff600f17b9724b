"""Trending: closet adds and views, each worth less as it ages (exponential decay).

Trending only means something once several people interact: until RECOMMEND_TRENDING_MIN_PEOPLE
distinct shoppers did something lately, one shopper's clicks would be the shop's "trending" (their
own closet shown back to everyone), so the row shows the newest items instead, and until the
trending items fill a row, the newest items complete it (recommend/coldstart.py).
"""

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from recommend.coldstart import cold_start_picks
from recommend.models import Interaction, TrendingItem

WEIGHTS = {Interaction.Kind.VIEW: 1.0, Interaction.Kind.CLOSET: 3.0}
WINDOW_HALF_LIVES = 8  # older events would add less than 0.4% of their weight


def trending_scores(*, now=None) -> dict[int, float]:
    """item id -> sum of weight * 0.5 ** (age / half-life) over recent views and closet adds; none
    while fewer than RECOMMEND_TRENDING_MIN_PEOPLE people interacted in the window."""
    now = now or timezone.now()
    half_life = settings.RECOMMEND_TRENDING_HALF_LIFE_DAYS * 86400
    since = now - timezone.timedelta(seconds=half_life * WINDOW_HALF_LIVES)
    rows = list(Interaction.objects.filter(created_at__gte=since, kind__in=list(WEIGHTS))
                .values_list("item_id", "kind", "created_at", "user_id"))
    if len({row[3] for row in rows}) < settings.RECOMMEND_TRENDING_MIN_PEOPLE:
        return {}
    items = np.array([r[0] for r in rows])
    weights = np.array([WEIGHTS[r[1]] for r in rows])
    ages = np.array([(now - r[2]).total_seconds() for r in rows])
    decayed = weights * np.power(0.5, np.maximum(ages, 0) / half_life)
    unique, positions = np.unique(items, return_inverse=True)
    return dict(zip(unique.tolist(), np.bincount(positions, weights=decayed).tolist()))


def trending_refresh() -> int:
    """Recompute the cached list; the scheduled task runs this."""
    now = timezone.now()
    scores = trending_scores(now=now)
    with transaction.atomic():
        TrendingItem.objects.all().delete()
        TrendingItem.objects.bulk_create(
            [TrendingItem(item_id=item_id, score=score, computed_at=now) for item_id, score in scores.items()],
            batch_size=1000)
    return len(scores)


def trending_list(*, category: Category | None = None, limit: int = 10,
                  avoid: set[int] = frozenset()) -> list[tuple[ClothingItem, float]]:
    """A full row whenever the catalog has enough items: trending first, then the newest. The newest that
    fill it skip `avoid` (what the page shows in another row) while the catalog has others."""
    if not TrendingItem.objects.exists():
        trending_refresh()  # first use before the schedule ran: compute once, never fail
    # Best scores first through the score index, then the items: a join before the LIMIT would
    # make MariaDB sort every item (measured 48 ms -> 4 ms at 10k items).
    ranked = TrendingItem.objects.order_by("-score", "item_id")
    if category:
        ranked = ranked.filter(item__category=category)
    ranked = list(ranked.filter(item__is_active=True).values_list("item_id", "score")[:limit])
    items = clothing_list().in_bulk([item_id for item_id, _ in ranked])
    trending = [(items[item_id], score) for item_id, score in ranked if item_id in items]
    for skipped in (avoid, frozenset()):  # a new or quiet shop: the newest items complete the row
        if len(trending) < limit:
            trending += cold_start_picks(limit=limit - len(trending), featured_first=False, category=category,
                                         exclude=skipped | {item.pk for item, _ in trending})
    return trending
