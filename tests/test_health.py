"""Health checks for the proxy and the operator: /healthz (alive) and /readyz (can serve)."""

import pytest
from django.core.management import call_command

from search.index import VectorIndex

pytestmark = pytest.mark.django_db


def test_readyz_answers_200_with_every_backing_service_and_the_index_versions(client, small_catalog, settings):
    answer = client.get("/readyz").json()
    assert answer == {"ready": True, "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
                      "search_index": {"image": None, "text": None}}  # no index yet: still ready
    call_command("build_search_index", verbosity=0)
    versions = client.get("/readyz").json()["search_index"]
    assert versions == {space: VectorIndex.stored_version(settings.SEARCH_INDEX_DIR, space=space)
                        for space in ("image", "text")} and all(versions.values())


def test_readyz_answers_503_naming_the_service_it_cannot_reach(client, monkeypatch):
    def unreachable(name):
        raise ConnectionError("the bucket is gone")

    monkeypatch.setattr("ovdr.views.default_storage.exists", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "storage": "failed (ConnectionError)"}
    assert client.get("/healthz").status_code == 200  # alive all the same: the proxy only stops sending work
