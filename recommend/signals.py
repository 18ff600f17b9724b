"""Feed the interaction log: views the catalog announces, closet items and saved outfits, whatever wrote them."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from catalog.signals import item_viewed
from closet.models import ClosetItem
from recommend.models import Interaction
from tryon.models import Combination


@receiver(item_viewed, dispatch_uid="recommend_log_view")
def log_view(sender, user, item, **kwargs) -> None:
    # Every view is logged, also of an item the history already holds (it only moves to the top there).
    Interaction.objects.create(user=user, item=item, kind=Interaction.Kind.VIEW, created_at=timezone.now())


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
