from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_safe
from django.views.static import serve

from catalog.selectors import clothing_list
from ovdr.api import error_response, is_api_request
from recommend.personal import for_you
from recommend.trending import trending_list


@require_safe
def home(request):
    picks = for_you(user=request.user, limit=8) if request.user.is_authenticated else []
    return render(request, "home.html", {"newest": clothing_list()[:8], "trending": trending_list(limit=8),
                                         "for_you": picks})


def healthz(request):
    """Liveness probe that touches nothing: also the ceiling in bench/api_throughput.py."""
    return HttpResponse("ok", content_type="text/plain")


def catalog_media(request, path: str):
    """Catalog images are public. In production a web server may serve MEDIA_ROOT/catalog/
    directly; shoppers' files under MEDIA_ROOT/private/ are never served this way."""
    return serve(request, path, document_root=settings.MEDIA_ROOT / "catalog")


def bad_request(request, exception=None):
    """What Django refuses before any view runs: form fields over DATA_UPLOAD_MAX_MEMORY_SIZE, too many files."""
    if is_api_request(request):
        return error_response(status_code=400, code="bad_request",
                              message="The request could not be read: it is too large or malformed.")
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if is_api_request(request):
        return error_response(status_code=404, code="not_found", message="Not found.")
    return render(request, "404.html", status=404)


def server_error(request):
    if is_api_request(request):
        return error_response(status_code=500, code="server_error", message="Something went wrong on our side.")
    return render(request, "500.html", status=500)
