from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from core.decorators import require_form_methods
from search import services
from search.forms import FindSimilarForm, SearchForm


@require_safe
def search_page(request):
    form = SearchForm(request.GET or None)
    hits, error = [], None
    if form.is_valid():
        try:
            hits = services.search_text(query=form.cleaned_data["q"], category=form.cleaned_data["category"],
                                        limit=48)
        except services.SearchUnavailable as exc:
            error = str(exc)
    return render(request, "search/results.html", {"form": form, "hits": hits, "error": error},
                  status=503 if error else 200)


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
