"""The try-on studio page: the choices it offers; the work goes through the REST API."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import Photo
from accounts.selectors import photo_list, photo_tryon_problems
from catalog.models import ClothingItem
from catalog.selectors import clothing_list
from tryon.engines_config import engines_available
from tryon.forms import StudioQuery
from tryon.models import OUTFIT_SLOTS
from tryon.samples import SAMPLES
from tryon.selectors import tryon_duration_estimate

# Engines in shoppers' words: what they get, not how it is made.
ENGINE_LABELS = {"warp": "Quick preview", "diffusion": "Photo-real"}
ENGINE_HINTS = {"warp": "A fast sketch of the fit.", "diffusion": "A realistic picture; takes longer."}
CATALOG_PICKS = 6  # catalog items offered per slot beside the closet's


@dataclass
class PhotoChoice:
    photo: Photo
    # What the shopper should know, each sentence once: why the photo cannot be used at all, or which
    # garments it cannot serve (several regions often share one reason).
    notes: list[str] = field(default_factory=list)


def _photo_choices(user) -> tuple[list[PhotoChoice], int | None]:
    """The shopper's photos with their notes, and the one to preselect: the primary photo when usable
    (it always is, accounts.services), else the newest usable one; None when no photo is usable."""
    choices = []
    for photo in photo_list(user=user):
        problems = photo_tryon_problems(photo=photo)
        notes = [photo.unusable_reason] if not photo.usable else list(dict.fromkeys(problems.values()))
        choices.append(PhotoChoice(photo=photo, notes=notes))
    usable = [choice.photo.pk for choice in choices if choice.photo.usable]
    selected = user.primary_photo_id if user.primary_photo_id in usable else next(iter(usable), None)
    return choices, selected


def _garment_choices(user, picked: ClothingItem | None) -> dict[str, dict[str, list[ClothingItem]]]:
    """Each slot offers the shopper's closet items (and the item they came from), then a few catalog
    items of the same body region that try-on can use."""
    closet = list(clothing_list().filter(closet_entries__user=user))
    choices = {}
    for slot, region in OUTFIT_SLOTS.items():
        mine = [item for item in closet if item.category.body_region == region]
        if picked and picked.category.body_region == region and picked not in mine:
            mine.insert(0, picked)
        others = clothing_list().filter(category__body_region=region).exclude(pk__in=[item.pk for item in mine])
        catalog = [item for item in others[:CATALOG_PICKS * 2] if not item.cutout_refusal][:CATALOG_PICKS]
        choices[slot] = {"closet": mine, "catalog": catalog}
    return choices


@require_safe
@login_required
def studio_page(request):
    query = StudioQuery(request.GET)
    item_id = query.cleaned_data["item"] if query.is_valid() else None  # ?item=abc picks nothing
    picked = clothing_list().filter(pk=item_id).first() if item_id else None
    photos, selected_photo = _photo_choices(request.user)
    context = {
        "photos": photos,
        "selected_photo": selected_photo,
        "samples": SAMPLES.values(),
        "choices": _garment_choices(request.user, picked),
        "picked": picked,
        # Only what this server can run: photo-real needs the weights and GPU workers (engines_config).
        "engines": [{"name": name, "label": ENGINE_LABELS[name], "hint": ENGINE_HINTS[name],
                     "seconds": round(tryon_duration_estimate(engine=name))}
                    for name in engines_available()],
    }
    return render(request, "tryon/studio.html", context)
