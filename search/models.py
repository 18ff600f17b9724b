import numpy as np
from django.db import models

from catalog.models import ClothingItem


class ItemEmbedding(models.Model):
    """An item's vector in one space of one encoder, kept so index rebuilds need no re-encoding
    and an interrupted build resumes where it stopped."""

    item = models.ForeignKey(ClothingItem, on_delete=models.CASCADE, related_name="embeddings")
    encoder = models.CharField(max_length=200)
    space = models.CharField(max_length=10)
    vector = models.BinaryField()
    source = models.CharField(max_length=64, help_text="Fingerprint of what was encoded.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "encoder", "space"], name="search_embedding_unique"),
        ]

    def as_array(self) -> np.ndarray:
        return np.frombuffer(self.vector, dtype=np.float32)
