"""Try-on's business rules: outfits, starting a try-on (every check before anything is queued),
and emailing a result."""

import hashlib
import json
from datetime import timedelta
from email.mime.image import MIMEImage
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.db import transaction
from django.utils import timezone

from accounts.models import Photo, User
from accounts.services import user_lock
from catalog.models import ClothingItem
from core.emails import validate_public_email
from core.limits import LimitReached
from jobs.models import Job
from jobs.services import job_create
from tryon.engines import ENGINE_NAMES, engine_option_limits
from tryon.engines.base import OptionLimits
from tryon.engines_config import engine_cluster, engine_unavailable
from tryon.models import OUTFIT_SLOTS, RESULT_FILE, Combination, Share
from tryon.preprocess import photo_analysis, sample_analysis
from tryon.samples import SAMPLES

SHARE_IMAGE_CID = "look"


# Outfits


def validate_outfit(*, top: ClothingItem | None, bottom: ClothingItem | None, dress: ClothingItem | None) -> None:
    if not (top or bottom or dress):
        raise ValidationError("Choose at least a top, a bottom or a dress.")
    if dress and (top or bottom):
        raise ValidationError("A dress is worn alone: choose either a dress or a top and/or bottom.")
    errors = {}
    for slot, item in (("top", top), ("bottom", bottom), ("dress", dress)):
        if item and item.category.body_region != OUTFIT_SLOTS[slot]:
            errors[f"{slot}_id"] = f"{item} is not a {slot}."
        elif item and not item.is_active:  # named by id only: an inactive item's title is not public
            errors[f"{slot}_id"] = f"Item {item.pk} is no longer available."
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
             for slot in OUTFIT_SLOTS}
    with transaction.atomic():
        # Held until the image is attached, so a second save of the same result waits, then finds the
        # outfit with its image (200) rather than a bare one it would attach another copy to.
        user_lock(user_id=user.pk)
        combination, created = combination_create(user=user, **items)
        if not combination.result_image:
            with default_storage.open(job.files_prefix + RESULT_FILE, "rb") as handle:
                combination.result_image.save(f"{combination.pk}.jpg", ContentFile(handle.read()))
    return combination, created


def combination_delete(*, combination: Combination) -> None:
    storage, name = combination.result_image.storage, combination.result_image.name
    combination.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# Try-on


