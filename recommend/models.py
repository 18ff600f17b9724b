from django.conf import settings
from django.db import models

from catalog.models import ClothingItem


class Interaction(models.Model):
    """An append-only log of what shoppers did; the closet and history keep only current state."""

    class Kind(models.TextChoices):
        VIEW = "view"
        CLOSET = "closet"
        OUTFIT = "outfit"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ClothingItem, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["item", "kind"]), models.Index(fields=["user", "-created_at"])]


class TrendingItem(models.Model):
    """Precomputed trending scores, refreshed by a scheduled task (recommend.tasks.trending_refresh)."""

    item = models.OneToOneField(ClothingItem, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-score", "item_id"]
        indexes = [models.Index(fields=["-score", "item"])]
