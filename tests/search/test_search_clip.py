"""The CLIP path end to end, on a tiny randomly initialised CLIP saved by the tests."""

import pytest
from django.core.management import call_command

from search.encoders import reset_encoder_cache
from tests.factories import garment

pytestmark = pytest.mark.django_db


@pytest.fixture
def clip_settings(settings, tiny_clip_dir):
    settings.SEARCH_ENCODER, settings.SEARCH_MODEL_PATH = "clip", str(tiny_clip_dir)
    reset_encoder_cache()
    yield settings
    reset_encoder_cache()


def test_clip_enrichment_records_zero_shot_attributes_with_confidences(
        clip_settings, django_capture_on_commit_callbacks):
    clip_settings.SEARCH_ENRICH_ON_SAVE = True
    with django_capture_on_commit_callbacks(execute=True):
        item = garment(slug="tops", title="Plain top", color=(30, 60, 160), attributes={"pattern": "floral"})
    item.refresh_from_db()
    zero_shot = item.enrichment["zero_shot"]
    assert all(0 <= confidence <= 1 for _, confidence in zero_shot.values())
    assert item.attributes["pattern"] == "floral"  # the curator's value is never overwritten
    assert item.embeddings.filter(encoder="clip:tiny-clip").count() == 2


def test_clip_text_queries_search_garment_images(clip_settings, anon_api, small_catalog):
    call_command("build_search_index", verbosity=0)
    # "red" is a colour filter: the red items pass it, and the (random, tiny) CLIP ranks them by the word
    response = anon_api.get("/api/v1/search", {"q": "red", "limit": 3})
    assert response.status_code == 200
    assert {hit["item"]["id"] for hit in response.data["results"]} == {small_catalog["dress"].pk,
                                                                       small_catalog["skirt"].pk}
    scores = [hit["score"] for hit in response.data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_a_changed_encoder_forces_a_rebuild_instead_of_mixing_models(settings, anon_api, small_catalog,
                                                                        tiny_clip_dir):
    call_command("build_search_index", verbosity=0)  # default encoder
    assert anon_api.get("/api/v1/search", {"q": "dress"}).status_code == 200
    settings.SEARCH_ENCODER, settings.SEARCH_MODEL_PATH = "clip", str(tiny_clip_dir)
    reset_encoder_cache()
    response = anon_api.get("/api/v1/search", {"q": "dress"})
    assert response.status_code == 503 and "build_search_index" in response.data["error"]["message"]
    call_command("build_search_index", verbosity=0)
    assert anon_api.get("/api/v1/search", {"q": "dress"}).status_code == 200
    reset_encoder_cache()
