"""Search end to end with the default encoder: a real sentence model and the visual descriptor."""

import pytest
from django.core.management import call_command

from catalog.models import ClothingItem
from search.encoders import get_encoder
from search.models import ItemEmbedding
from search.store import loaded_index
from tests.factories import garment

pytestmark = pytest.mark.django_db


def _ids(response):
    return [hit["item"]["id"] for hit in response.data["results"]]


def test_text_search_ranks_items_by_meaning(anon_api, indexed):
    response = anon_api.get("/api/v1/search", {"q": "a red dress for the summer"})
    assert response.status_code == 200
    assert _ids(response)[0] == indexed["dress"].pk
    scores = [hit["score"] for hit in response.data["results"]]
    assert scores == sorted(scores, reverse=True)
    jacket = anon_api.get("/api/v1/search", {"q": "leather biker jacket", "limit": 1})
    assert _ids(jacket) == [indexed["jacket"].pk]


def test_category_filter_returns_only_that_category(anon_api, indexed):
    response = anon_api.get("/api/v1/search", {"q": "denim", "category": "bottoms", "limit": 10})
    assert set(_ids(response)) <= {indexed["jeans"].pk, indexed["skirt"].pk}
    assert _ids(response)[0] == indexed["jeans"].pk
    # "red" is a colour: a filter, so the blue jeans are no longer a weak "red" match
    assert _ids(anon_api.get("/api/v1/search", {"q": "red", "category": "bottoms"})) == [indexed["skirt"].pk]


@pytest.mark.parametrize("params, message", [
    ({"q": ""}, "Type what you are looking for."),
    ({}, "Type what you are looking for."),
    ({"q": "x" * 201}, "at most 200 characters"),
    ({"q": "dress", "category": "hats"}, "Unknown category 'hats'"),
    ({"q": "dress", "limit": 0}, "limit"),
    ({"q": "dress", "limit": 101}, "limit"),
    ({"q": "dress", "limit": "ten"}, "limit"),
])
def test_bad_queries_are_400_with_a_clear_message(anon_api, params, message):
    response = anon_api.get("/api/v1/search", params)
    assert response.status_code == 400
    assert message in response.data["error"]["message"]


def test_search_without_an_index_is_503_with_a_clear_message(anon_api, small_catalog):
    response = anon_api.get("/api/v1/search", {"q": "dress"})
    assert response.status_code == 503
    assert "build_search_index" in response.data["error"]["message"]


def test_deactivated_items_disappear_from_results_at_once(anon_api, indexed):
    ClothingItem.objects.filter(pk=indexed["dress"].pk).update(is_active=False)
    assert indexed["dress"].pk not in _ids(anon_api.get("/api/v1/search", {"q": "red summer dress"}))


def test_deactivating_or_deleting_takes_items_out_of_the_index(settings, indexed, django_capture_on_commit_callbacks):
    settings.SEARCH_ENRICH_ON_SAVE = True
    encoder = get_encoder()
    with django_capture_on_commit_callbacks(execute=True):
        indexed["dress"].is_active = False
        indexed["dress"].save()
        indexed["jeans"].delete()
    assert len(loaded_index(encoder=encoder, space="image")) == 3


def test_a_partly_loaded_item_can_be_read_and_saved_and_is_reindexed(settings, indexed,
                                                                     django_capture_on_commit_callbacks):
    """Search remembers an item's photo and state when it is loaded; a load that defers them must not
    read them (each read loads another deferred instance) and a save must still reach the index."""
    settings.SEARCH_ENRICH_ON_SAVE = True
    partial = ClothingItem.objects.only("pk", "title").get(pk=indexed["dress"].pk)
    partial.refresh_from_db(fields=["mask"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        partial.save()
    assert len(callbacks) == 1


def test_a_new_item_is_enriched_and_becomes_searchable_by_itself(settings, anon_api, indexed,
                                                                  django_capture_on_commit_callbacks):
    settings.SEARCH_ENRICH_ON_SAVE = True
    with django_capture_on_commit_callbacks(execute=True):
        coat = garment(slug="tops", title="", color=(30, 40, 90), attributes={"type": "coat", "material": "wool"})
    coat.refresh_from_db()
    assert coat.mask and coat.attributes["color"] in {"navy", "blue", "charcoal"}
    assert coat.title.startswith(coat.attributes["color"].title())
    assert ItemEmbedding.objects.filter(item=coat).count() == 2
    assert _ids(anon_api.get("/api/v1/search", {"q": "warm wool coat", "limit": 1})) == [coat.pk]


def test_build_is_resumable_and_encodes_nothing_twice(small_catalog, capsys):
    call_command("build_search_index", verbosity=1)
    call_command("build_search_index", verbosity=1)
    out = capsys.readouterr().out
    assert "Encoded 10 new vectors" in out and "Encoded 0 new vectors" in out


def test_search_page_hides_scores_and_explains_a_missing_index(client, small_catalog):
    assert b"needs to be built" in client.get("/search/", {"q": "dress"}).content
    call_command("build_search_index", verbosity=0)
    page = client.get("/search/", {"q": "red summer dress", "category": "dresses"})
    assert page.status_code == 200
    assert b"Red Floral Summer Dress" in page.content
    assert b"Relevance 0" not in page.content and b"<meter" not in page.content and b"Cosine" not in page.content


def test_build_search_index_queue_hands_the_rebuild_to_the_bulk_workers(anon_api, small_catalog, monkeypatch,
                                                                         settings):
    settings.Q_BULK_CLUSTER = "bulk"
    queued = []
    monkeypatch.setattr("jobs.services.async_task", lambda task, *args, cluster: queued.append((task, args, cluster)))
    call_command("build_search_index", "--queue", verbosity=0)
    assert queued == [("search.tasks.search_index_rebuild", (64,), "bulk")]
    assert anon_api.get("/api/v1/search", {"q": "red dress"}).status_code == 503  # nothing ran here

    from search.tasks import search_index_rebuild

    search_index_rebuild(*queued[0][1])  # what the bulk worker runs
    assert _ids(anon_api.get("/api/v1/search", {"q": "a red dress for the summer"}))[0] == small_catalog["dress"].pk


def test_the_worker_does_not_analyse_again_what_build_search_index_analysed(settings, small_catalog, monkeypatch,
                                                                           django_capture_on_commit_callbacks):
    """`make run`: seed_demo imports (each save queues item_enrich) and builds the index itself; the worker
    that starts next must not analyse the same photos again. A new photo, or "enrich again", still is."""
    import search.enrichment
    from search import tasks

    call_command("build_search_index", verbosity=0)
    item = ClothingItem.objects.get(pk=small_catalog["dress"].pk)
    assert item.enrichment["image"] == item.image.name
    analysed = []
    real_analyse = search.enrichment.item_analyse
    monkeypatch.setattr(search.enrichment, "item_analyse",
                        lambda **kwargs: analysed.append(kwargs["item"].pk) or real_analyse(**kwargs))
    tasks.item_enrich(item.pk)
    assert analysed == []
    tasks.item_enrich(item.pk, force=True)  # the admin's "enrich again"
    assert analysed == [item.pk]
    new_photo = garment(slug="dresses", title="Yellow Dress", color=(200, 200, 40)).image
    settings.SEARCH_ENRICH_ON_SAVE = True
    with django_capture_on_commit_callbacks(execute=True):
        item.image = new_photo.name
        item.save()
    assert analysed == [item.pk, item.pk]
    item.refresh_from_db()
    assert item.enrichment["image"] == item.image.name
