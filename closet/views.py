from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from catalog.selectors import category_list, clothing_get
from closet import selectors, services
from closet.models import MAX_ITEMS_PER_CATEGORY


def _back(request, fallback: str):
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)  # a URL, never a view name: redirect("abc") would be a 500
    return redirect(fallback)


@require_safe
@login_required
def closet_page(request):
    slug = request.GET.get("category") or None
    entries = selectors.closet_list(user=request.user, category_slug=slug)
    counts = selectors.closet_counts(user=request.user)
    categories = [(category, counts.get(category.pk, 0)) for category in category_list()]
    return render(request, "closet/closet.html", {"entries": entries, "categories": categories, "active_slug": slug,
                                                  "limit": MAX_ITEMS_PER_CATEGORY})


def _refusal(exc: ValidationError) -> str:
    """A closet rule in a shopper's words; the API keeps the service's wording (integrators match it)."""
    if exc.code == "category_full":
        return format_html('You can keep {} {}. Remove one to add another. <a href="{}">Open your closet</a>',
                           exc.params["limit"], exc.params["category"], reverse("closet:closet"))
    return " ".join(exc.messages)


@login_required
@require_POST
def closet_add_view(request, pk: int):
    item = clothing_get(item_id=pk)
    try:
        services.closet_add(user=request.user, item=item)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, f"{item.title} is in your closet.")
    return _back(request, "closet:closet")


@login_required
@require_POST
def closet_remove_view(request, pk: int):
    if services.closet_remove(user=request.user, item_id=pk):
        messages.success(request, "Removed from your closet.")
    return _back(request, "closet:closet")


@require_safe
@login_required
def history_page(request):
    return render(request, "closet/history.html", {"entries": selectors.history_list(user=request.user)})
