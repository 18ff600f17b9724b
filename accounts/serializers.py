from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Photo, User
from accounts.selectors import photo_tryon_problems


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(min_length=3, max_length=150)
    # No default: "" is not an email, so the schema could not declare it; the view reads a missing one as "".
    email = serializers.EmailField(required=False, allow_blank=True, help_text="Optional; for password resets.")
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    password_confirm = serializers.CharField(write_only=True, trim_whitespace=False,
                                             style={"input_type": "password"})

    def validate(self, data):
        if data["password"] != data["password_confirm"]:
            raise serializers.ValidationError({"password_confirm": "The two passwords do not match."})
        return data


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class UserSerializer(serializers.ModelSerializer):
    # Not an EmailField in the schema: signing up without an address leaves "", which is no "email".
    email = serializers.CharField(read_only=True, help_text="Empty when none was given.")

    class Meta:
        model = User
        fields = ["id", "username", "email", "date_joined", "primary_photo"]
        read_only_fields = fields


class AuthTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <key>`.")
    user = UserSerializer()


class PhotoSerializer(serializers.ModelSerializer):
    is_primary = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    tryon_problems = serializers.SerializerMethodField()
    usable = serializers.BooleanField(read_only=True, help_text="False when no try-on can use this photo "
                                                                "(`unusable_reason` says why); it is never primary.")
    unusable_reason = serializers.CharField(read_only=True, help_text="Why no try-on can use the photo, for "
                                                                      "the shopper; empty when it is usable.")

    class Meta:
        model = Photo
        fields = ["id", "width", "height", "is_primary", "usable", "unusable_reason", "file_url", "tryon_problems",
                  "created_at"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"},
                          "description": "Why this photo cannot serve a body region (upper, lower, full)."})
    def get_tryon_problems(self, photo: Photo) -> dict:
        return photo_tryon_problems(photo=photo)

    def get_is_primary(self, photo: Photo) -> bool:
        return photo.pk == self.context["request"].user.primary_photo_id

    @extend_schema_field(OpenApiTypes.URI)
    def get_file_url(self, photo: Photo) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:photo-file", args=[photo.pk]))


class PhotoUploadSerializer(serializers.Serializer):
    # A plain FileField: core.uploads does the real, stricter validation.
    image = serializers.FileField(allow_empty_file=True)
