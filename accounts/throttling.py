"""Slow down password guessing, mass sign-ups and reset-mail floods: attempts counted in the shared
cache (CACHE_URL; `accounts.checks` refuses a process-local one in production), for the admin, the
pages and the API alike.

Sign-in attempts count per address, per username *and* address, and per username with a higher
ceiling: a guesser at one address is stopped after AUTH_ATTEMPTS_LIMIT tries, while the owner,
signing in from elsewhere, only meets the ceiling a guesser would need many addresses to reach.

Each counter is one cache entry bumped with `incr`, which is atomic in Redis and in the local
memory cache, so a burst of parallel attempts cannot slip past the limit the way a
read-modify-write of a stored list could. A counter's window opens at its first attempt.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from accounts.usernames import username_fold
from core.throttled import RateLimited, retry_message


class TooManyAttempts(RateLimited):
    def __init__(self, wait_seconds: int):
        super().__init__(f"Too many attempts. {retry_message(wait_seconds=wait_seconds)}", wait_seconds=wait_seconds)


def client_address(request) -> str:
    # The client's own address: core.proxies.TrustedProxyMiddleware rewrites it behind TRUSTED_PROXIES.
    return request.META.get("REMOTE_ADDR", "unknown") if request is not None else "unknown"


def _hashed(value: str) -> str:
    # A username or address may hold any character, and cache backends restrict key characters.
    return hashlib.sha256(value.encode()).hexdigest()


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


def _attempt(limits: dict[str, int]) -> None:
    """Count one attempt under every key; raise TooManyAttempts when one is over its limit."""
    now, window = time.time(), settings.AUTH_ATTEMPTS_WINDOW_SECONDS
    for key, limit in limits.items():
        attempts, opened = _count(key, now=now, window=window)
        if attempts > limit:
            raise TooManyAttempts(int(opened + window - now) + 1)


def auth_attempt(*, action: str, request, username: str = "") -> None:
    """One sign-in ("login", with the username), sign-up ("register") or wrong API token ("token")."""
    address, limit = client_address(request), settings.AUTH_ATTEMPTS_LIMIT
    limits = {f"auth:{action}:ip:{_hashed(address)}": limit}
    if username:
        user = _hashed(username_fold(username))
        limits[f"auth:{action}:user-ip:{user}:{_hashed(address)}"] = limit
        limits[f"auth:{action}:user:{user}"] = settings.AUTH_ATTEMPTS_USERNAME_LIMIT
    _attempt(limits)


def password_reset_attempt(*, request, email: str) -> None:
    """One reset request: per address, and per e-mail address so nobody's inbox can be flooded."""
    _attempt({f"auth:reset:ip:{_hashed(client_address(request))}": settings.AUTH_ATTEMPTS_LIMIT,
              f"auth:reset:email:{_hashed(email.strip().casefold())}": settings.PASSWORD_RESET_EMAILS_LIMIT})
