import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from accounts.models import Photo, User
from tests.factories import PASSWORD, UserFactory, image_bytes

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    body = {"username": "Alice", "email": "alice@example.com", "password": PASSWORD, "password_confirm": PASSWORD}
    return client.post("/api/v1/auth/register", {**body, **overrides}, format="json")


def test_register_creates_the_user_and_returns_a_working_token(anon_api):
    response = register(anon_api)
    assert response.status_code == 201
    assert response.data["user"]["username"] == "Alice"
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {response.data['token']}")
    assert anon_api.get("/api/v1/me").data["username"] == "Alice"


@pytest.mark.parametrize("overrides, field", [
    ({"username": "al"}, "username"),
    ({"username": "a" * 151}, "username"),
    ({"username": "bad name!"}, "username"),
    ({"password_confirm": "something-else-77"}, "password_confirm"),
    ({"email": "not-an-email"}, "email"),
])
def test_register_rejects_invalid_fields(anon_api, overrides, field):
    response = register(anon_api, **overrides)
    assert response.status_code == 400
    assert field in response.data["error"]["fields"]


@pytest.mark.parametrize("password", ["12345678", "password", "alice-short"[:5]])
def test_register_applies_django_password_validators(anon_api, password):
    response = register(anon_api, password=password, password_confirm=password)
    assert response.status_code == 400
    assert not User.objects.exists()


def test_usernames_are_unique_case_insensitively(anon_api):
    UserFactory(username="alice")
    response = register(anon_api, username="ALICE")
    assert response.status_code == 400
    assert response.data["error"]["message"] == "username: That username is already taken."


