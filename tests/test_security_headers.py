"""Error reports mask credentials, every page carries a Content-Security-Policy that it passes, and try-ons
are shared only to public addresses (issue 14, row 15). The browser tests log any CSP violation."""

import re
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from jobs.models import Job
from tests.factories import ClothingItemFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db
PASSWORD_IN_URL = "hunter2-s3cret"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)  # a script element with a body
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle=", re.I)


def test_the_debug_500_page_masks_database_redis_cache_email_and_storage_credentials(settings):
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"redis://:{PASSWORD_IN_URL}@cache:6379/1"}}
    settings.Q_CLUSTER = {"name": "ovdr", "redis": f"redis://:{PASSWORD_IN_URL}@broker:6379/0"}
    settings.EMAIL_HOST_PASSWORD = PASSWORD_IN_URL
    settings.STORAGES = {**settings.STORAGES, "backups": {"BACKEND": "x.S3Storage", "OPTIONS": {
        "access_key": "AKIA-EXAMPLE", "secret_key": PASSWORD_IN_URL, "endpoint_url": f"https://u:{PASSWORD_IN_URL}@s3"}}}
    environment = {name: f"mysql://ovdr:{PASSWORD_IN_URL}@db:3306/ovdr"
                   for name in ("DATABASE_URL", "REDIS_URL", "CACHE_URL", "BROKER_URL")}
    request = RequestFactory().get("/boom", **environment, EMAIL_HOST_PASSWORD=PASSWORD_IN_URL)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert "DATABASE_URL" in html and "boom" in html
    assert PASSWORD_IN_URL not in html


def _pages(client) -> list[str]:
    item = ClothingItemFactory()
    shopper = UserFactory(password=None)
    client.force_login(shopper)
    upload = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    client.post("/accounts/photos/upload/", {"image": upload})
    job = Job.objects.create(owner=shopper, kind=Job.Kind.IMAGE_SEARCH)
    return ["/", "/catalog/", f"/catalog/{item.pk}/", "/closet/", "/closet/history/", "/accounts/",
            "/accounts/photos/upload/", f"/search/similar/?job={job.pk}", "/search/", "/outfits/",
            f"/outfits/studio/?item={item.pk}", "/api/docs/"]


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(client):
    for path in _pages(client):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src" not in policy, path  # scripts: self only
        assert "unsafe-inline" not in policy or path == "/api/docs/", path  # Swagger UI's inline styles
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html) and not STYLE_ATTRIBUTE.search(html), path


def test_the_catalog_admin_shows_no_style_attributes(client):
    item = ClothingItemFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, password=None))
    for path, image in (("/admin/catalog/clothingitem/", "ovdr-thumbnail"),
                        (f"/admin/catalog/clothingitem/{item.pk}/change/", "ovdr-preview")):
        html = client.get(path).content.decode()
        assert image in html and not re.search(r"<(img|svg)[^>]+style=", html), path


@pytest.mark.parametrize("address", ["x@localhost", "x@[127.0.0.1]", "x@127.0.0.1", "x@[IPv6:::1]",
                                     "x@intranet", "x@printer.local", "x@host.internal", "x@mail.test",
                                     "x@10.0.0.8"])
def test_a_try_on_is_not_shared_to_a_local_or_ip_address(api, shopper, address):
    from tests.tryon.test_tryon_api import _finished_job

    job = _finished_job(shopper)
    response = api.post(f"/api/v1/tryon/{job.pk}/share", {"email": address}, format="json")
    assert response.status_code == 400, address
    assert api.post(f"/api/v1/tryon/{job.pk}/share", {"email": "friend@mail.example.org"},
                    format="json").status_code == 201
