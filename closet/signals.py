"""Closet invariants at the ORM level, so the API, the pages, the admin and the shell all obey them.

Both rules lock the owner's user row first: concurrent adds for one shopper queue up behind it
and each one sees the rows the previous one committed.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from accounts.services import user_lock
from catalog.models import ClothingItem
from closet.models import MAX_ITEMS_PER_CATEGORY, ClosetItem
from closet.services import closet_uncount


@receiver(pre_save, sender=ClosetItem, dispatch_uid="closet_enforce_caps")
def closet_enforce_caps(sender, instance: ClosetItem, raw: bool, **kwargs) -> None:
    if raw or not instance._state.adding:
        return
    user_lock(user_id=instance.user_id)
    items, entries = ClothingItem._meta.db_table, ClosetItem._meta.db_table
    # Plain SQL, as user_lock: every API add runs these, and the ORM cost 0.6 ms more CPU compiling them.
    with connection.cursor() as cursor:
        # Then the item's row, exclusively, by counting the new keeper now: the insert's foreign-key check
        # would take a shared lock on it and counting after the insert an exclusive one, so two shoppers
        # adding the same item at once would deadlock. One statement both locks and counts; a refused add
        # takes its count back with the rest of the save's transaction (ClosetItem.save).
        cursor.execute(f"UPDATE {items} SET closet_users = closet_users + 1 WHERE id = %s", [instance.item_id])
        # One query answers both rules: a duplicate is necessarily of the item's own category.
        cursor.execute(f"SELECT e.item_id FROM {entries} e JOIN {items} i ON i.id = e.item_id "
                       f"WHERE e.user_id = %s AND i.category_id = %s",
                       [instance.user_id, instance.item.category_id])
        kept = [item_id for (item_id,) in cursor.fetchall()]
    if instance.item_id in kept:
        raise ValidationError("This item is already in your closet.", code="duplicate")
    if len(kept) >= MAX_ITEMS_PER_CATEGORY:
        # The API's wording, which integrators match; pages word it their own way from the params.
        raise ValidationError(
            "Max %(limit)d %(category)s items allowed. Remove one to add new.", code="category_full",
            params={"limit": MAX_ITEMS_PER_CATEGORY, "category": instance.item.category.name.lower()},
        )


@receiver(post_delete, sender=ClosetItem, dispatch_uid="closet_count_remove")
def closet_count_remove(sender, instance: ClosetItem, **kwargs) -> None:
    """Every delete but closet_remove's own (the admin, a shopper's account deleted): it counts out itself."""
    closet_uncount(item_id=instance.item_id)
