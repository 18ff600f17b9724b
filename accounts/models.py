from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator
from django.db import models
from rest_framework.authtoken.models import Token

from accounts.usernames import username_fold, username_skeleton


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
    # One account per look-alike class (accounts.usernames), backed by the database whatever its
    # collation. Null only for look-alikes that existed before the rule (migration 0004).
    username_skeleton = models.CharField(max_length=64, unique=True, null=True, editable=False)

    @classmethod
    def username_clash(cls, username: str, *, pk=None) -> str:
        """Why another account (not `pk`) stands in the way of `username`: it has the name in another
        case or width, or a look-alike of it; empty when none does."""
        taken = cls.objects.filter(username_skeleton=username_skeleton(username)).exclude(pk=pk).first()
        if taken is None:
            return ""
        if username_fold(taken.username) == username_fold(username):
            return "That username is already taken."
        return "That username looks too much like an existing one. Please choose another."

    def clean(self):
        super().clean()  # NFKC-normalises the username
        if clash := self.username_clash(self.username, pk=self.pk):
            raise ValidationError({"username": clash})
        self.username_skeleton = username_skeleton(self.username)

    def save(self, *args, **kwargs):
        if self._state.adding or self.username_skeleton is not None:
            self.username_skeleton = username_skeleton(self.username)
        password_changed = self._password is not None  # set_password() ran: reset, change, admin, shell
        super().save(*args, **kwargs)
        if password_changed:
            # A token is a password's stand-in: a new password revokes them, as it does other sessions.
            Token.objects.filter(user=self).delete()


class Photo(models.Model):
    """A shopper's full-body photo, re-encoded on upload and served only to its owner."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="private/photos/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Why no try-on can use the photo (no person, several people), as the analysis said it to the shopper;
    # empty when it is usable. Such a photo is never primary (accounts.services).
    unusable_reason = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def usable(self) -> bool:
        return not self.unusable_reason

    def __str__(self) -> str:
        return f"Photo {self.pk} of {self.owner}"
