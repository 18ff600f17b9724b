"""Slow down password guessing and mass sign-ups: attempts counted per client address and per
username in the shared cache, for the API and the pages alike.

Each counter is one cache entry bumped with `incr`, which is atomic in Redis and in the local
memory cache, so a burst of parallel attempts cannot slip past the limit the way a
read-modify-write of a stored list could. A counter's window opens at its first attempt.
"""

import hashlib
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


def _count(key: str, *, now: float, window: int) -> tuple[int, float]:
    """Add one attempt to `key`'s window; return the attempts so far and when the window opened."""
    if cache.add(f"{key}:count", 0, timeout=window):
        cache.set(f"{key}:opened", now, timeout=window)
    try:
        attempts = cache.incr(f"{key}:count")
    except ValueError:  # the window closed between add() and incr()
        cache.set(f"{key}:count", 1, timeout=window)
        cache.set(f"{key}:opened", now, timeout=window)
        attempts = 1
    return attempts, cache.get(f"{key}:opened", now)


def auth_attempt(*, action: str, request, username: str = "") -> None:
    """Record one attempt; raise TooManyAttempts when the address or the username is over the limit."""
    now, window = time.time(), settings.AUTH_ATTEMPTS_WINDOW_SECONDS
    keys = [f"auth:{action}:ip:{client_address(request)}"]
    if username:
        # Hashed: a username may hold any character, and cache backends restrict key characters.
        keys.append(f"auth:{action}:user:{hashlib.sha256(username.strip().lower().encode()).hexdigest()}")
    for key in keys:
        attempts, opened = _count(key, now=now, window=window)
        if attempts > settings.AUTH_ATTEMPTS_LIMIT:
            raise TooManyAttempts(int(opened + window - now) + 1)
