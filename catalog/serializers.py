from rest_framework import serializers

from catalog.models import Category, ClothingItem


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "body_region"]


class ClothingItemSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    body_region = serializers.CharField(source="category.body_region", read_only=True)
    image = serializers.ImageField(read_only=True, use_url=True)
    mask = serializers.ImageField(read_only=True, use_url=True)
    model_image = serializers.ImageField(read_only=True, use_url=True)
    # Not a URLField: an item without a product page answers "", which is no "uri".
    url = serializers.CharField(read_only=True, help_text="The product page, or empty.")

    class Meta:
        model = ClothingItem
        fields = [
            "id", "title", "category", "body_region", "image", "mask", "model_image", "attributes",
            "brand", "product_name", "store", "description", "url", "price", "rating", "tags", "sizes",
            "season", "on_sale", "closet_users", "created_at", "updated_at",
        ]
        read_only_fields = fields


class CategorySlugField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": "Unknown category '{value}'. Use one of the slugs from /api/v1/categories.",
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=Category.objects.all(), **kwargs)


class ScoredItemSerializer(serializers.Serializer):
    """An item with the score it was ranked by (search relevance, similarity, trend)."""

    score = serializers.FloatField()
    item = ClothingItemSerializer()
