from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog import selectors, services
from catalog.models import Category

PAGE_SIZE = 24


@require_safe
def catalog_browse(request):
    category = None
    if slug := request.GET.get("category"):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404("No such category.")
    items = selectors.clothing_list(category_slug=slug)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/browse.html", {"category": category, "page": page})


@require_safe
def clothing_detail(request, pk: int):
    """The closet button and the recommendations come from their apps' template tags."""
    item = selectors.clothing_get(item_id=pk)
    services.clothing_view_announce(user=request.user, item=item)
    return render(request, "catalog/detail.html", {"item": item})
