from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from accounts.services import user_lock
from catalog.models import Category, ClothingItem
from jobs.models import Job
from tryon.models import Combination

SLOT_REGIONS = {"top": Category.BodyRegion.UPPER, "bottom": Category.BodyRegion.LOWER,
                "dress": Category.BodyRegion.FULL}


def validate_outfit(*, top: ClothingItem | None, bottom: ClothingItem | None, dress: ClothingItem | None) -> None:
    if not (top or bottom or dress):
        raise ValidationError("Choose at least a top, a bottom or a dress.")
    if dress and (top or bottom):
        raise ValidationError("A dress is worn alone: choose either a dress or a top and/or bottom.")
    errors = {}
    for slot, item in (("top", top), ("bottom", bottom), ("dress", dress)):
        if item and item.category.body_region != SLOT_REGIONS[slot]:
            errors[f"{slot}_id"] = f"{item} is not a {slot}."
        elif item and not item.is_active:
            errors[f"{slot}_id"] = f"{item} is no longer available."
    if errors:
        raise ValidationError(errors)


def combination_create(
    *, user: User, top: ClothingItem | None = None, bottom: ClothingItem | None = None,
    dress: ClothingItem | None = None,
) -> tuple[Combination, bool]:
    """Save an outfit; saving the same one again returns the existing one (created=False)."""
    validate_outfit(top=top, bottom=bottom, dress=dress)
    with transaction.atomic():
        user_lock(user_id=user.pk)
        return Combination.objects.get_or_create(user=user, top=top, bottom=bottom, dress=dress)


def combination_from_job(*, user: User, job: Job) -> tuple[Combination, bool]:
    """Save a finished try-on as an outfit, with its result image."""
    if job.kind != Job.Kind.TRYON or job.status != Job.Status.SUCCEEDED:
        raise ValidationError({"job_id": "Only a finished try-on can be saved as an outfit."})
    items = {slot: ClothingItem.objects.select_related("category").filter(pk=job.params.get(f"{slot}_id")).first()
             for slot in ("top", "bottom", "dress")}
    combination, created = combination_create(user=user, **items)
    if not combination.result_image:
        with default_storage.open(f"{job.files_prefix}result.jpg", "rb") as handle:
            combination.result_image.save(f"{combination.pk}.jpg", ContentFile(handle.read()))
    return combination, created


def combination_delete(*, combination: Combination) -> None:
    storage, name = combination.result_image.storage, combination.result_image.name
    combination.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
