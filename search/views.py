from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from catalog.filters import ClothingFilter
from catalog.selectors import category_list, clothing_list
from core.decorators import require_form_methods
from search import services
from search.forms import FindSimilarForm, SearchForm

PAGE_RESULTS = 48


@require_safe
def search_page(request):
    """Results without scores (shoppers read the order; the API keeps the numbers), the filters the
    words were read as, and on no results: other spellings and the categories to browse."""
    form = SearchForm(request.GET or None)
    filters = ClothingFilter(request.GET or None, queryset=clothing_list())
    outcome, error, status = None, None, 200
    if form.is_valid() and filters.is_valid():
        params = {name: request.GET.get(name, "") for name in ClothingFilter.base_filters}
        try:
            outcome = services.search_catalog(query=form.cleaned_data["q"], params=params, limit=PAGE_RESULTS)
        except services.SearchUnavailable as exc:
            error, status = str(exc), 503
        except ValidationError as exc:  # a value the form let through but the filters refuse
            error, status = " ".join(exc.messages), 400
    elif form.is_bound:
        status = 400
    return render(request, "search/results.html", {
        "form": form, "filters": filters, "filters_open": filters.is_open, "outcome": outcome, "error": error,
        "categories": category_list(),
    }, status=status)


@require_form_methods
@login_required
def find_similar_page(request):
    form = FindSimilarForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photo = data["photo"]
            job = services.image_search_start(owner=request.user, image_file=data["image"] or photo.image,
                                              category=data["category"], limit=8, photo_id=photo and photo.pk)
        except ValidationError as exc:
            form.add_error("image", exc)
        else:
            return redirect(f"{request.path}?job={job.pk}")
    return render(request, "search/similar.html", {"form": form, "job_id": request.GET.get("job", "")},
                  status=400 if form.errors else 200)
