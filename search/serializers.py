from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Category
from catalog.serializers import CategorySlugField, ScoredItemSerializer
from core.ids import id_field
from jobs.models import Job
from jobs.serializers import JobPictureResultSerializer, job_result
from search.services import MAX_QUERY_LENGTH, QUERY_FILE


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, error_messages={
        "blank": "Type what you are looking for.", "required": "Type what you are looking for.",
        "max_length": f"The query is too long: at most {MAX_QUERY_LENGTH} characters."},
        help_text="What you are looking for, in plain words (\"red floral dress\").")
    category = CategorySlugField(required=False, help_text="Only this category: a slug from /api/v1/categories.")
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20, help_text="How many results, 1-100.")


class UnderstoodSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="The words ranked by meaning, once the filter "
                                                             "words are taken out (\"\" when all were filters).")
    filters = serializers.DictField(child=serializers.CharField(), help_text=(
        "The filters read from the words, named like the query parameters (garment_type, category, color, "
        "price_min, price_max, on_sale); explicit parameters win over them."))


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query, as understood.")
    category = serializers.CharField(allow_null=True, help_text="The category searched, or null for all.")
    results = ScoredItemSerializer(many=True, help_text="Best first (or in the chosen `sort`); only items that "
                                                        "match well enough, so possibly none.")
    understood = UnderstoodSerializer(help_text="How the words were read.")
    suggestions = serializers.ListField(child=serializers.CharField(), help_text=(
        "Other queries to try when nothing matched: misspellings corrected from the catalog's words, or the "
        "query without the words no item uses. Empty when there are results."))


class ImageSearchSerializer(serializers.Serializer):
    image = serializers.FileField(required=False, allow_empty_file=True,
                                  help_text="A photo (JPEG, PNG or WEBP); or give photo_id.")
    photo_id = id_field(required=False, help_text="One of your own photos.")
    category = CategorySlugField(required=False, help_text="Only match items of this category (a slug).")
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10, help_text="Matches per garment, 1-50.")

    def validate(self, data):
        if ("image" in data) == ("photo_id" in data):
            raise serializers.ValidationError("Send either an image or a photo_id.")
        return data


class MatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The item's id (GET /api/v1/clothes/{id}).")
    title = serializers.CharField()
    score = serializers.FloatField(help_text="Similarity; higher is closer.")
    image = serializers.SerializerMethodField(help_text="The item's photo.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_image(self, match: dict) -> str:
        # Stored as the storage URL (a path); answered absolute like every URL of the API.
        return self.context["request"].build_absolute_uri(match["image"])


class GarmentSerializer(serializers.Serializer):
    box = serializers.ListField(child=serializers.IntegerField(), min_length=4, max_length=4,
                                help_text="Where the garment is in the photo: left, top, right, bottom, in pixels.")
    region = serializers.ChoiceField(choices=Category.BodyRegion.choices, help_text="The body region it covers.")
    matches = MatchSerializer(many=True, help_text="The closest catalog items, best first.")


@job_result(Job.Kind.IMAGE_SEARCH, image=QUERY_FILE)
class ImageSearchResultSerializer(JobPictureResultSerializer):
    """A succeeded image search's `Job.result`: the picture is the photo searched."""

    garments = GarmentSerializer(many=True, help_text="The garments found, one per body region.")
