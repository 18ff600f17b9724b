from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog import selectors
from catalog.models import Category
from closet.selectors import closet_list
from closet.services import history_record
from recommend.outfits import complete_the_look
from recommend.personal import similar_items

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
    item = selectors.clothing_get(item_id=pk)
    in_closet = False
    if request.user.is_authenticated:
        history_record(user=request.user, item=item)
        in_closet = closet_list(user=request.user).filter(item=item).exists()
    context = {"item": item, "in_closet": in_closet, "similar": similar_items(item=item, limit=6),
               "complete": complete_the_look(item=item, limit=4)}
    return render(request, "catalog/detail.html", context)
