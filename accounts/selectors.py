from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Photo, User


def username_taken(*, username: str) -> bool:
    """Usernames are unique case-insensitively: "Alice" blocks "alice"."""
    return User.objects.filter(username__iexact=username.strip()).exists()


def photo_list(*, user: User) -> QuerySet[Photo]:
    return Photo.objects.filter(owner=user).select_related("owner", "analysis")


def photo_get(*, user: User, photo_id: int) -> Photo:
    """Another shopper's photo is indistinguishable from a missing one (404)."""
    return get_object_or_404(photo_list(user=user), pk=photo_id)
