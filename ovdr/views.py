import logging
import mimetypes
import posixpath

from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from catalog.selectors import clothing_list
from recommend.personal import for_you
from recommend.trending import trending_list
from search.encoders import get_encoder
from search.store import index_versions

logger = logging.getLogger(__name__)


@require_safe
def home(request):
    picked = for_you(user=request.user, limit=8)
    # In a new shop both rows fall back to the newest items: trending then shows the next ones, not the same.
    trending = trending_list(limit=8, avoid={item.pk for item, _ in picked})
    return render(request, "home.html", {"newest": clothing_list()[:8], "trending": trending, "for_you": picked})


def healthz(request):
    """Liveness probe that touches nothing: also the ceiling in bench/api_throughput.py."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def favicon(request):
    """Pages name the icon in <head>; this answers clients that ask for the conventional path anyway."""
    return redirect(static("favicon.svg"), permanent=True)


def _database_probe() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_probe() -> None:
    cache.set("readyz-probe", 1, timeout=10)
    if cache.get("readyz-probe") != 1:
        raise RuntimeError("the cache lost what it was just given")


def _storage_probe() -> None:
    default_storage.exists("readyz-probe")  # absent either way: a working store just answers


READINESS_PROBES = {"database": _database_probe, "cache": _cache_probe, "storage": _storage_probe}


@require_safe
def readyz(request):
    """Readiness probe for the proxy: 200 when this process reaches the database, the cache and the media
    storage, else 503 naming what failed (with Retry-After). It also tells which search index version each
    space serves (null: none yet; search alone answers 503 then, so it does not make the process unready)."""
    checks = {}
    for name, probe in READINESS_PROBES.items():
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the log says why
            logger.warning("Readiness: %s failed", name, exc_info=True)
            checks[name] = f"failed ({type(exc).__name__})"
    ready = all(result == "ok" for result in checks.values())
    body = {"ready": ready, "checks": checks,
            "search_index": index_versions(encoder=get_encoder()) if checks["database"] == "ok" else None}
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = "10"
    return response


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

