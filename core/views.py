"""Error handlers for the root URLconf: the API error format under /api/, pages elsewhere."""

from django.shortcuts import render
from django.views import defaults

from core.api import error_response, is_api_request


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
