from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.static import serve

from catalog.selectors import clothing_list
from recommend.personal import for_you
from recommend.trending import trending_list


@require_safe
def home(request):
    return render(request, "home.html", {"newest": clothing_list()[:8], "trending": trending_list(limit=8),
                                         "for_you": for_you(user=request.user, limit=8)})


def healthz(request):
    """Liveness probe that touches nothing: also the ceiling in bench/api_throughput.py."""
    return HttpResponse("ok", content_type="text/plain")


def catalog_media(request, path: str):
    """Catalog images are public. In production a web server may serve MEDIA_ROOT/catalog/
    directly; shoppers' files under MEDIA_ROOT/private/ are never served this way."""
    return serve(request, path, document_root=settings.MEDIA_ROOT / "catalog")

