"""`manage.py check --deploy` fails when the sign-in throttle would not hold across web processes."""

from django.conf import settings
from django.core import checks

# Caches whose `incr` is atomic and whose entries every process and machine sees.
SHARED_ATOMIC_CACHES = {
    "django.core.cache.backends.redis.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
}


@checks.register(checks.Tags.security, deploy=True)
def throttle_cache_is_shared(app_configs, **kwargs):
    """Each gunicorn worker has its own local-memory cache, so with 8 workers a guesser gets 8 times
    the attempts; file and database caches increment by read-then-write, so a burst slips past."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend in SHARED_ATOMIC_CACHES:
        return []
    return [checks.Error(
        f"The sign-in throttle counts attempts in the default cache, {backend}, which is process-local "
        "or not atomic: each web process would count on its own.",
        hint="Set CACHE_URL=redis://HOST:6379/1 (or a memcached URL) shared by every web process.",
        id="accounts.E001",
    )]
