"""Whole catalog pages come from the cache while the catalog's version in the database is unchanged
(catalog/pages.py): every committed change shows at once, filters and pages keep their own entries,
and odd spellings of a query find the one entry of its normal spelling instead of making new ones."""

import pytest
from django.core.cache import cache
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogVersion, ClothingItem
from catalog.services import clothing_set_active
from closet.services import closet_add
from tests.factories import ClothingItemFactory, category

pytestmark = pytest.mark.django_db

HIT = 1  # queries of a page served from the cache: the version and the closet counts, in one statement
REBUILT = 3  # the version, the count and the page's rows (the items' payloads come from their own cache)
RECOUNTED = 2  # another page of a query already counted under this version: the version and the rows


def _get(client, path="/api/v1/clothes") -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def _titles(client, path="/api/v1/clothes") -> list[str]:
    return [item["title"] for item in _get(client, path)[0]["results"]]


def _page_entries() -> int:
    """How many pages the (local-memory) cache holds."""
    return sum("catalog:page:" in key for key in cache._cache)


@pytest.fixture
def items(db):
    return [ClothingItemFactory(title=f"Item {n}", category=category("tops" if n % 2 else "bottoms"),
                                price=f"{10 + n}.00") for n in range(5)]


def test_a_saved_change_shows_on_the_next_page_though_nothing_touched_the_cache(anon_api, items):
    _get(anon_api)
    items[0].title = "Renamed"
    items[0].save()
    assert "Renamed" in _titles(anon_api)


@pytest.mark.parametrize("change", [
    lambda item: ClothingItem.objects.filter(pk=item.pk).update(title="Renamed"),
    lambda item: ClothingItem.objects.bulk_update([ClothingItem(pk=item.pk, title="Renamed")], ["title"]),
    lambda item: ClothingItem.objects.bulk_create([ClothingItem(title="Renamed", category_id=item.category_id,
                                                                image=item.image.name)]),
], ids=["update", "bulk_update", "bulk_create"])
def test_bulk_writes_show_on_the_next_page(anon_api, items, change):
    _get(anon_api)
    change(items[0])
    assert "Renamed" in _titles(anon_api)


@pytest.mark.parametrize("remove", [
    lambda item: clothing_set_active(item_ids=[item.pk], active=False),
    lambda item: item.delete(),
    lambda item: ClothingItem.objects.filter(pk=item.pk).delete(),
], ids=["deactivated", "deleted", "deleted in bulk"])
def test_an_item_taken_out_of_the_catalog_leaves_the_cached_pages_and_their_count(anon_api, items, remove):
    before = _get(anon_api)[0]
    remove(items[0])
    after = _get(anon_api)[0]
    assert items[0].title not in [item["title"] for item in after["results"]]
    assert after["count"] == before["count"] - 1


def test_a_category_change_shows_on_the_next_page(anon_api, items):
    _get(anon_api)
    tops = category("tops")
    tops.body_region = "full"
    tops.save()
    regions = {item["category"]: item["body_region"] for item in _get(anon_api)[0]["results"]}
    assert regions["tops"] == "full"


def test_a_closet_add_shows_its_count_on_a_page_still_served_from_the_cache(anon_api, shopper, items):
    _get(anon_api)
    closet_add(user=shopper, item=items[0])
    data, queries = _get(anon_api)
    assert queries == HIT
    assert {item["id"]: item["closet_users"] for item in data["results"]}[items[0].pk] == 1


def test_an_item_deleted_behind_the_orms_back_is_not_served_from_the_cache(anon_api, items):
    _get(anon_api)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ClothingItem._meta.db_table} WHERE id = %s", [items[0].pk])
    assert items[0].title not in _titles(anon_api)


def test_every_write_moves_the_version_in_its_own_transaction(monkeypatch, items):
    """Moved after the commit, the version would let another process serve the old page in between."""
    inside = []
    bump = CatalogVersion.bump.__func__
    monkeypatch.setattr(CatalogVersion, "bump",
                        classmethod(lambda cls: (inside.append(connection.in_atomic_block), bump(cls))))
    with transaction.atomic():  # the test's own transaction, released: each write below commits alone
        pass
    item = items[0]
    with _autocommit():
        item.save()
        ClothingItem.objects.filter(pk=item.pk).update(title="x")
        ClothingItem.objects.bulk_create([ClothingItem(title="y", category_id=item.category_id, image="g.jpg")])
        item.delete()
    assert inside == [True, True, True, True]


class _autocommit:
    """Run writes as if outside the test's transaction: Django's atomic blocks count from zero."""

    def __enter__(self):
        self.saved = connection.in_atomic_block, connection.savepoint_ids, connection.atomic_blocks
        connection.in_atomic_block, connection.savepoint_ids, connection.atomic_blocks = False, [], []

    def __exit__(self, *exc):
        connection.in_atomic_block, connection.savepoint_ids, connection.atomic_blocks = self.saved


