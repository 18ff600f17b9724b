"""What to show before there is anything to learn from: a new shop, a new or anonymous shopper.

Rows are never empty: curated picks (items a curator marked "featured") and the newest items,
spread across categories so that one busy category does not fill a row.
"""

from collections import defaultdict
from itertools import zip_longest

from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list

Scored = list[tuple[ClothingItem, float]]
COLD_SCORE = 0.0  # a pick, not a measured preference: the API shows it below every real score


def diversified(ranked: Scored, limit: int) -> Scored:
    """Round-robin over categories, each in score order, so no category crowds out the rest."""
    by_category: dict[int, Scored] = defaultdict(list)
    for item, score in ranked:
        by_category[item.category_id].append((item, score))
    rounds = zip_longest(*by_category.values())
    return [pick for round_ in rounds for pick in round_ if pick][:limit]


def cold_start_picks(*, limit: int, featured_first: bool, category: Category | None = None,
                     exclude: set[int] = frozenset()) -> Scored:
    """Up to `limit` active items, newest first (curated picks before them when `featured_first`),
    across categories; each category reads at most `limit` rows (through the newest-items index)."""
    items = clothing_list().exclude(pk__in=exclude)
    order = ("-featured", "-created_at", "-id") if featured_first else ("-created_at", "-id")
    category_ids = [category.pk] if category else list(Category.objects.values_list("pk", flat=True))
    candidates = [item for category_id in category_ids
                  for item in items.filter(category_id=category_id).order_by(*order)[:limit]]
    candidates.sort(key=lambda item: (not (featured_first and item.featured), -item.created_at.timestamp(), -item.pk))
    return diversified([(item, COLD_SCORE) for item in candidates], limit)
