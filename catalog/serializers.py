from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import CAPTION_KEYS, Category, ClothingItem

ATTRIBUTES_SCHEMA = {
    "type": "object", "description": "What the garment is, in words (caption attributes; curators may add more).",
    "properties": {key: {"type": "string"} for key in CAPTION_KEYS}, "additionalProperties": {"type": "string"},
}


@extend_schema_field(ATTRIBUTES_SCHEMA)
class AttributesField(serializers.JSONField):
    pass


@extend_schema_field({"type": ["string", "null"], "format": "uri"})
class ProductUrlField(serializers.CharField):
    """The product page; an item without one answers null rather than "", which is no URI."""

    def to_representation(self, value):
        return value or None


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "body_region"]


class ClothingItemSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    body_region = serializers.ChoiceField(choices=Category.BodyRegion.choices, source="category.body_region",
                                          read_only=True, help_text="Where on the body the item is worn.")
    image = serializers.ImageField(read_only=True, use_url=True, help_text="The product photo.")
    mask = serializers.ImageField(read_only=True, use_url=True, allow_null=True,
                                  help_text="The garment's cut-out mask, once analysed.")
    model_image = serializers.ImageField(read_only=True, use_url=True, allow_null=True,
                                         help_text="The item worn by a model, when the catalog has one.")
    url = ProductUrlField(read_only=True, help_text="The product page, or null.")
    attributes = AttributesField(read_only=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    sizes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ClothingItem
        fields = [
            "id", "title", "category", "body_region", "image", "mask", "model_image", "attributes",
            "brand", "product_name", "store", "description", "url", "price", "compare_at_price", "rating", "tags",
            "sizes", "season", "on_sale", "garment_type", "featured", "closet_users", "created_at", "updated_at",
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
