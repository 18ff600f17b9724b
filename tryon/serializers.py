from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import ClothingItem
from catalog.serializers import ClothingItemSerializer
from core.ids import id_field
from jobs.models import Job
from jobs.serializers import JobPictureResultSerializer, job_result
from tryon.engines import ENGINE_NAMES
from tryon.models import RESULT_FILE, Combination
from tryon.samples import SAMPLE_NAMES

ITEM_RULES = "At least one of top_id, bottom_id, dress_id; a dress is worn alone (no top or bottom with it)."


class CombinationSerializer(serializers.ModelSerializer):
    top = ClothingItemSerializer(read_only=True, allow_null=True)
    bottom = ClothingItemSerializer(read_only=True, allow_null=True)
    dress = ClothingItemSerializer(read_only=True, allow_null=True)
    result_image_url = serializers.SerializerMethodField()

    class Meta:
        model = Combination
        fields = ["id", "top", "bottom", "dress", "result_image_url", "created_at"]

    @extend_schema_field({"type": ["string", "null"], "format": "uri"})
    def get_result_image_url(self, combination: Combination) -> str | None:
        if not combination.result_image:
            return None
        url = reverse("api:combination-image", args=[combination.pk])
        return self.context["request"].build_absolute_uri(url)


def _item_field(*, help_text: str) -> serializers.PrimaryKeyRelatedField:
    """An active catalog item; an inactive one is "not found", as the item API answers 404 for it,
    so its title never shows in an error."""
    return serializers.PrimaryKeyRelatedField(
        queryset=ClothingItem.objects.select_related("category").filter(is_active=True), required=False,
        allow_null=True, pk_field=id_field(), help_text=help_text,
        error_messages={"does_not_exist": "Item {pk_value} was not found."})


class CombinationCreateSerializer(serializers.Serializer):
    top_id = _item_field(help_text=f"A top. {ITEM_RULES}")
    bottom_id = _item_field(help_text="A bottom.")
    dress_id = _item_field(help_text="A dress, worn alone.")
    job_id = serializers.UUIDField(required=False, help_text="Instead of items: a finished try-on of yours, "
                                                            "saved with its items and image.")


class TryOnOptionsSerializer(serializers.Serializer):
    """Engine options; each engine checks its own limits (a 400 names the allowed range)."""

    steps = serializers.IntegerField(required=False, help_text="Denoising steps (diffusion), 1-100.")
    guidance = serializers.FloatField(required=False, help_text="Guidance scale (diffusion), 0-20.")
    seed = serializers.IntegerField(required=False, help_text="Random seed, 0 to 2^31-1: same seed, same picture.")

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError(f"Unknown option {unknown[0]!r}.")
        return super().to_internal_value(data)


class TryOnSerializer(serializers.Serializer):
    photo_id = id_field(required=False, help_text="One of your photos; its `tryon_problems` must not name the "
                                                  "body regions of the items. Either this or `sample`.")
    sample = serializers.ChoiceField(choices=SAMPLE_NAMES, required=False,
                                     help_text="Instead of a photo of yours: a sample model's photo (GET "
                                               "/api/v1/tryon/samples).")
    top_id = _item_field(help_text=f"A top. {ITEM_RULES}")
    bottom_id = _item_field(help_text="A bottom.")
    dress_id = _item_field(help_text="A dress, worn alone.")
    engine = serializers.ChoiceField(choices=ENGINE_NAMES, required=False,
                                     help_text="warp (default, fast, CPU) or diffusion (GPU servers).")
    options = TryOnOptionsSerializer(required=False)

    def validate(self, data):
        if ("photo_id" in data) == ("sample" in data):
            raise serializers.ValidationError({"photo_id": "Send either photo_id or sample."})
        return data


class SampleSerializer(serializers.Serializer):
    """A sample model photo a shopper without a photo of their own can try garments on."""

    name = serializers.CharField(help_text="Send it as the try-on's `sample`.")
    label = serializers.CharField(help_text="What the photo shows, for an image's alternative text.")
    image_url = serializers.URLField(help_text="The photo (public, Apache-2.0: see the licence beside it).")


@job_result(Job.Kind.TRYON, image=RESULT_FILE)
class TryOnResultSerializer(JobPictureResultSerializer):
    """A succeeded try-on's `Job.result`: the picture is the try-on, the size of your photo."""

    engine = serializers.CharField(help_text="The engine that rendered it.")


class ShareSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="Where to send the picture.")
