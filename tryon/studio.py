"""The try-on studio page: the choices it offers; the work goes through the REST API."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.selectors import photo_list
from catalog.models import ClothingItem
from catalog.selectors import clothing_list
from tryon.engines_config import engines_available
from tryon.forms import StudioQuery
from tryon.models import OUTFIT_SLOTS

ENGINE_LABELS = {"warp": "Quick", "diffusion": "Photo-real"}


def _choices(user, picked: ClothingItem | None) -> dict:
    """Each slot offers the shopper's closet items, plus the item they came from."""
    closet = clothing_list().filter(closet_entries__user=user)
    choices = {}
    for slot, region in OUTFIT_SLOTS.items():
        items = list(closet.filter(category__body_region=region))
        if picked and picked.category.body_region == region and picked not in items:
            items.insert(0, picked)
        choices[slot] = items
    return choices


@require_safe
@login_required
def studio_page(request):
    query = StudioQuery(request.GET)
    item_id = query.cleaned_data["item"] if query.is_valid() else None  # ?item=abc picks nothing
    picked = clothing_list().filter(pk=item_id).first() if item_id else None
    context = {
        "photos": photo_list(user=request.user),
        "choices": _choices(request.user, picked),
        "picked": picked,
        # Only what this server can run: photo-real needs the weights and GPU workers (engines_config).
        "engines": [(name, ENGINE_LABELS[name]) for name in engines_available()],
    }
    return render(request, "tryon/studio.html", context)
