"""The closet's answers to what other apps announce."""

from django.dispatch import receiver

from catalog.signals import item_viewed
from closet.services import history_record


@receiver(item_viewed, dispatch_uid="closet_record_view")
def record_view(sender, user, item, **kwargs) -> None:
    history_record(user=user, item=item)
