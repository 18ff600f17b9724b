from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    username = models.CharField(
        max_length=150,
        unique=True,
        validators=[UnicodeUsernameValidator(), MinLengthValidator(3)],
        help_text="3 to 150 characters: letters, digits and @/./+/-/_ only.",
        error_messages={"unique": "That username is already taken."},
    )
    # The primary photo lives on the user, so "exactly one primary" needs no extra rule.
    primary_photo = models.ForeignKey(
        "accounts.Photo", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]


class Photo(models.Model):
    """A shopper's full-body photo, re-encoded on upload and served only to its owner."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="private/photos/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.owner}"
