from django.db.models import Count, QuerySet

from accounts.models import User
from closet.models import ClosetItem, HistoryEntry


def closet_list(*, user: User, category_slug: str | None = None) -> QuerySet[ClosetItem]:
    items = ClosetItem.objects.filter(user=user).select_related("item__category")
    if category_slug:
        items = items.filter(item__category__slug=category_slug)
    return items


def closet_counts(*, user: User) -> dict[int, int]:
    """How many items the shopper keeps per category id (those with none are absent)."""
    rows = ClosetItem.objects.filter(user=user).values("item__category").annotate(n=Count("id"))
    return {row["item__category"]: row["n"] for row in rows}


def history_list(*, user: User) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(user=user).select_related("item__category")
