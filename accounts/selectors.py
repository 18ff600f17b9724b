from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Photo, User


def username_taken(*, username: str) -> bool:
    """Usernames are unique case-insensitively: "Alice" blocks "alice"."""
    return User.objects.filter(username__iexact=username.strip()).exists()


def photo_list(*, user: User) -> QuerySet[Photo]:
    # "analysis" is the reverse relation of try-on's PhotoAnalysis: the ORM reaches it without an import.
    return Photo.objects.filter(owner=user).select_related("owner", "analysis")


def photo_tryon_problems(*, photo: Photo) -> dict[str, str]:
    """Why try-on cannot use the photo, per body region; empty while no analysis exists."""
    analysis = getattr(photo, "analysis", None)  # the related-object miss is an AttributeError
    return analysis.problems if analysis else {}


def photo_get(*, user: User, photo_id: int) -> Photo:
    """Another shopper's photo is indistinguishable from a missing one (404)."""
    return get_object_or_404(photo_list(user=user), pk=photo_id)
