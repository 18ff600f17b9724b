"""The catalog list serves cached public item payloads, and a change shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogVersion, Category, ClothingItem
from closet.services import closet_add
from search.enrichment import item_analyse
from tests.factories import ClothingItemFactory, garment

pytestmark = pytest.mark.django_db


def _list(client, path="/api/v1/clothes") -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        data = client.get(path).json()
    return data, len(queries)


def test_a_repeated_catalog_page_is_served_from_the_cache_with_the_same_answer(anon_api):
    ClothingItemFactory.create_batch(5)
    first, first_queries = _list(anon_api)
    again, again_queries = _list(anon_api)
    assert again == first
    assert again_queries == 1  # the version and closet counts: the whole page comes from the cache


def test_changes_to_an_item_its_category_or_its_closet_count_show_at_once(anon_api, shopper):
    item = ClothingItemFactory(brand="Before")
    _list(anon_api)
    item.brand = "After"
    item.save()
    ClothingItem.objects.filter(pk=item.pk).update(closet_users=0)  # as closet signals count, no save()
    closet_add(user=shopper, item=item)
    Category.objects.filter(pk=item.category_id).update(body_region="full")
    shown = _list(anon_api)[0]["results"][0]
    assert (shown["brand"], shown["closet_users"], shown["body_region"]) == ("After", 1, "full")


def test_cached_image_urls_follow_the_address_each_request_used(anon_api):
    ClothingItemFactory()
    local = anon_api.get("/api/v1/clothes", HTTP_HOST="localhost").json()["results"][0]["image"]
    other = anon_api.get("/api/v1/clothes", HTTP_HOST="127.0.0.1").json()["results"][0]["image"]
    assert local.startswith("http://localhost/") and other.startswith("http://127.0.0.1/")


def test_enrichment_moves_updated_at_so_a_cached_payload_shows_its_mask(anon_api):
    item = garment(slug="tops", title="", color=(200, 30, 30))
    before = _list(anon_api)[0]["results"][0]
    item_analyse(item=ClothingItem.objects.get(pk=item.pk), encoder=None, force=True)  # saves with update()
    after = _list(anon_api)[0]["results"][0]
    assert not before["mask"] and after["mask"]
    assert after["updated_at"] != before["updated_at"]


def test_the_default_cache_keeps_every_payload_of_a_catalog_larger_than_locmems_default(anon_api, settings):
    """Django's locmem cache holds 300 entries unless told otherwise: a larger catalog would evict the
    payloads the next page needs, and every page would be serialised afresh."""
    template = ClothingItemFactory()
    ClothingItem.objects.bulk_create([
        ClothingItem(title=f"Copy {n}", category_id=template.category_id, image=template.image.name, price="9.90")
        for n in range(400)])
    pages = -(-ClothingItem.objects.count() // settings.REST_FRAMEWORK["PAGE_SIZE"])
    for page in range(1, pages + 1):
        _list(anon_api, f"/api/v1/clothes?page={page}")
    CatalogVersion.bump()  # every page is built again, from the items' payloads
    for page in range(1, pages + 1):
        # The version and the page's rows, and for the first page the count, which the others share.
        assert _list(anon_api, f"/api/v1/clothes?page={page}")[1] == (3 if page == 1 else 2)
