"""One answer for "too many requests of this kind": 429 with Retry-After, everywhere.

Whatever counts attempts (sign-in, sign-up, password reset, wrong tokens) raises `RateLimited`;
the API's exception handler (`core.api`) answers it in the error format for every DRF view, and
`RateLimitedMiddleware` answers it on pages, so a view never forgets the header.
"""

import math

from django.shortcuts import render


class RateLimited(Exception):
    def __init__(self, message: str, *, wait_seconds: int):
        super().__init__(message)
        self.message = message
        self.wait_seconds = max(1, int(wait_seconds))


def retry_message(*, wait_seconds: int) -> str:
    minutes = max(1, math.ceil(wait_seconds / 60))
    return f"Please try again in {minutes} minute{'s' if minutes > 1 else ''}."


def rate_limited_response(request, exc: RateLimited, *, template: str = "429.html", context=None):
    """A page with status 429 and Retry-After (the API answers through core.api.exception_handler)."""
    response = render(request, template, {"message": exc.message, **(context or {})}, status=429)
    response["Retry-After"] = str(exc.wait_seconds)
    return response


class RateLimitedMiddleware:
    """Pages that Django or its admin own (admin sign-in, password reset) answer a RateLimited raised
    below them with the 429 page; OVDR's own forms catch it to show the message in the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return rate_limited_response(request, exception)
        return None
