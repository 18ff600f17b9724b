from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
    """Remove the item from the shopper's closet; False when it was not there.

    One DELETE (plain SQL, as the count) rather than Django's collector, which reads the entry first to
    send post_delete (nothing cascades from an entry; counting the item out is that signal's only work)
    and sends it even when a concurrent remove deleted the entry in between, counting it out twice. This
    counts the item out itself, first, so it locks the item's row before the entry's, in the order an add
    takes them (closet.signals); the other way round, an add and a remove of one item could deadlock.
    When the DELETE found no entry, the count goes back with the transaction."""
    with transaction.atomic():
        closet_uncount(item_id=item_id)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {ClosetItem._meta.db_table} WHERE user_id = %s AND item_id = %s",
                           [user.pk, item_id])
            deleted = cursor.rowcount
        if not deleted:
            transaction.set_rollback(True)
    return deleted > 0


def closet_uncount(*, item_id: int) -> None:
    """One keeper fewer in the item's closet count (closet.signals counts one more as an entry is saved).
    Plain SQL, as there: the ORM's update() cost 0.2 ms more CPU on every remove."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ClothingItem._meta.db_table} SET closet_users = closet_users - 1 "
                       f"WHERE id = %s AND closet_users > 0", [item_id])


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
