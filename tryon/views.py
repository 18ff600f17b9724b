from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from core.decorators import require_form_methods
from tryon import selectors, services
from tryon.forms import OutfitForm


@require_form_methods
@login_required
def outfits_page(request):
    form = OutfitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            _, created = services.combination_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, "Outfit saved." if created else "You had already saved this outfit.")
            return redirect("tryon:outfits")
    combinations = selectors.combination_list(user=request.user)
    return render(request, "tryon/outfits.html", {"form": form, "combinations": combinations})


@require_form_methods
@login_required
def outfit_delete(request, pk: int):
    """GET asks for confirmation (a page: no script needed), POST deletes."""
    combination = selectors.combination_get(user=request.user, combination_id=pk)
    if request.method != "POST":
        image_url = reverse("api:combination-image", args=[pk]) if combination.result_image else ""
        return render(request, "confirm_delete.html", {
            "title": "Delete this outfit?", "cancel_url": reverse("tryon:outfits"),
            "image_url": image_url, "image_alt": f"You wearing {combination}",
            "consequence": f"{combination}. The items stay in the catalog and in your closet.",
            "button": "Delete outfit"})
    services.combination_delete(combination=combination)
    messages.success(request, "Outfit deleted.")
    return redirect("tryon:outfits")
