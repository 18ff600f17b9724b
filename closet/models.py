from django.conf import settings
from django.db import models, transaction

from catalog.models import ClothingItem

MAX_ITEMS_PER_CATEGORY = 5
HISTORY_LENGTH = 20


class ClosetItem(models.Model):
    """An item a shopper keeps. Caps are enforced by closet.signals on every save path."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="closet_items")
    item = models.ForeignKey(ClothingItem, on_delete=models.CASCADE, related_name="closet_entries")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="closet_unique_user_item")]

    def __str__(self) -> str:
        return f"{self.user} keeps {self.item}"

    def save(self, *args, **kwargs):
        # One transaction around the pre_save check and the insert, so the user-row lock that
        # the check takes is held until the row is written.
        with transaction.atomic():
            super().save(*args, **kwargs)


class HistoryEntry(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="history")
    item = models.ForeignKey(ClothingItem, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name_plural = "history entries"
        constraints = [models.UniqueConstraint(fields=["user", "item"], name="history_unique_user_item")]
        indexes = [models.Index(fields=["user", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.user} viewed {self.item}"
