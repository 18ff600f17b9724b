from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Photo, User
from accounts.usernames import username_fold, username_skeleton


def user_find(*, username: str) -> User | None:
    """The account whose name folds (case, width) to the same: how every sign-in finds a user.
    Candidates come from the skeleton index; iexact also finds look-alikes kept by migration 0004."""
    folded = username_fold(username)
    candidates = User.objects.filter(Q(username_skeleton=username_skeleton(username))
                                     | Q(username__iexact=username.strip()))
    return next((user for user in candidates if username_fold(user.username) == folded), None)


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
