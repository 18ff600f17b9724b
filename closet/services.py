from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_lock
from catalog.models import ClothingItem
from closet.models import HISTORY_LENGTH, ClosetItem, HistoryEntry


def closet_add(*, user: User, item: ClothingItem) -> ClosetItem:
    """Caps (no duplicates, 5 per category) are checked by closet.signals under a row lock."""
    if not item.is_active:
        raise ValidationError("This item is no longer available.", code="inactive")
    try:
        return ClosetItem.objects.create(user=user, item=item)
    except IntegrityError:  # only reachable on backends without row locks (SQLite)
        raise ValidationError("This item is already in your closet.", code="duplicate")


def closet_remove(*, user: User, item_id: int) -> bool:
    """Remove the item from the shopper's closet; False when it was not there."""
    deleted, _ = ClosetItem.objects.filter(user=user, item_id=item_id).delete()
    return deleted > 0


def history_record(*, user: User, item: ClothingItem) -> HistoryEntry:
    """Move the item to the top of the shopper's history and keep only the latest entries."""
    with transaction.atomic():
        user_lock(user_id=user.pk)
        entry, _ = HistoryEntry.objects.update_or_create(
            user=user, item=item, defaults={"viewed_at": timezone.now()}
        )
        stale = HistoryEntry.objects.filter(user=user).values_list("pk", flat=True)[HISTORY_LENGTH:]
        HistoryEntry.objects.filter(pk__in=list(stale)).delete()
    return entry