def _clean_options(options: dict, limits: OptionLimits) -> dict:
    cleaned = {}
    for name, value in (options or {}).items():
        if name not in limits:
            raise ValidationError({"options": f"Unknown option {name!r}."})
        low, high = limits[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            raise ValidationError({"options": f"{name} must be a number from {low} to {high}."})
        cleaned[name] = value
    return cleaned


def _cache_key(person: str, items: dict, engine: str, options: dict) -> str:
    parts = {"photo": person, "engine": engine, "options": options,
             **{slot: [item.pk, item.image.name] for slot, item in items.items() if item}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _check_cutouts(items: dict) -> None:
    """A garment whose cut-out was flagged at enrichment is refused with the curator's reason."""
    for slot, item in items.items():
        if item and item.cutout_refusal:
            raise ValidationError({f"{slot}_id": f"This garment cannot be tried on yet. {item.cutout_refusal}"})


def _check_person(problems: dict, items: dict, field: str) -> None:
    for item in items.values():
        if item and (message := problems.get(item.category.body_region)):
            raise ValidationError({field: message})


def tryon_start(*, owner: User, photo: Photo | None = None, sample: str | None = None,
                top: ClothingItem | None = None, bottom: ClothingItem | None = None,
                dress: ClothingItem | None = None, engine: str | None = None,
                options: dict | None = None) -> tuple[Job, bool]:
    """Queue a try-on of the shopper's photo or of a sample model (tryon.samples), or return the finished
    job for the same request (created=False)."""
    if (photo is None) == (sample is None):
        raise ValidationError({"photo_id": "Choose one of your photos or a sample model."})
    if sample is not None and sample not in SAMPLES:
        raise ValidationError({"sample": f"Unknown sample; choose one of {', '.join(SAMPLES)}."})
    engine = engine or settings.TRYON_ENGINE
    if engine not in ENGINE_NAMES:
        raise ValidationError({"engine": f"Unknown engine; choose one of {', '.join(ENGINE_NAMES)}."})
    if unavailable := engine_unavailable(engine):
        raise ValidationError({"engine": unavailable})
    items = {"top": top, "bottom": bottom, "dress": dress}
    validate_outfit(**items)
    options = _clean_options(options, engine_option_limits(engine))
    _check_cutouts(items)
    if photo is not None:
        _check_person(photo_analysis(photo=photo)[1], items, "photo_id")
        person, source = photo.image.name, {"photo_id": photo.pk}
    else:
        _check_person(sample_analysis(sample)[1], items, "sample")
        person, source = SAMPLES[sample].path, {"sample": sample}
    key = _cache_key(person, items, engine, options)
    for done in Job.objects.filter(owner=owner, kind=Job.Kind.TRYON, cache_key=key, status=Job.Status.SUCCEEDED):
        if default_storage.exists(done.files_prefix + RESULT_FILE):
            return done, False
    params = {**source, "engine": engine, "options": options,
              **{f"{slot}_id": item.pk for slot, item in items.items() if item}}
    return job_create(owner=owner, kind=Job.Kind.TRYON, params=params, cache_key=key,
                      cluster=engine_cluster(engine)), True


# Sharing


def _share_message(*, user: User, job: Job, email: str, site_url: str) -> EmailMultiAlternatives:
    """Text and HTML alike: who shared, each item worn (name, price, absolute link), the look inline."""
    ids = [job.params[f"{slot}_id"] for slot in OUTFIT_SLOTS if f"{slot}_id" in job.params]
    items = ClothingItem.objects.filter(pk__in=ids, is_active=True)  # a withdrawn item is not public
    context = {"sender": user.username, "items": [
        {"title": item.title, "price": item.price, "on_sale": item.on_sale,
         "url": urljoin(site_url, reverse("catalog:detail", args=[item.pk]))} for item in items],
        "site_url": site_url}
    message = EmailMultiAlternatives(
        subject=f"{user.username} shared a look with you",
        body=render_to_string("tryon/share_email.txt", context), to=[email])
    message.attach_alternative(render_to_string("tryon/share_email.html", context), "text/html")
    # The picture travels inline (cid:look), shown in the HTML; mail readers list it as an attachment too.
    message.mixed_subtype = "related"
    with default_storage.open(job.files_prefix + RESULT_FILE, "rb") as handle:
        image = MIMEImage(handle.read(), "jpeg")
    image.add_header("Content-ID", f"<{SHARE_IMAGE_CID}>")
    image.add_header("Content-Disposition", "inline", filename="look.jpg")
    message.attach(image)
    return message


def tryon_share(*, user: User, job: Job, email: str, site_url: str) -> Share:
    """Email a finished try-on; `site_url` (this site's root, absolute) makes the item links."""
    validate_public_email(email)
    if job.kind != Job.Kind.TRYON or job.status != Job.Status.SUCCEEDED:
        raise ValidationError("Only a finished try-on can be shared.")
    with transaction.atomic():
        user_lock(user_id=user.pk)  # two requests at once cannot both take the last share
        since, per_day = timezone.now() - timedelta(days=1), settings.TRYON_SHARES_PER_DAY
        recent = Share.objects.filter(user=user, created_at__gte=since).order_by("-created_at")
        times = list(recent.values_list("created_at", flat=True)[:per_day])
        if len(times) >= per_day:
            frees_at = times[-1] + timedelta(days=1)  # the oldest that counts leaves the day
            raise LimitReached(f"You can share {per_day} try-ons a day. Please try again tomorrow.",
                               retry_after=(frees_at - timezone.now()).total_seconds(), code="share_limit")
        share = Share.objects.create(user=user, job=job, email=email)
    _share_message(user=user, job=job, email=email, site_url=site_url).send()
    return share
