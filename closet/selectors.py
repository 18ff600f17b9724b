from django.db.models import QuerySet

from accounts.models import User
from closet.models import ClosetItem, HistoryEntry


def closet_list(*, user: User, category_slug: str | None = None) -> QuerySet[ClosetItem]:
    items = ClosetItem.objects.filter(user=user).select_related("item__category")
    if category_slug:
        items = items.filter(item__category__slug=category_slug)
    return items


def history_list(*, user: User) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(user=user).select_related("item__category")
