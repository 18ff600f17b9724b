"""Every file of the hostile corpus, posted to every upload route: a 400 that says why, and no trace left.

Good files (JPEG, PNG, WEBP, a camera JPEG with EXIF, a phone's multi-frame JPEG) still pass on each route.
"""

import re
from typing import NamedTuple

import pytest
from django.utils.html import escape

from accounts.models import Photo
from catalog.models import ClothingItem
from jobs.models import Job
from tests import hostile_files
from tests.factories import UserFactory, category

pytestmark = pytest.mark.django_db


class Route(NamedTuple):
    client: str  # the fixture of a client allowed to use it
    path: str
    accepted: int  # the status of an accepted upload
    creates: type  # the model an accepted upload adds a row to


ROUTES = {
    "api-photos": Route("api", "/api/v1/photos", 201, Photo),
    "api-image-search": Route("api", "/api/v1/search/image", 202, Job),
    "page-photo-upload": Route("shopper_client", "/accounts/photos/upload/", 302, Photo),
    "page-find-similar": Route("shopper_client", "/search/similar/", 302, Job),
    "admin-item-add": Route("curator_client", "/admin/catalog/clothingitem/add/", 302, ClothingItem),
}
FORM_ERRORS = re.compile(r'<p class="error" role="alert">(.*?)</p>|<ul class="errorlist[^>]*><li>(.*?)</li>', re.S)


@pytest.fixture
def shopper(db):
    """Signed in by token or force_login, so no password: hashing one costs a third of a second."""
    return UserFactory(password=None)


@pytest.fixture
def shopper_client(client, shopper):
    client.force_login(shopper)
    return client


@pytest.fixture
def curator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, password=None))
    return client


@pytest.fixture(autouse=True)
def upload_temp_dir(settings, tmp_path):
    """Django spools uploads over 2 MB to a temporary file: it must be gone after the request too."""
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "uploads"
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.FILE_UPLOAD_TEMP_DIR


def _post(request, route: str, upload):
    fields = {"image": upload}
    if route == "admin-item-add":  # what else the add form requires
        fields |= {"category": category("tops").pk, "is_active": "on", "tags": "", "sizes": ""}
    return request.getfixturevalue(ROUTES[route].client).post(ROUTES[route].path, fields)


def _traces(settings) -> tuple:
    """Rows and files an upload could leave behind."""
    files = sorted(str(path) for root in (settings.MEDIA_ROOT, settings.FILE_UPLOAD_TEMP_DIR)
                   for path in root.rglob("*") if path.is_file())
    return Photo.objects.count(), Job.objects.count(), ClothingItem.objects.count(), files


def _refusal(route: str, response) -> str:
    """The error the route shows: the API's error body, or the form errors of a page (ours or the admin's)."""
    if route.startswith("api-"):
        error = response.json()["error"]
        assert error["status"] == 400 and error["code"]
        return error["message"]
    return " ".join("".join(groups) for groups in FORM_ERRORS.findall(response.content.decode()))


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name", hostile_files.HOSTILE)
def test_hostile_file_is_refused_with_400_and_leaves_nothing(request, settings, name, route):
    hostile = hostile_files.HOSTILE[name]()
    before = _traces(settings)
    response = _post(request, route, hostile.upload())
    assert response.status_code == 400
    assert escape(hostile.message) in _refusal(route, response)
    assert _traces(settings) == before


@pytest.mark.parametrize("route", ROUTES)
def test_good_files_are_accepted(request, settings, route):
    settings.JOBS_ACTIVE_PER_KIND = len(hostile_files.GOOD)  # queued jobs stay queued: no commit runs them here
    for name, build in hostile_files.GOOD.items():
        response = _post(request, route, build().upload())
        assert response.status_code == ROUTES[route].accepted, (name, response.content[:300])
    assert ROUTES[route].creates.objects.count() == len(hostile_files.GOOD)


@pytest.mark.parametrize("route", ["api-photos", "api-image-search"])
def test_form_fields_over_the_memory_limit_answer_400_in_the_error_format(request, settings, route):
    """Uploaded files stream to disk whatever their size (and the 10 MB rule refuses them); text fields are
    held in memory, so Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE of them before any view runs."""
    response = _post(request, route, "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
