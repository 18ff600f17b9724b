"""The search index deleted or damaged on disk: search answers 503, nothing else breaks, a rebuild
restores it, and an item change on a damaged index does not drop the other items."""

import shutil

import numpy as np
import pytest
from django.conf import settings
from django.core.management import call_command

from search import store
from search.encoders import get_encoder
from search.encoders.base import SPACES
from search.store import forget_loaded_indexes, loaded_index
from tests.factories import garment

pytestmark = pytest.mark.django_db
QUERY = {"q": "a red dress for the summer"}


def _delete() -> None:
    shutil.rmtree(settings.SEARCH_INDEX_DIR)


def _truncate() -> None:
    for path in sorted(settings.SEARCH_INDEX_DIR.glob("*.faiss")):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _overwrite_with_garbage() -> None:
    for path in sorted(settings.SEARCH_INDEX_DIR.glob("*.npz")):
        path.write_bytes(bytes(range(256)) * (path.stat().st_size // 256 + 1))


def _corrupt_meta() -> None:
    for space in SPACES:
        (settings.SEARCH_INDEX_DIR / f"{space}.json").write_text('{"format": 1, "encoder": ')


def _ids(response) -> list[int]:
    return [hit["item"]["id"] for hit in response.data["results"]]


@pytest.mark.parametrize("damage", [_delete, _truncate, _overwrite_with_garbage, _corrupt_meta])
def test_a_damaged_index_makes_search_503_until_a_rebuild_and_nothing_else_breaks(
        damage, indexed, client, anon_api, api, shopper):
    damage()
    response = anon_api.get("/api/v1/search", QUERY)
    assert response.status_code == 503
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (503, "search_unavailable")
    assert "search index is missing, damaged" in error["message"] and "build_search_index" in error["message"]
    page = client.get("/search/", QUERY)
    assert page.status_code == 503 and b"search index is missing, damaged" in page.content

    dress = indexed["dress"]
    client.force_login(shopper)
    for url in (f"/catalog/{dress.pk}/", "/", "/catalog/", "/closet/"):  # the visit feeds "for you"
        assert client.get(url).status_code == 200, url
    for url in ("/api/v1/clothes", f"/api/v1/clothes/{dress.pk}", "/api/v1/closet",
                "/api/v1/recommendations/for-you"):
        assert api.get(url).status_code == 200, url
    skirt, jeans = indexed["skirt"], indexed["jeans"]
    similar = api.get(f"/api/v1/recommendations/similar/{skirt.pk}")
    assert (similar.status_code, similar.data["results"]) == (200, [])  # no index, no neighbours

    call_command("build_search_index", verbosity=0)
    restored = anon_api.get("/api/v1/search", QUERY)
    assert restored.status_code == 200 and _ids(restored)[0] == dress.pk
    assert _ids(api.get(f"/api/v1/recommendations/similar/{skirt.pk}")) == [jeans.pk]


def test_an_item_added_while_the_index_is_corrupt_rebuilds_it_with_every_item(
        settings, indexed, django_capture_on_commit_callbacks):
    _overwrite_with_garbage()
    settings.SEARCH_ENRICH_ON_SAVE = True
    with django_capture_on_commit_callbacks(execute=True):  # enrichment puts the new item in the index
        coat = garment(slug="tops", title="Navy Wool Coat", color=(30, 40, 90), attributes={"type": "coat"})
    encoder = get_encoder()
    for space in SPACES:
        index = loaded_index(encoder=encoder, space=space)
        everything = {item_id for item_id, _ in index.search(np.ones(index.dim), k=100)}
        assert everything == {coat.pk, *(item.pk for item in indexed.values())}, space


def test_a_process_that_loaded_the_index_keeps_serving_it_when_the_files_vanish(monkeypatch, indexed, anon_api):
    monkeypatch.setattr(store, "RELOAD_CHECK_SECONDS", 0)  # look at the files on every request
    before = _ids(anon_api.get("/api/v1/search", QUERY))
    _delete()
    served = anon_api.get("/api/v1/search", QUERY)
    assert served.status_code == 200 and _ids(served) == before
    forget_loaded_indexes()  # a process started after the deletion has no copy to fall back on
    assert anon_api.get("/api/v1/search", QUERY).status_code == 503

    call_command("build_search_index", verbosity=0)
    assert _ids(anon_api.get("/api/v1/search", QUERY)) == before
