"""No input makes a 500 (issue 14, row 11): the cases the red team found, then every page walked with
hostile path ids, query strings and form fields (the API has its schema-driven fuzz, test_api_fuzz.py)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.parsers import MAX_DEPTH, json_depth
from tests.factories import ClothingItemFactory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"
HOSTILE = ["abc", "-1", "0", HUGE, "9223372036854775808", "1e309", "NaN", "", "\x00", "%", "[]", "{'a': 1}",
           "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "é" * 500, "1" * 5000]
QUERY_NAMES = ["item", "page", "category", "q", "job", "next", "limit", "page_size"]
FORM_NAMES = ["username", "password", "password1", "password2", "email", "image", "photo", "category", "top",
              "bottom", "dress", "next", "q", "new_password1", "new_password2"]
SKIPPED = ("admin/", "api/", "^media/")  # the admin is Django's; the API has its own fuzz
PARAMETER = re.compile(r"<(?:\w+:)?\w+>")


def _routes(patterns=None, prefix="") -> list[str]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED):
            continue
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            routes.append(route)
    return routes


def _paths() -> list[str]:
    """Every page, with each hostile value in its parameters (the ones the URL accepts, and some it does not)."""
    paths = []
    for route in _routes():
        values = ["1", HUGE, "9223372036854775808", "0", "abc", "%2e%2e"] if PARAMETER.search(route) else [""]
        paths += sorted({"/" + PARAMETER.sub(value, route) for value in values})
    return paths


@pytest.fixture
def signed_in(client, shopper, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 1_000_000  # hostile sign-ins would otherwise be 429s after ten
    ClothingItemFactory()
    client.force_login(shopper)
    client.raise_request_exception = False
    return client


def test_the_red_teams_500s_are_4xx_or_a_page(signed_in, api):
    api.raise_request_exception = False
    assert signed_in.get("/outfits/studio/?item=abc").status_code == 200
    assert signed_in.post(f"/closet/remove/{HUGE}/").status_code == 404
    assert api.delete(f"/api/v1/closet/{HUGE}").status_code == 404
    for body in ('{"clothing_id": %s}' % HUGE, '{"photo_id": %s}' % HUGE):
        for path in ("/api/v1/closet", "/api/v1/tryon"):
            assert api.generic("POST", path, body, content_type="application/json").status_code in (400, 404)


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/closet", "/api/v1/combinations"])
def test_deeply_nested_json_is_a_400_in_the_error_format(api, path):
    deep = "[" * 100_000 + "]" * 100_000
    response = api.generic("POST", path, deep, content_type="application/json")
    assert response.status_code == 400 and "nested deeper" in response.json()["error"]["message"]
    fine = api.generic("POST", path, "[" * MAX_DEPTH + "]" * MAX_DEPTH, content_type="application/json")
    assert fine.status_code == 400 and "nested deeper" not in fine.json()["error"]["message"]


def test_a_shallow_body_with_more_openers_than_the_depth_limit_is_read(api, tops):
    """Only a body with more openers than MAX_DEPTH is scanned for its depth; it is refused only when deep."""
    wide = {"clothing_id": tops[0].pk, "notes": [[n] for n in range(MAX_DEPTH + 5)]}
    assert api.post("/api/v1/closet", wide, format="json").status_code == 201


def test_the_depth_count_ignores_brackets_inside_strings():
    assert json_depth(b'{"a": "[[[[[[[[", "b": [1, {"c": "\\"]]]"}]}') == 3
    assert json_depth(b"") == 0


def test_no_page_answers_500_to_any_hostile_path_query_or_form(signed_in, shopper):
    paths = _paths()
    assert "/outfits/studio/" in paths and f"/closet/remove/{HUGE}/" in paths
    failures = []
    for path in paths:
        for value in HOSTILE:
            signed_in.force_login(shopper)  # the walk posts to the sign-out page too
            answers = [signed_in.get(path, {name: value for name in QUERY_NAMES}),
                       signed_in.post(path, {name: value for name in FORM_NAMES})]
            failures += [(path, method, value[:20]) for method, answer in zip(("GET", "POST"), answers)
                         if answer.status_code >= 500]
    assert sorted({(p, m) for p, m, _ in failures}) == [], failures[:40]