def test_login_returns_a_token_and_ignores_username_case(anon_api):
    user = UserFactory(username="Bob")
    response = anon_api.post("/api/v1/auth/login", {"username": "bob", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.data["token"] == Token.objects.get(user=user).key


def test_login_with_a_wrong_password_is_a_400_without_detail_about_which_part(anon_api):
    UserFactory(username="bob")
    response = anon_api.post("/api/v1/auth/login", {"username": "bob", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.data["error"]["message"] == "Invalid username or password."


def test_logout_revokes_the_token(api):
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def test_a_token_names_its_own_shopper(api, other_api, shopper):
    assert api.get("/api/v1/me").data["username"] == shopper.username
    assert other_api.get("/api/v1/me").data["username"] != shopper.username


def test_an_unknown_token_is_a_401(anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = anon_api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.data["error"]["message"] == "Invalid token."


def test_a_deactivated_shoppers_token_is_a_401(api, shopper):
    User.objects.filter(pk=shopper.pk).update(is_active=False)
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.data["error"]["message"] == "User inactive or deleted."


def test_me_needs_authentication(anon_api):
    response = anon_api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.data["error"]["code"] == "not_authenticated"


def _photo(data=None, name="me.jpg"):
    return SimpleUploadedFile(name, data if data is not None else image_bytes(), content_type="image/jpeg")


def test_first_uploaded_photo_becomes_primary_and_is_listed(api, shopper, without_tryon):
    # Without try-on nothing says the plain test images are unusable (tests/test_unusable_photos.py).
    first = api.post("/api/v1/photos", {"image": _photo()}, format="multipart")
    second = api.post("/api/v1/photos", {"image": _photo(image_bytes(fmt="PNG"), "b.png")}, format="multipart")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.data["is_primary"] and not second.data["is_primary"]
    listed = api.get("/api/v1/photos").data["results"]
    assert [p["id"] for p in listed] == [second.data["id"], first.data["id"]]


def test_photos_are_stored_without_an_analysis_when_tryon_does_not_listen(api, client, shopper, without_tryon):
    created = api.post("/api/v1/photos", {"image": _photo()}, format="multipart")
    assert created.status_code == 201 and created.data["tryon_problems"] == {}
    client.force_login(shopper)
    page = client.post("/accounts/photos/upload/", {"image": _photo()}, follow=True)
    assert b"Photo uploaded." in page.content and b"For try-on" not in page.content
    assert Photo.objects.filter(owner=shopper, analysis__isnull=True).count() == 2
    assert [p["tryon_problems"] for p in api.get("/api/v1/photos").data["results"]] == [{}, {}]


def test_photo_can_be_made_primary(api, shopper, without_tryon):
    api.post("/api/v1/photos", {"image": _photo()}, format="multipart")
    second = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data
    assert api.post(f"/api/v1/photos/{second['id']}/primary").data["is_primary"]
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == second["id"]


@pytest.mark.parametrize("data", [b"", b"<html></html>", image_bytes()[:300], image_bytes(fmt="GIF")])
def test_bad_photo_upload_is_400_and_writes_nothing(api, settings, data):
    response = api.post("/api/v1/photos", {"image": _photo(data)}, format="multipart")
    assert response.status_code == 400
    assert response.data["error"]["message"]
    assert not Photo.objects.exists()
    assert not list((settings.MEDIA_ROOT).rglob("*.*"))


def test_photo_upload_without_a_file_is_400(api):
    response = api.post("/api/v1/photos", {}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.data["error"]["fields"]


def test_photo_file_is_served_to_its_owner_only(api, other_api, anon_api):
    photo = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data
    owner_view = api.get(f"/api/v1/photos/{photo['id']}/file")
    assert owner_view.status_code == 200 and owner_view["Content-Type"] == "image/jpeg"
    assert other_api.get(f"/api/v1/photos/{photo['id']}/file").status_code == 404
    assert anon_api.get(f"/api/v1/photos/{photo['id']}/file").status_code == 401


def test_another_shoppers_photo_is_404_for_every_operation(api, other_api):
    photo_id = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data["id"]
    assert other_api.get(f"/api/v1/photos/{photo_id}").status_code == 404
    assert other_api.delete(f"/api/v1/photos/{photo_id}").status_code == 404
    assert other_api.post(f"/api/v1/photos/{photo_id}/primary").status_code == 404
    assert Photo.objects.filter(pk=photo_id).exists()


def test_deleting_the_primary_photo_removes_the_file_and_promotes_the_newest(
        api, shopper, django_capture_on_commit_callbacks, without_tryon):
    first = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data
    second = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data
    path = Photo.objects.get(pk=first["id"]).image.path
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/photos/{first['id']}").status_code == 204
    shopper.refresh_from_db()
    assert shopper.primary_photo_id == second["id"]

    assert not os.path.exists(path)


def test_user_media_is_not_served_as_public_files(api, client):
    photo_id = api.post("/api/v1/photos", {"image": _photo()}, format="multipart").data["id"]
    name = Photo.objects.get(pk=photo_id).image.name
    assert name.startswith("private/photos/")
    assert client.get(f"/media/{name}").status_code == 404


def test_login_is_throttled_per_username_with_a_clear_wait(anon_api, settings):
    settings.AUTH_ATTEMPTS_USERNAME_LIMIT = 3  # the ceiling over all addresses
    UserFactory(username="target")
    body = {"username": "Target", "password": "wrong"}
    answers = [anon_api.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR=f"10.0.0.{n}")
               for n in range(4)]  # a new address each time: the username ceiling still applies
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert answers[-1].data["error"]["message"] == "Too many attempts. Please try again in 15 minutes."
    ok = anon_api.post("/api/v1/auth/login", {"username": "other", "password": PASSWORD}, format="json",
                       REMOTE_ADDR="10.0.0.99")
    assert ok.status_code == 400  # other usernames from other addresses are unaffected (wrong user: 400)


def test_registration_is_throttled_per_address(anon_api, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 2
    codes = [register(anon_api, username=f"newbie{n}").status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert User.objects.count() == 2


def test_login_page_is_throttled_too(client, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 1
    UserFactory(username="pat")
    client.post("/accounts/login/", {"username": "pat", "password": "wrong"})
    page = client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    assert b"Too many attempts. Please try again in 15 minutes." in page.content
    assert "_auth_user_id" not in client.session
