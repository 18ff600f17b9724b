"""Feed the interaction log from the closet, the history and saved outfits, whatever wrote them."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from closet.models import ClosetItem, HistoryEntry
from recommend.models import Interaction
from tryon.models import Combination


@receiver(post_save, sender=HistoryEntry, dispatch_uid="recommend_log_view")
def log_view(sender, instance: HistoryEntry, raw: bool, **kwargs) -> None:
    if not raw:  # history moves a re-viewed item to the top; every view is logged
        Interaction.objects.create(user_id=instance.user_id, item_id=instance.item_id,
                                   kind=Interaction.Kind.VIEW, created_at=instance.viewed_at)


@receiver(post_save, sender=ClosetItem, dispatch_uid="recommend_log_closet")
def log_closet(sender, instance: ClosetItem, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:
        Interaction.objects.create(user_id=instance.user_id, item_id=instance.item_id,
                                   kind=Interaction.Kind.CLOSET, created_at=instance.added_at)


@receiver(post_save, sender=Combination, dispatch_uid="recommend_log_outfit")
def log_outfit(sender, instance: Combination, created: bool, raw: bool, **kwargs) -> None:
    if created and not raw:
        Interaction.objects.bulk_create([
            Interaction(user_id=instance.user_id, item=item, kind=Interaction.Kind.OUTFIT, created_at=instance.created_at)
            for item in instance.items])
