from rest_framework import serializers

from catalog.serializers import CategorySlugField, ScoredItemSerializer
from search.services import MAX_QUERY_LENGTH


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, error_messages={
        "blank": "Type what you are looking for.", "required": "Type what you are looking for.",
        "max_length": f"The query is too long: at most {MAX_QUERY_LENGTH} characters."})
    category = CategorySlugField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    results = ScoredItemSerializer(many=True)


class ImageSearchSerializer(serializers.Serializer):
    image = serializers.FileField(required=False, allow_empty_file=True,
                                  help_text="A photo (JPEG, PNG or WEBP); or give photo_id.")
    photo_id = serializers.IntegerField(required=False, help_text="One of your own photos.")
    category = CategorySlugField(required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)

    def validate(self, data):
        if ("image" in data) == ("photo_id" in data):
            raise serializers.ValidationError("Send either an image or a photo_id.")
        return data
