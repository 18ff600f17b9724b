"""Issue 14, sign-in and accounts: every way in is throttled alike (admin, pages, API, password reset),
nobody can lock an owner out, tokens die with the password, look-alike usernames are refused, throttles
see the client behind a trusted proxy, and `check --deploy` refuses a per-process throttle cache."""

import importlib
import os
import re
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import mail
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


def _login_api(username, password, address):
    return APIClient().post("/api/v1/auth/login", {"username": username, "password": password},
                            format="json", REMOTE_ADDR=address)


def _assert_throttled_page(page):
    assert page.status_code == 429
    assert 0 < int(page["Retry-After"]) <= django_settings.AUTH_ATTEMPTS_WINDOW_SECONDS
    assert b"Too many attempts. Please try again in 15 minutes." in page.content


# --- 1: the admin's sign-in is throttled like every other -----------------------------------------

def test_admin_login_stops_a_guesser_before_the_right_password(client, settings):
    UserFactory(username="curator", is_staff=True, is_superuser=True)
    for n in range(settings.AUTH_ATTEMPTS_LIMIT):
        client.post("/admin/login/", {"username": "curator", "password": f"guess-{n}"})
    page = client.post("/admin/login/", {"username": "curator", "password": PASSWORD})
    _assert_throttled_page(page)
    assert "_auth_user_id" not in client.session


