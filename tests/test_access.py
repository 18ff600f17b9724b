"""Cross-shopper access control, checked on every route the project serves.

The test walks the URLconf and the generated OpenAPI schema instead of listing endpoints by
hand, so a new route is exercised (or must be allow-listed here with a reason) the day it lands.
An anonymous visitor and a second shopper send every method to every route, with URL ids and
bodies pointing at a first shopper's photos, jobs, job files, closet, history, outfits and
shares; none of that may be read, written or deleted, nothing may answer 500, and afterwards the
first shopper's rows and files must be byte-for-byte what they were.
"""

import hashlib
import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
API_PREFIX = "api/v1/"
SKIPPED_PREFIXES = {
    "admin/": "Django admin: staff-only, guarded by Django itself, not by this project's code",
    "api/schema/": "the OpenAPI document describes endpoints, it holds no shopper data",
    "api/docs/": "Swagger UI static page, no shopper data",
}
# Routes that show no shopper's private data to anyone: only "never 500" is asserted.
PUBLIC = {
    "": "home page, catalog teasers only",
    "healthz": "liveness probe",
    "readyz": "readiness probe: which backing services answer, and the search index versions",
    "favicon.ico": "redirects to the site icon",
    "catalog/": "catalog browsing",
    "catalog/{pk}/": "a catalog item page",
    "media/catalog/{path}": "catalog images are public by design",
    "search/": "text search page over the public catalog",
    "accounts/register/": "sign-up form",
    "accounts/login/": "sign-in form",
    "accounts/logout/": "ends the caller's own session only",
    "accounts/password-reset/": "mails a reset link to the account's own address",
    "accounts/password-reset/sent/": "static confirmation",
    "accounts/reset/{uidb64}/{token}/": "refuses a wrong token; the snapshot proves the password is unchanged",
    "accounts/reset/done/": "static confirmation",
    API_PREFIX + "auth/register": "creates a new account, touches nobody else's",
    API_PREFIX + "auth/login": "answers 400 for a wrong password",
    API_PREFIX + "auth/logout": "revokes the caller's own token only",
    API_PREFIX + "categories": "catalog categories",
    API_PREFIX + "clothes": "catalog list",
    API_PREFIX + "clothes/{pk}": "catalog item",
    API_PREFIX + "search": "text search over the public catalog",
    API_PREFIX + "recommendations/similar/{pk}": "items like a catalog item",
    API_PREFIX + "recommendations/trending": "site-wide popularity",
    API_PREFIX + "recommendations/complete/{pk}": "catalog items that go with a catalog item",
    API_PREFIX + "tryon/samples": "the sample model photos, the same static files for everyone",
}
# Routes scoped to the caller's own data: a signed-in second shopper may get 2xx (their own,
# empty, lists; adding a public catalog item to their own closet) but never the first
# shopper's data. Writes listed here may succeed; every other write must be refused (pages
# answer 405 to methods they do not take).
OWN = {
    "accounts/": "GET", "accounts/photos/upload/": "GET POST", "closet/": "GET", "closet/history/": "GET",
    "closet/add/{pk}/": "POST", "closet/remove/{pk}/": "POST", "outfits/": "GET POST", "outfits/studio/": "GET",
    "search/similar/": "GET POST", API_PREFIX + "me": "GET", API_PREFIX + "photos": "GET",
    API_PREFIX + "closet": "GET POST", API_PREFIX + "closet/{clothing_id}": "DELETE",
    API_PREFIX + "history": "GET", API_PREFIX + "combinations": "GET", API_PREFIX + "jobs": "GET",
    API_PREFIX + "recommendations/for-you": "GET",
}
REFUSED = {401, 403, 404, 405}


def _route_templates(patterns, prefix: str = "") -> list[str]:
    """Every route as a template like "api/v1/photos/{pk}", recursing into includes."""
    templates = []
    for entry in patterns:
        text = prefix + _template(str(entry.pattern))
        if isinstance(entry, URLResolver):
            templates += _route_templates(entry.url_patterns, text)
        elif isinstance(entry, URLPattern):
            templates.append(text)
    return templates


