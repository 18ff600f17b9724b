from rest_framework import serializers

from catalog.serializers import ClothingItemSerializer
from closet.models import ClosetItem, HistoryEntry


class ClosetItemSerializer(serializers.ModelSerializer):
    item = ClothingItemSerializer(read_only=True)

    class Meta:
        model = ClosetItem
        fields = ["item", "added_at"]


class ClosetAddSerializer(serializers.Serializer):
    clothing_id = serializers.IntegerField(min_value=1)


class HistoryEntrySerializer(serializers.ModelSerializer):
    item = ClothingItemSerializer(read_only=True)

    class Meta:
        model = HistoryEntry
        fields = ["item", "viewed_at"]
