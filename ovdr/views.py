import mimetypes
import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from catalog.selectors import clothing_list
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


@require_safe
def catalog_media(request, path: str):
    """Catalog images are public: their URLs on the filesystem storage (on S3 they point at the bucket).
    Read through the storage API; shoppers' files under private/ are never served this way."""
    name = posixpath.normpath(f"catalog/{path}")
    if not name.startswith("catalog/"):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404
    return FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")

