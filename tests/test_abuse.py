"""Guessing and privilege escalation: throttled sign-in, sign-up and tokens; nobody becomes staff."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import User
from accounts.throttling import TooManyAttempts, auth_attempt
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REDIS_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": "redis://127.0.0.1:6379/15"}}


def test_guessing_tokens_is_throttled_per_address_and_valid_tokens_still_work(settings, api):
    settings.AUTH_ATTEMPTS_LIMIT = 3
    guesser = APIClient(REMOTE_ADDR="10.1.1.1")
    guesser.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    answers = [guesser.get("/api/v1/me") for _ in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1].json()["error"]["message"] == "Too many attempts. Please try again in 15 minutes."
    assert 0 < int(answers[-1]["Retry-After"]) <= settings.AUTH_ATTEMPTS_WINDOW_SECONDS
    assert api.get("/api/v1/me").status_code == 200  # a real token from another address


def test_throttled_sign_in_says_when_to_retry_in_a_header(settings, anon_api):
    settings.AUTH_ATTEMPTS_LIMIT = 1
    body = {"username": "nobody", "password": "wrong"}
    anon_api.post("/api/v1/auth/login", body, format="json")
    answer = anon_api.post("/api/v1/auth/login", body, format="json")
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 14 * 60


@pytest.mark.parametrize("caches", [None, REDIS_CACHE], ids=["locmem", "redis"])
def test_a_parallel_burst_of_attempts_cannot_exceed_the_limit(settings, caches):
    if caches:
        settings.CACHES = caches
    cache.clear()
    settings.AUTH_ATTEMPTS_LIMIT = 5
    request = RequestFactory().post("/api/v1/auth/login", REMOTE_ADDR="10.2.2.2")

    def attempt(_) -> bool:
        try:
            auth_attempt(action="login", request=request, username="target")
        except TooManyAttempts:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        allowed = sum(pool.map(attempt, range(60)))
    assert allowed == 5


def test_no_api_route_grants_staff(anon_api):
    body = {"username": "mallory", "email": "m@example.com", "password": PASSWORD, "password_confirm": PASSWORD,
            "is_staff": True, "is_superuser": True, "groups": [1], "user_permissions": [1]}
    token = anon_api.post("/api/v1/auth/register", body, format="json").json()["token"]
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for method in ("put", "patch", "post"):
        assert getattr(anon_api, method)("/api/v1/me", {"is_staff": True}, format="json").status_code == 405
    user = User.objects.get(username="mallory")
    assert not (user.is_staff or user.is_superuser or user.user_permissions.exists() or user.groups.exists())


def test_admin_is_for_staff_only(client):
    client.force_login(UserFactory())
    answer = client.get("/admin/catalog/clothingitem/")
    assert answer.status_code == 302 and answer["Location"].startswith("/admin/login/")