def test_sign_in_page_answers_429_with_retry_after_and_the_form(client, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 1
    UserFactory(username="pat")
    client.post("/accounts/login/", {"username": "pat", "password": "wrong"})
    page = client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    _assert_throttled_page(page)
    assert b'name="password"' in page.content  # the form again, its message on top


# --- 2: a new password revokes API tokens ---------------------------------------------------------

def _reset_link_from_mail() -> str:
    return re.search(r"/accounts/reset/\S+/", mail.outbox[-1].body).group(0)


def test_a_password_reset_revokes_the_api_token(client):
    user = UserFactory(email="owner@example.com")
    token = Token.objects.create(user=user)
    client.post("/accounts/password-reset/", {"email": "owner@example.com"})
    form_url = client.get(_reset_link_from_mail(), follow=True).redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me").status_code == 401


def test_an_administrator_setting_a_password_revokes_the_api_token(client):
    user = UserFactory()
    Token.objects.create(user=user)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    answer = client.post(f"/admin/accounts/user/{user.pk}/password/",
                         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert answer.status_code == 302
    assert not Token.objects.filter(user=user).exists()


def test_any_new_password_revokes_tokens_but_signing_in_does_not():
    user = UserFactory()
    token = Token.objects.create(user=user)
    assert _login_api(user.username, PASSWORD, "10.3.0.1").json()["token"] == token.key
    user.set_password(NEW_PASSWORD)
    user.save()
    assert not Token.objects.filter(user=user).exists()


def test_the_api_docs_say_a_new_password_revokes_tokens(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/auth/login", "/api/v1/auth/register"):
        assert "the password changes" in schema["paths"][path]["post"]["description"]


# --- 3: password reset mail is throttled per address and per e-mail -------------------------------

def test_password_reset_floods_send_a_few_mails_then_429(client, settings):
    settings.PASSWORD_RESET_EMAILS_LIMIT = 3
    UserFactory(email="victim@example.com")
    answers = [client.post("/accounts/password-reset/", {"email": "victim@example.com"}) for _ in range(20)]
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAILS_LIMIT
    assert [a.status_code for a in answers].count(302) == settings.PASSWORD_RESET_EMAILS_LIMIT
    assert answers[-1].status_code == 429 and int(answers[-1]["Retry-After"]) > 0


def test_password_reset_mails_to_one_address_are_capped_from_many_addresses(client, settings):
    settings.PASSWORD_RESET_EMAILS_LIMIT = 3
    UserFactory(email="victim@example.com")
    for n in range(10):
        client.post("/accounts/password-reset/", {"email": "VICTIM@example.com"}, REMOTE_ADDR=f"10.4.0.{n}")
    assert len(mail.outbox) == settings.PASSWORD_RESET_EMAILS_LIMIT


def test_password_reset_is_throttled_per_address_across_e_mails(client, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 2
    codes = [client.post("/accounts/password-reset/", {"email": f"x{n}@example.com"}).status_code
             for n in range(3)]
    assert codes == [302, 302, 429]


# --- 4: a per-process throttle cache fails the deploy checks ----------------------------------------

def _deploy_check(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "CACHE_URL")}
    environment.update(DEBUG="False", SECRET_KEY="k" * 30 + "-production-like-secret-" + "z" * 30,
                       ALLOWED_HOSTS="ovdr.example.com", **env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=django_settings.BASE_DIR,
                          capture_output=True, text=True, timeout=120, env=environment)


@pytest.mark.parametrize("cache_url", [None, "dummycache://", "filecache:///tmp/ovdr-cache"])
def test_deploy_check_fails_on_a_throttle_cache_each_process_keeps_apart(cache_url):
    result = _deploy_check(**({"CACHE_URL": cache_url} if cache_url else {}))
    assert result.returncode != 0
    assert "accounts.E001" in result.stderr and "CACHE_URL=redis://" in result.stderr


# --- 8: the sign-up page's "taken" answers are throttled like the API's -----------------------------

def test_sign_up_page_stops_answering_whether_names_are_taken(client, settings):
    settings.AUTH_ATTEMPTS_LIMIT = 3
    UserFactory(username="celebrity")
    body = {"username": "celebrity", "password": PASSWORD, "password_confirm": PASSWORD}
    answers = [client.post("/accounts/register/", body) for _ in range(4)]
    assert b"That username is already taken." in answers[0].content
    _assert_throttled_page(answers[-1])
    assert b"already taken" not in answers[-1].content


# --- 9: a stranger cannot lock the owner out --------------------------------------------------------

def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(settings):
    UserFactory(username="owner")
    for _ in range(3 * settings.AUTH_ATTEMPTS_LIMIT):
        _login_api("owner", "wrong", "203.0.113.9")
    assert _login_api("owner", "wrong", "203.0.113.9").status_code == 429  # the guesser is stopped
    assert _login_api("owner", PASSWORD, "198.51.100.7").status_code == 200  # the owner is not


def test_a_guesser_spraying_usernames_from_one_address_is_stopped(settings):
    answers = [_login_api(f"name{n}", "wrong", "203.0.113.10") for n in range(settings.AUTH_ATTEMPTS_LIMIT + 1)]
    assert answers[-1].status_code == 429 and int(answers[-1]["Retry-After"]) > 0


# --- 10: look-alike usernames -----------------------------------------------------------------------

def _register(username):
    return APIClient().post("/api/v1/auth/register", {"username": username, "password": PASSWORD,
                                                      "password_confirm": PASSWORD}, format="json")


@pytest.mark.parametrize("first, second, message", [
    ("admin", "\u0430dmin", "That username looks too much like an existing one. Please choose another."),
    ("bill", "bi11", "That username looks too much like an existing one. Please choose another."),
    ("\u00c9MILE", "\u00e9mile", "That username is already taken."),
    ("demo", "\uff24\uff25\uff2d\uff2f", "That username is already taken."),
])
def test_look_alike_usernames_are_refused_with_a_friendly_message(first, second, message):
    assert _register(first).status_code == 201
    answer = _register(second)
    assert answer.status_code == 400
    assert answer.json()["error"] == {"status": 400, "code": "invalid", "message": f"username: {message}",
                                      "fields": {"username": [message]}}
    assert User.objects.count() == 1


def test_look_alikes_are_refused_by_the_database_too():
    UserFactory(username="admin")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        UserFactory(username="\u0430dmin")


def test_the_admin_refuses_a_look_alike_with_the_same_message(client):
    UserFactory(username="admin")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.post("/admin/accounts/user/add/", {"username": "\u0430dmin", "usable_password": "true",
                                                     "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert page.status_code == 200 and b"looks too much like an existing one" in page.content
    assert not User.objects.filter(username="\u0430dmin").exists()


def test_sign_in_ignores_case_and_width_on_every_backend():
    UserFactory(username="\u00e9mile")
    assert _login_api("\u00c9MILE", PASSWORD, "10.5.0.1").status_code == 200
    UserFactory(username="demo")
    assert _login_api("\uff24\uff25\uff2d\uff2f", PASSWORD, "10.5.0.2").status_code == 200


def test_look_alikes_registered_before_the_rule_keep_signing_in():
    migration = importlib.import_module("accounts.migrations.0004_username_skeleton")
    older, younger = UserFactory(username="bill"), UserFactory(username="other")
    User.objects.filter(pk=older.pk).update(username_skeleton=None)
    User.objects.filter(pk=younger.pk).update(username="bi11", username_skeleton=None)
    migration.fill_skeletons(apps, None)
    assert User.objects.get(pk=older.pk).username_skeleton is not None
    assert User.objects.get(pk=younger.pk).username_skeleton is None
    assert _login_api("bill", PASSWORD, "10.6.0.1").json()["user"]["id"] == older.pk
    assert _login_api("BI11", PASSWORD, "10.6.0.2").json()["user"]["id"] == younger.pk
    assert _register("bi1l").status_code == 400


# --- 15: behind a trusted proxy the throttle sees the client ----------------------------------------

def _login_via_proxy(username, password, *, peer, forwarded_for):
    return APIClient().post("/api/v1/auth/login", {"username": username, "password": password}, format="json",
                            REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_throttles_count_the_client_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.8.0.0/16"]
    settings.AUTH_ATTEMPTS_LIMIT = 3
    for n in range(3):  # a guesser behind the proxy, trying names; a spoofed hop in front changes nothing
        _login_via_proxy(f"name{n}", "wrong", peer="10.8.0.2", forwarded_for=f"6.6.6.{n}, 203.0.113.5, 10.8.0.1")
    assert _login_via_proxy("name9", "wrong", peer="10.8.0.2",
                            forwarded_for="203.0.113.5, 10.8.0.1").status_code == 429
    UserFactory(username="owner")  # another client through the same proxy is not throttled
    assert _login_via_proxy("owner", PASSWORD, peer="10.8.0.2", forwarded_for="198.51.100.7").status_code == 200


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.8.0.0/16"]
    settings.AUTH_ATTEMPTS_LIMIT = 3
    codes = [_login_via_proxy(f"name{n}", "wrong", peer="203.0.113.77", forwarded_for=f"6.6.6.{n}").status_code
             for n in range(4)]
    assert codes == [400, 400, 400, 429]
