from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Photo, User
from accounts.selectors import username_taken
from accounts.signals import photo_uploaded
from core.uploads import image_normalise


def user_lock(*, user_id: int) -> User:
    """Serialise writes that must respect a per-user invariant (caps, primary photo, history)."""
    return User.objects.select_for_update().get(pk=user_id)


def user_register(*, username: str, password: str, email: str = "") -> User:
    username = username.strip()
    if username_taken(username=username):
        raise ValidationError({"username": "That username is already taken."})
    user = User(username=username, email=email.strip())
    user.full_clean(exclude=["password"])
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration took the name first
        raise ValidationError({"username": "That username is already taken."})
    return user


def photo_upload(*, user: User, upload) -> Photo:
    """Store a validated, re-encoded photo; the first photo becomes the primary one."""
    normalised = image_normalise(upload=upload)
    photo = Photo(owner=user)
    photo.image.save(normalised.content.name, normalised.content, save=False)
    try:
        with transaction.atomic():
            locked = user_lock(user_id=user.pk)
            photo.save()
            if locked.primary_photo_id is None:
                User.objects.filter(pk=user.pk).update(primary_photo=photo)
                user.primary_photo = photo
    except Exception:
        photo.image.delete(save=False)
        raise
    # Sent before returning, not on commit: what receivers store about the photo (try-on's analysis)
    # is there when the caller tells the shopper about it.
    photo_uploaded.send(sender=Photo, photo=photo)
    return photo


def photo_set_primary(*, user: User, photo: Photo) -> None:
    if photo.owner_id != user.pk:
        raise ValidationError("That photo is not yours.")
    User.objects.filter(pk=user.pk).update(primary_photo=photo)
    user.primary_photo = photo


def photo_delete(*, user: User, photo: Photo) -> None:
    """Delete the photo and its file; if it was primary, the newest remaining photo takes over."""
    with transaction.atomic():
        locked = user_lock(user_id=user.pk)
        was_primary = locked.primary_photo_id == photo.pk
        storage, name = photo.image.storage, photo.image.name
        photo.delete()
        if was_primary:
            successor = Photo.objects.filter(owner=user).first()
            User.objects.filter(pk=user.pk).update(primary_photo=successor)
            user.primary_photo = successor
        transaction.on_commit(lambda: storage.delete(name))


def user_authenticate(*, request, username: str, password: str) -> User:
    """Usernames are case-insensitive everywhere, whatever the database collation."""
    match = User.objects.filter(username__iexact=username.strip()).first()
    user = authenticate(request, username=match.username if match else username, password=password)
    if user is None:
        raise ValidationError("Invalid username or password.", code="invalid_credentials")
    return user
