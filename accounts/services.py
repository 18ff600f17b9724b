from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import Photo, User
from accounts.signals import photo_uploaded
from core.limits import LimitReached
from core.uploads import image_normalise
from jobs.models import Job
from jobs.services import jobs_delete

# A shopper at the photo limit must delete one first; this is only a hint for clients that retry.
PHOTO_LIMIT_RETRY_AFTER = 60


def user_lock(*, user_id: int) -> None:
    """Serialise writes that must respect a per-user invariant (caps, primary photo, history, shares): the
    shopper's row stays locked until the transaction ends. One statement of plain SQL, because every
    closet add takes this lock and the ORM's select_for_update().get() cost 0.3 ms more CPU, building a
    User nobody read. SQLite has no row locks: its IMMEDIATE transactions hold the database's write lock
    from their first statement (ovdr/settings.py)."""
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {User._meta.db_table} WHERE id = %s FOR UPDATE", [user_id])


def _user_locked(*, user_id: int) -> User:
    """The shopper's row, read after taking user_lock, for writes that decide on it (the primary photo)."""
    user_lock(user_id=user_id)
    return User.objects.get(pk=user_id)


def user_register(*, username: str, password: str, email: str = "") -> User:
    """User.clean() refuses a name taken in any case or width, or a look-alike of one."""
    user = User(username=username.strip(), email=email.strip())
    user.full_clean(exclude=["password", "username_skeleton"])
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a concurrent registration took the name (or a look-alike) first
        raise ValidationError({"username": "That username is already taken."})
    return user


def _newest_usable(*, user: User, exclude: Photo | None = None) -> Photo | None:
    photos = Photo.objects.filter(owner=user, unusable_reason="")
    return (photos.exclude(pk=exclude.pk) if exclude else photos).first()


def _primary_set(*, user: User, photo: Photo | None) -> None:
    User.objects.filter(pk=user.pk).update(primary_photo=photo)
    user.primary_photo = photo


def photo_upload(*, user: User, upload) -> Photo:
    """Store a validated, re-encoded photo. Once analysed, a usable photo becomes primary when the shopper
    has none, or only an unusable one; an unusable photo never does."""
    normalised = image_normalise(upload=upload)
    photo = Photo(owner=user)
    photo.image.save(normalised.content.name, normalised.content, save=False)
    try:
        with transaction.atomic():
            user_lock(user_id=user.pk)
            if Photo.objects.filter(owner=user).count() >= settings.PHOTOS_PER_SHOPPER:
                raise LimitReached(f"You can keep {settings.PHOTOS_PER_SHOPPER} photos. Delete one to upload "
                                   f"another.", retry_after=PHOTO_LIMIT_RETRY_AFTER)
            photo.save()
    except Exception:
        photo.image.delete(save=False)
        raise
    # Sent before returning, not on commit: what receivers store about the photo (try-on's analysis,
    # which marks it unusable) is there when the caller tells the shopper about it, and when the
    # primary photo is chosen below.
    photo_uploaded.send(sender=Photo, photo=photo)
    photo.refresh_from_db(fields=["unusable_reason"])
    if photo.usable:
        with transaction.atomic():
            locked = _user_locked(user_id=user.pk)
            primary = Photo.objects.filter(pk=locked.primary_photo_id).first()
            if primary is None or not primary.usable:
                _primary_set(user=user, photo=photo)
    return photo


def photo_mark_unusable(*, photo: Photo, reason: str) -> None:
    """Record why no try-on can use the photo (try-on's analysis decides); were it primary, the newest
    usable photo takes over, or none."""
    with transaction.atomic():
        locked = _user_locked(user_id=photo.owner_id)
        Photo.objects.filter(pk=photo.pk).update(unusable_reason=reason[:200])
        photo.unusable_reason = reason[:200]
        if locked.primary_photo_id == photo.pk:
            _primary_set(user=locked, photo=_newest_usable(user=locked, exclude=photo))


def photo_set_primary(*, user: User, photo: Photo) -> None:
    if photo.owner_id != user.pk:
        raise ValidationError("That photo is not yours.")
    if not photo.usable:
        raise ValidationError({"photo_id": f"This photo cannot be your primary one: {photo.unusable_reason}"})
    _primary_set(user=user, photo=photo)


def photo_delete(*, user: User, photo: Photo) -> None:
    """Delete the photo, its file and all made from it: its analysis (with its mask, by cascade) and
    the jobs that used it (try-on results, image-search copies), unless saved as an outfit, which
    keeps its own copy of the result. If it was primary, the newest usable photo takes over."""
    with transaction.atomic():
        locked = _user_locked(user_id=user.pk)
        was_primary = locked.primary_photo_id == photo.pk
        storage, name = photo.image.storage, photo.image.name
        jobs_delete(jobs=Job.objects.filter(owner=user, params__photo_id=photo.pk))
        photo.delete()
        if was_primary:
            _primary_set(user=user, photo=_newest_usable(user=user))
        transaction.on_commit(lambda: storage.delete(name))


def user_authenticate(*, request, username: str, password: str) -> User:
    """Through accounts.backends: case- and width-insensitive, throttled (raises TooManyAttempts)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ValidationError("Invalid username or password.", code="invalid_credentials")
    return user
