"""Slow down password guessing and mass sign-ups: attempts counted per client address and per
username in the shared cache, for the API and the pages alike."""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError


class TooManyAttempts(ValidationError):
    def __init__(self, wait_seconds: int):
        self.wait_seconds = wait_seconds
        minutes = max(1, math.ceil(wait_seconds / 60))
        super().__init__(f"Too many attempts. Please try again in {minutes} minute{'s' if minutes > 1 else ''}.",
                         code="throttled")


def client_address(request) -> str:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR", "unknown")


def auth_attempt(*, action: str, request, username: str = "") -> None:
    """Record one attempt; raise TooManyAttempts when the address or the username is over the limit."""
    now, window = time.time(), settings.AUTH_ATTEMPTS_WINDOW_SECONDS
    keys = [f"auth:{action}:ip:{client_address(request)}"]
    if username:
        keys.append(f"auth:{action}:user:{username.strip().lower()}")
    for key in keys:
        recent = [t for t in cache.get(key, []) if t > now - window]
        if len(recent) >= settings.AUTH_ATTEMPTS_LIMIT:
            raise TooManyAttempts(int(recent[0] + window - now) + 1)
        cache.set(key, recent + [now], timeout=window)