def _template(pattern: str) -> str:
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern.lstrip("^").rstrip("$").replace("\\", ""))
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def _schema_operations() -> dict[str, set[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # drf-spectacular names a "pk" path parameter "id"; the URLconf keeps "pk".
    return {path.lstrip("/").replace("{id}", "{pk}"): {m.upper() for m in ops if m.upper() in METHODS}
            for path, ops in schema["paths"].items()}


def _paths(template: str, victim: dict) -> list[str]:
    """Concrete URLs for a template, its ids taken from the first shopper's objects."""
    if "{pk}" in template and ("jobs/" in template or "tryon/" in template):
        return ["/" + template.replace("{pk}", str(job.pk)).replace("{name}", name)
                for job, name in victim["jobs"].items()]
    combination = victim["combination"].pk
    ids = {"photos/": victim["photo"].pk, "combinations/": combination, "outfits/": combination}
    pk = next((value for marker, value in ids.items() if marker in template), victim["item"].pk)
    path = template.replace("{pk}", str(pk)).replace("{clothing_id}", str(victim["item"].pk))
    path = path.replace("{path}", victim["item"].image.name.removeprefix("catalog/"))
    uid = urlsafe_base64_encode(force_bytes(victim["user"].pk))
    path = path.replace("{uidb64}", uid).replace("{token}", "bogus-token")
    assert "{" not in path, f"{template}: teach _paths which of the first shopper's objects fills it"
    return ["/" + path]


def _markers(victim: dict) -> list[str]:
    """Strings that appear only in a response that leaks the first shopper's data."""
    photo, combination = victim["photo"], victim["combination"]
    return [victim["user"].email, photo.image.name, combination.result_image.name,
            f"photos/{photo.pk}/file", f"combinations/{combination.pk}/image", "friend@example.com",
            *(str(job.pk) for job in victim["jobs"])]


def _body(victim: dict) -> dict:
    """A write body naming the first shopper's objects wherever an endpoint takes an id."""
    return {"photo_id": victim["photo"].pk, "job_id": str(next(iter(victim["jobs"])).pk),
            "top_id": victim["item"].pk, "clothing_id": victim["item"].pk, "email": "thief@example.com",
            "username": victim["user"].username, "password": "wrong-password-1",
            "new_password1": "Taken-over-42!", "new_password2": "Taken-over-42!"}


def _snapshot(victim: dict) -> dict:
    """The first shopper's rows and the bytes of every file they own."""
    user = victim["user"]
    user.refresh_from_db()
    files = [photo.image.name for photo in user.photos.all()]
    files += [c.result_image.name for c in user.combinations.all()]
    files += [job.files_prefix + f"{name}.jpg" for job, name in victim["jobs"].items()]
    return {
        "user": (user.username, user.email, user.password, user.primary_photo_id, user.is_active),
        "photos": list(user.photos.values_list("pk", "image")),
        "jobs": list(user.jobs.values_list("pk", "status", "params", "result")),
        "closet": list(user.closet_items.values_list("item_id", flat=True)),
        "history": list(user.history.values_list("item_id", "viewed_at")),
        "combinations": list(user.combinations.values_list("pk", "top_id", "bottom_id", "dress_id", "result_image")),
        "shares": list(user.shares.values_list("pk", "job_id", "email")),
        "files": {name: default_storage.exists(name) and hashlib.sha256(default_storage.open(name).read()).hexdigest()
                  for name in files},
    }


def _send(client, method: str, path: str, body: dict, *, api: bool):
    if method == "GET":
        return client.get(path)
    if api:
        response = client.generic(method, path, json.dumps(body), content_type="application/json")
        # Upload endpoints parse only multipart: resend so the ids in the body are really tried.
        if response.status_code != 415:
            return response
        return client.generic(method, path, *client._encode_data(body, "multipart"))
    return client.generic(method, path, urlencode(body), content_type="application/x-www-form-urlencoded")


def _content(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def _problem(template: str, method: str, response, *, anonymous: bool, markers: list[str]) -> str | None:
    """Why this answer breaks access control, or None when it is fine."""
    status = response.status_code
    if status >= 500:
        return "server error"
    if leaked := [marker for marker in markers if marker in _content(response)]:
        return f"leaks {leaked}"
    if template in PUBLIC:
        return None
    own = not anonymous and template in OWN
    if own and (method in OWN[template].split() or status == 400):
        return None  # the second shopper acting on their own data
    if status in REFUSED:
        return None
    if status in (301, 302) and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return None
    return "answered instead of refusing"


def _callers(other_shopper) -> dict:
    """(client factory, anonymous?) per caller; fresh credentials per request, as logout revokes them."""
    def token_api():
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=other_shopper)[0].key}")
        return client

    def session_page():
        client = Client(raise_request_exception=False)
        client.force_login(other_shopper)
        return client

    return {
        "anonymous": (lambda: APIClient(raise_request_exception=False),
                      lambda: Client(raise_request_exception=False), True),
        "second shopper": (token_api, session_page, False),
    }


def _targets() -> list[tuple[str, bool]]:
    """(template, is_api) for every route to exercise: API routes from the schema, pages from the URLconf."""
    pages = [t for t in _route_templates(get_resolver().url_patterns)
             if not t.startswith(API_PREFIX) and not t.startswith(tuple(SKIPPED_PREFIXES))]
    return [(t, True) for t in _schema_operations()] + [(t, False) for t in pages]


def test_every_route_is_exercised_or_allow_listed():
    exercised = {template for template, _ in _targets()}
    unreached = [t for t in _route_templates(get_resolver().url_patterns)
                 if t not in exercised and not t.startswith(tuple(SKIPPED_PREFIXES))]
    assert not unreached, f"routes neither in the OpenAPI schema nor walked as pages: {unreached}"
    stale = set(PUBLIC) | set(OWN)
    assert stale <= exercised, f"allow-listed routes that no longer exist: {stale - exercised}"


def test_schema_documents_an_operation_for_every_api_route():
    operations = _schema_operations()
    assert operations and all(operations.values()), {path: ops for path, ops in operations.items() if not ops}


def test_nobody_else_can_read_change_or_delete_a_shoppers_data(victim, other_shopper):
    before, markers, body = _snapshot(victim), _markers(victim), _body(victim)
    problems = []
    for caller, (api_client, page_client, anonymous) in _callers(other_shopper).items():
        for template, is_api in _targets():
            for path in _paths(template, victim):
                for method in METHODS:
                    response = _send((api_client if is_api else page_client)(), method, path, body, api=is_api)
                    if problem := _problem(template, method, response, anonymous=anonymous, markers=markers):
                        problems.append(f"{caller} {method} {path} -> {response.status_code}: {problem}")
    assert not problems, "\n".join(problems)
    assert _snapshot(victim) == before


def test_no_route_accepts_a_write_from_the_owners_browser_without_a_csrf_token(victim):
    """A page on another site can make a signed-in shopper's browser send any request with their
    session cookie; without the CSRF token every write must be refused before it does anything."""
    before, accepted = _snapshot(victim), []
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.force_login(victim["user"])
    for template, is_api in _targets():
        for path in _paths(template, victim):
            for method in ("POST", "PUT", "PATCH", "DELETE"):
                response = browser.generic(method, path, json.dumps(_body(victim)) if is_api else "",
                                           content_type="application/json")
                if response.status_code != 403:
                    accepted.append(f"{method} {path} -> {response.status_code}")
    assert not accepted, "\n".join(accepted)
    assert _snapshot(victim) == before
