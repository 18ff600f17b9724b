from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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


@login_required
@require_POST
def outfit_delete(request, pk: int):
    services.combination_delete(combination=selectors.combination_get(user=request.user, combination_id=pk))
    messages.success(request, "Outfit deleted.")
    return redirect("tryon:outfits")
