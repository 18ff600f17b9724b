from django.urls import reverse
from rest_framework import serializers

from catalog.models import ClothingItem
from catalog.serializers import ClothingItemSerializer
from tryon.models import Combination


class CombinationSerializer(serializers.ModelSerializer):
    top = ClothingItemSerializer(read_only=True, allow_null=True)
    bottom = ClothingItemSerializer(read_only=True, allow_null=True)
    dress = ClothingItemSerializer(read_only=True, allow_null=True)
    result_image_url = serializers.SerializerMethodField()

    class Meta:
        model = Combination
        fields = ["id", "top", "bottom", "dress", "result_image_url", "created_at"]

    def get_result_image_url(self, combination: Combination) -> str | None:
        if not combination.result_image:
            return None
        url = reverse("api:combination-image", args=[combination.pk])
        return self.context["request"].build_absolute_uri(url)


class CombinationCreateSerializer(serializers.Serializer):
    _items = ClothingItem.objects.select_related("category")
    top_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    bottom_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    dress_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    job_id = serializers.UUIDField(required=False, help_text="Instead of items: a finished try-on of yours, "
                                                            "saved with its image.")


class TryOnSerializer(serializers.Serializer):
    _items = ClothingItem.objects.select_related("category").filter(is_active=True)
    photo_id = serializers.IntegerField(help_text="One of your photos.")
    top_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    bottom_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    dress_id = serializers.PrimaryKeyRelatedField(queryset=_items, required=False, allow_null=True)
    engine = serializers.ChoiceField(choices=["warp", "diffusion"], required=False)
    options = serializers.DictField(required=False, help_text="steps, guidance, seed (diffusion)")


class ShareSerializer(serializers.Serializer):
    email = serializers.EmailField()
