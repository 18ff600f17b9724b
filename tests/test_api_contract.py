"""The API as an integrator meets it: one error format, a valid schema, working docs."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_4xx_uses_the_one_error_format(api, anon_api):
    answers = [
        anon_api.get("/api/v1/me"),                                  # 401
        api.get("/api/v1/photos/999999"),                            # 404 object
        api.get("/api/v1/no-such-endpoint"),                         # 404 URL
        api.put("/api/v1/closet", {}, format="json"),                # 405
        api.post("/api/v1/closet", "{bad json", content_type="application/json"),  # 400 parse
        api.post("/api/v1/closet", "x", content_type="text/plain"),  # 415
    ]
    assert [a.status_code for a in answers] == [401, 404, 404, 405, 400, 415]
    for answer in answers:
        error = answer.json()["error"]
        assert error["status"] == answer.status_code
        assert error["code"] and error["message"]


def test_validation_errors_name_their_fields(anon_api):
    error = anon_api.post("/api/v1/auth/register", {}, format="json").json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) >= {"username", "password", "password_confirm"}


def test_openapi_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/auth/register", "/api/v1/closet/{clothing_id}", "/api/v1/jobs/{id}"):
        assert f"{path}:" in schema


def test_schema_and_interactive_docs_are_served_offline(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content and b"cdn.jsdelivr" not in docs.content


def test_browsable_api_renders_html(client, tops):
    response = client.get("/api/v1/clothes", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and b"<html" in response.content


def test_identity_comes_from_the_token_not_the_body(api, shopper, other_shopper, tops):
    response = api.post("/api/v1/closet", {"clothing_id": tops[0].pk, "user_id": other_shopper.pk},
                        format="json")
    assert response.status_code == 201
    assert shopper.closet_items.count() == 1 and other_shopper.closet_items.count() == 0


def test_error_codes_are_specific_and_fields_are_lists(api, tops):
    for item in tops[:5]:
        assert api.post("/api/v1/closet", {"clothing_id": item.pk}, format="json").status_code == 201
    full = api.post("/api/v1/closet", {"clothing_id": tops[5].pk}, format="json").json()["error"]
    assert full["code"] == "category_full" and full["message"] == "Max 5 tops items allowed. Remove one to add new."
    duplicate = api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").json()["error"]
    assert duplicate["code"] == "duplicate"
    unknown = api.post("/api/v1/closet", {"clothing_id": 999999}, format="json").json()["error"]
    assert unknown["code"] == "does_not_exist" and unknown["fields"] == {"clothing_id": ["No such item in the catalog."]}
    assert api.get("/api/v1/photos/999999").json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/no-such-endpoint").json()["error"]["code"] == "not_found"


def test_json_operations_refuse_form_bodies(api, tops):
    response = api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="multipart")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"


def test_the_share_limit_answers_429_with_retry_after(api, victim, settings):
    settings.TRYON_SHARES_PER_DAY = 1  # the victim already shared one today
    job = next(iter(victim["jobs"]))
    response = api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "friend@example.com"}, format="json")
    assert response.status_code == 429 and response.json()["error"]["code"] == "share_limit"
    assert 0 < int(response["Retry-After"]) <= 24 * 3600