def test_the_pages_of_a_query_share_its_count_until_the_catalog_changes(anon_api, items):
    assert _get(anon_api)[0]["count"] == 5  # counts the query (and caches the items' payloads)
    second, queries = _get(anon_api, "/api/v1/clothes?page_size=2&page=2")
    assert (second["count"], queries) == (5, RECOUNTED)  # another page, of another size
    assert _get(anon_api, "/api/v1/clothes?price_min=12&page_size=1&page=2")[1] == REBUILT  # its own count
    assert _get(anon_api, "/api/v1/clothes?price_min=12&page_size=1")[1] == RECOUNTED
    ClothingItemFactory(price="19.90")
    third, queries = _get(anon_api, "/api/v1/clothes?page_size=2&page=3")
    assert (third["count"], queries) == (6, REBUILT)
    assert _get(anon_api, "/api/v1/clothes?price_min=12&page_size=1&page=3")[0]["count"] == 4


def test_a_page_past_a_counted_querys_end_is_a_404(anon_api, items):
    _get(anon_api, "/api/v1/clothes?page_size=2")
    assert anon_api.get("/api/v1/clothes?page_size=2&page=4").status_code == 404


def test_a_browse_without_filters_answers_as_the_filters_would(anon_api, items):
    """A request that asks for no filter skips the filterset (catalog.api): the same page as one that
    spells the default out and goes through it."""
    plain = _get(anon_api, "/api/v1/clothes?page_size=3&page=2")[0]
    spelt = _get(anon_api, "/api/v1/clothes?page_size=3&page=2&sort=relevance&on_sale=false")[0]
    assert (plain["count"], plain["results"]) == (spelt["count"], spelt["results"])


def test_filters_sorts_and_pages_keep_their_own_entries(anon_api, items):
    paths = ["/api/v1/clothes?page_size=2", "/api/v1/clothes?page_size=2&page=2", "/api/v1/clothes?category=tops",
             "/api/v1/clothes?sort=price", "/api/v1/clothes?sort=-price", "/api/v1/clothes?price_min=12"]
    first = {path: _get(anon_api, path)[0] for path in paths}
    assert len({str(data["results"]) for data in first.values()}) == len(paths)
    for path in paths:
        assert _get(anon_api, path) == (first[path], HIT)


@pytest.mark.parametrize("spelling", [
    "/api/v1/clothes", "/api/v1/clothes?page=1&x=", "/api/v1/clothes?utm=1&page=1&sort=&category=",
    "/api/v1/clothes?page=&page_size=20",
])
def test_spellings_of_the_normal_query_are_served_from_its_entry(anon_api, items, spelling):
    first = _get(anon_api, "/api/v1/clothes?page=1")[0]
    data, queries = _get(anon_api, spelling)
    assert (data["results"], data["count"], queries) == (first["results"], first["count"], HIT)


@pytest.mark.parametrize("odd, normal", [
    ("page=01", "page=1"), ("price_min=12.50", "price_min=12.5"), ("price_min=1E%2B1", "price_min=10"),
    ("page_size=500", "page_size=100"), ("on_sale=false", ""),
])
def test_odd_spellings_make_no_entry_of_their_own(anon_api, items, odd, normal):
    for n in range(5):
        _get(anon_api, f"/api/v1/clothes?{odd}&noise={n}")
    assert _page_entries() == 1
    assert _get(anon_api, f"/api/v1/clothes?{normal}")[1] == HIT


def test_a_cached_pages_links_are_the_requests_own(anon_api, items):
    _get(anon_api, "/api/v1/clothes?page_size=2&page=2")
    data, queries = _get(anon_api, "/api/v1/clothes?page_size=2&page=2&ref=mail")
    assert queries == HIT
    assert "ref=mail" in data["next"] and "page=3" in data["next"] and "ref=mail" in data["previous"]


def test_refusals_stay_in_the_error_format_and_are_never_cached(anon_api, items):
    _get(anon_api)
    for path, status in [("/api/v1/clothes?page=99", 404), ("/api/v1/clothes?price_min=abc", 400),
                         ("/api/v1/clothes?category=nope", 400), ("/api/v1/clothes?price_min=5&price_max=1", 400)]:
        for _ in range(2):
            response = anon_api.get(path)
            assert (response.status_code, response.json()["error"]["status"]) == (status, status)
    assert _page_entries() == 1


def test_a_signed_in_shopper_gets_the_same_page_as_a_visitor(anon_api, api, items):
    assert _get(api)[0] == _get(anon_api)[0]


def test_without_its_version_row_the_catalog_is_not_cached(anon_api, items):
    CatalogVersion.objects.all().delete()
    _get(anon_api)
    assert _get(anon_api)[1] == REBUILT
    CatalogVersion.bump()  # the next write brings the row back
    _get(anon_api)
    assert _get(anon_api)[1] == HIT


def test_a_migrate_starts_the_cached_pages_afresh(anon_api, items):
    """Data migrations write through historical models, which move no version."""
    _get(anon_api)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _get(anon_api)[1] == REBUILT
