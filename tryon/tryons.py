"""Starting try-on jobs: every check happens here, before anything is queued."""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from accounts.models import Photo, User
from catalog.models import ClothingItem
from jobs.models import Job
from jobs.services import job_create
from tryon.engines import ENGINE_NAMES, engine_option_limits
from tryon.engines.base import OptionLimits
from tryon.engines_config import engine_settings
from tryon.preprocess import photo_analysis
from tryon.services import validate_outfit

RESULT_FILE = "result.jpg"


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


def _cache_key(photo: Photo, items: dict, engine: str, options: dict) -> str:
    parts = {"photo": photo.image.name, "engine": engine, "options": options,
             **{slot: [item.pk, item.image.name] for slot, item in items.items() if item}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _check_photo(photo: Photo, items: dict) -> None:
    _, problems = photo_analysis(photo=photo)
    for item in items.values():
        if item and (message := problems.get(item.category.body_region)):
            raise ValidationError({"photo_id": message})


def tryon_start(*, owner: User, photo: Photo, top: ClothingItem | None = None, bottom: ClothingItem | None = None,
                dress: ClothingItem | None = None, engine: str | None = None,
                options: dict | None = None) -> tuple[Job, bool]:
    """Queue a try-on, or return the finished job for the same request (created=False)."""
    engine = engine or settings.TRYON_ENGINE
    if engine not in ENGINE_NAMES:
        raise ValidationError({"engine": f"Unknown engine; choose one of {', '.join(ENGINE_NAMES)}."})
    if engine == "diffusion" and not engine_settings().diffusion_ready:
        raise ValidationError({"engine": "The diffusion engine is not set up on this server; use warp."})
    items = {"top": top, "bottom": bottom, "dress": dress}
    validate_outfit(**items)
    options = _clean_options(options, engine_option_limits(engine))
    _check_photo(photo, items)
    key = _cache_key(photo, items, engine, options)
    for done in Job.objects.filter(owner=owner, kind=Job.Kind.TRYON, cache_key=key, status=Job.Status.SUCCEEDED):
        if default_storage.exists(done.files_prefix + RESULT_FILE):
            return done, False
    params = {"photo_id": photo.pk, "engine": engine, "options": options,
              **{f"{slot}_id": item.pk for slot, item in items.items() if item}}
    return job_create(owner=owner, kind=Job.Kind.TRYON, params=params, cache_key=key), True
