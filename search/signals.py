"""Keep search in step with the catalog, whatever path changed it (admin, import, shell).

Work runs in a worker after the commit; until it has run, `nearest_items` already hides an
item that was deactivated or deleted, because results are checked against the database.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver

from catalog.models import ClothingItem
from jobs.services import bulk_task_enqueue


def _enqueue(task: str, argument) -> None:
    transaction.on_commit(lambda: bulk_task_enqueue(task=task, args=(argument,)))


@receiver(post_init, sender=ClothingItem, dispatch_uid="search_remember_state")
def remember_state(sender, instance: ClothingItem, **kwargs) -> None:
    # Reading a deferred field loads it through another instance, whose post_init would read it again.
    known = not {"image", "is_active"} & instance.get_deferred_fields()
    instance._search_state = (instance.image.name, instance.is_active) if known else None


@receiver(post_save, sender=ClothingItem, dispatch_uid="search_item_saved")
def item_saved(sender, instance: ClothingItem, created: bool, raw: bool, **kwargs) -> None:
    if raw or not settings.SEARCH_ENRICH_ON_SAVE:
        return
    if instance._search_state is None:  # saved from a partial load: what changed is unknown
        _enqueue("search.tasks.items_reindex", [instance.pk])
        return
    image, active = instance._search_state
    if created or image != instance.image.name:
        _enqueue("search.tasks.item_enrich", instance.pk)
    elif active != instance.is_active:
        _enqueue("search.tasks.items_reindex", [instance.pk])
    instance._search_state = (instance.image.name, instance.is_active)


@receiver(post_delete, sender=ClothingItem, dispatch_uid="search_item_deleted")
def item_deleted(sender, instance: ClothingItem, **kwargs) -> None:
    if settings.SEARCH_ENRICH_ON_SAVE:
        _enqueue("search.tasks.items_reindex", [instance.pk])
