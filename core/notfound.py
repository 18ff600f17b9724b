"""The shop's own 404 page while DEBUG is on, as in production.

With DEBUG on, Django answers an unknown URL (and a view's Http404) with its technical page, which
lists every URL pattern of the project: useful while wiring URLs, but it makes `make run` look
broken to anyone trying the shop, and it is not what production shows. This middleware answers
both with the project's handler404 instead (core.views.not_found: the page, or the API's error
format under /api/). DEBUG_404=True turns it off, for the technical page. Off with DEBUG off, where
Django already calls handler404.
"""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404
from django.urls import Resolver404, get_resolver, get_urlconf, resolve


class ProductNotFoundMiddleware:
    """Last in MIDDLEWARE: the answer passes back through all the others (CSP, CommonMiddleware's
    APPEND_SLASH redirect of a 404), and request.user is there for the page's menu."""

    def __init__(self, get_response):
        if not settings.DEBUG or settings.DEBUG_404:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return self._not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    def _not_found(self, request, exception):
        handler = get_resolver(get_urlconf()).resolve_error_handler(404)
        return handler(request, exception)
