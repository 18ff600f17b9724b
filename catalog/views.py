from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog import selectors, services
from catalog.filters import ClothingFilter

PAGE_SIZE = 24


@require_safe
def catalog_browse(request):
    filters = ClothingFilter(request.GET, queryset=selectors.clothing_list())
    if not filters.is_valid() and "category" in filters.errors:
        raise Http404("No such category.")
    items = filters.qs if filters.is_valid() else selectors.clothing_list().none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    category = filters.form.cleaned_data.get("category")
    return render(request, "catalog/browse.html", {"category": category, "page": page, "filters": filters,
                                                   "filters_open": filters.is_open},
                  status=200 if filters.is_valid() else 400)


@require_safe
def clothing_detail(request, pk: int):
    """The closet button and the recommendations come from their apps' template tags."""
    item = selectors.clothing_get(item_id=pk)
    services.clothing_view_announce(user=request.user, item=item)
    return render(request, "catalog/detail.html", {"item": item})
