import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import ClothingItem
from catalog.signals import item_viewed
from closet.models import HISTORY_LENGTH, ClosetItem, HistoryEntry
from closet.services import closet_add, closet_remove, history_record
from tests.factories import ClothingItemFactory

pytestmark = pytest.mark.django_db


def test_adding_counts_the_item_in_closet_users_and_removing_uncounts_it(shopper, other_shopper, tops):
    closet_add(user=shopper, item=tops[0])
    closet_add(user=other_shopper, item=tops[0])
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 2
    assert closet_remove(user=shopper, item_id=tops[0].pk)
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 1


def test_the_same_item_cannot_be_added_twice(shopper, tops):
    closet_add(user=shopper, item=tops[0])
    with pytest.raises(ValidationError, match="already in your closet"):
        closet_add(user=shopper, item=tops[0])
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 1


def test_the_sixth_item_of_a_category_is_refused_with_the_category_in_the_message(shopper, tops, bottom):
    for item in tops[:5]:
        closet_add(user=shopper, item=item)
    with pytest.raises(ValidationError) as error:
        closet_add(user=shopper, item=tops[5])
    assert error.value.messages == ["Max 5 tops items allowed. Remove one to add new."]
    closet_add(user=shopper, item=bottom)  # other categories are unaffected
    assert ClosetItem.objects.filter(user=shopper).count() == 6
    tops[5].refresh_from_db()
    assert tops[5].closet_users == 0  # the refused add's count went back with its transaction


def test_an_add_locks_the_items_row_by_counting_it_before_the_insert(shopper, tops):
    """One statement takes the lock that keeps two shoppers adding one item from deadlocking
    (tests/test_concurrency.py) and counts the keeper: no separate SELECT ... FOR UPDATE of the item."""
    with CaptureQueriesContext(connection) as queries:
        closet_add(user=shopper, item=tops[0])
    sql = [query["sql"] for query in queries.captured_queries]
    item_table, closet_table = ClothingItem._meta.db_table, ClosetItem._meta.db_table
    counted = next(n for n, text in enumerate(sql) if text.startswith("UPDATE") and item_table in text)
    inserted = next(n for n, text in enumerate(sql) if text.startswith("INSERT") and closet_table in text)
    assert counted < inserted
    assert not [text for text in sql if "FOR UPDATE" in text and item_table in text]


def test_caps_hold_for_plain_orm_writes_too(shopper, tops):
    """The shell and the admin go through the same signal as the API."""
    for item in tops[:5]:
        ClosetItem.objects.create(user=shopper, item=item)
    with pytest.raises(ValidationError, match="Max 5 tops"):
        ClosetItem.objects.create(user=shopper, item=tops[5])
    with pytest.raises(ValidationError, match="already"):
        ClosetItem.objects.create(user=shopper, item=tops[0])


def test_removing_frees_a_slot(shopper, tops):
    for item in tops[:5]:
        closet_add(user=shopper, item=item)
    closet_remove(user=shopper, item_id=tops[0].pk)
    closet_add(user=shopper, item=tops[5])


def test_inactive_items_cannot_be_added(shopper):
    item = ClothingItemFactory(is_active=False)
    with pytest.raises(ValidationError, match="no longer available"):
        closet_add(user=shopper, item=item)


def test_deleting_a_user_uncounts_their_closet(shopper, tops):
    closet_add(user=shopper, item=tops[0])
    shopper.delete()
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 0


def test_re_viewing_moves_an_item_to_the_top_without_duplicating(shopper, tops):
    for item in tops[:3]:
        history_record(user=shopper, item=item)
    history_record(user=shopper, item=tops[0])
    order = list(HistoryEntry.objects.filter(user=shopper).values_list("item_id", flat=True))
    assert order == [tops[0].pk, tops[2].pk, tops[1].pk]


def test_history_keeps_only_the_latest_twenty(shopper):
    items = ClothingItemFactory.create_batch(HISTORY_LENGTH + 3)
    for item in items:
        history_record(user=shopper, item=item)
    kept = list(HistoryEntry.objects.filter(user=shopper).values_list("item_id", flat=True))
    assert kept == [item.pk for item in reversed(items)][:HISTORY_LENGTH]


def test_a_viewed_item_announced_by_the_catalog_goes_into_the_history(shopper, tops):
    item_viewed.send(sender=ClothingItem, user=shopper, item=tops[0])
    assert list(HistoryEntry.objects.filter(user=shopper).values_list("item_id", flat=True)) == [tops[0].pk]


def test_viewing_an_item_page_records_it_in_the_history(client, shopper, tops):
    client.force_login(shopper)
    client.get(f"/catalog/{tops[1].pk}/")
    assert list(HistoryEntry.objects.filter(user=shopper).values_list("item_id", flat=True)) == [tops[1].pk]


# --- API -------------------------------------------------------------------------------------

def test_api_add_list_filter_and_remove(api, tops, bottom):
    assert api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").status_code == 201
    assert api.post("/api/v1/closet", {"clothing_id": bottom.pk}, format="json").status_code == 201
    assert api.get("/api/v1/closet").data["count"] == 2
    only_bottoms = api.get("/api/v1/closet?category=bottoms").data["results"]
    assert [entry["item"]["id"] for entry in only_bottoms] == [bottom.pk]
    assert api.delete(f"/api/v1/closet/{bottom.pk}").status_code == 204
    assert api.delete(f"/api/v1/closet/{bottom.pk}").status_code == 404


def test_api_sixth_top_is_a_400_with_the_exact_message(api, tops):
    for item in tops[:5]:
        api.post("/api/v1/closet", {"clothing_id": item.pk}, format="json")
    response = api.post("/api/v1/closet", {"clothing_id": tops[5].pk}, format="json")
    assert response.status_code == 400
    assert response.data["error"]["message"] == "Max 5 tops items allowed. Remove one to add new."


@pytest.mark.parametrize("body", [{}, {"clothing_id": "abc"}, {"clothing_id": 0}, {"clothing_id": 999999}])
def test_api_add_with_a_bad_or_unknown_item_is_400(api, body):
    response = api.post("/api/v1/closet", body, format="json")
    assert response.status_code == 400
    assert "clothing_id" in response.data["error"]["fields"]


def test_api_unknown_category_filter_is_400(api):
    response = api.get("/api/v1/closet?category=hats")
    assert response.status_code == 400
    assert "Unknown category" in response.data["error"]["message"]


def test_api_closets_are_private(api, other_api, anon_api, tops):
    api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json")
    assert other_api.get("/api/v1/closet").data["count"] == 0
    assert other_api.delete(f"/api/v1/closet/{tops[0].pk}").status_code == 404
    assert anon_api.get("/api/v1/closet").status_code == 401
    assert anon_api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").status_code == 401
    assert api.get("/api/v1/closet").data["count"] == 1


def test_api_item_detail_records_history_for_signed_in_shoppers_only(api, anon_api, other_api, tops):
    anon_api.get(f"/api/v1/clothes/{tops[0].pk}")
    api.get(f"/api/v1/clothes/{tops[1].pk}")
    api.get(f"/api/v1/clothes/{tops[0].pk}")
    history = api.get("/api/v1/history").data["results"]
    assert [entry["item"]["id"] for entry in history] == [tops[0].pk, tops[1].pk]
    assert other_api.get("/api/v1/history").data["count"] == 0
    assert anon_api.get("/api/v1/history").status_code == 401


def _statements(queries) -> list[str]:
    """What a request said to the database, less the savepoints of the test's own transaction."""
    return [query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]


def _user_lock() -> list[str]:
    """The statement that locks the shopper's row: none on SQLite, whose transactions lock the database."""
    return ["SELECT"] if connection.features.has_select_for_update else []


def test_an_api_add_reads_no_column_it_does_not_show_and_a_remove_reads_nothing(api, tops):
    """Add: the token with its user, the item's key columns, the user's lock, the item's count (its lock),
    the category's entries, the entry and its interaction. Remove: the token, the count, the entry; no
    SELECT of the entry first (Django's collector did one, to send post_delete)."""
    api.get("/api/v1/clothes")  # caches the item's payload, which the add answers with
    with CaptureQueriesContext(connection) as added:
        assert api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as removed:
        assert api.delete(f"/api/v1/closet/{tops[0].pk}").status_code == 204
    add, remove = _statements(added), _statements(removed)
    assert [text.split()[0] for text in add] == [
        "SELECT", "SELECT", *_user_lock(), "UPDATE", "SELECT", "INSERT", "INSERT"]
    assert not [text for text in add if "enrichment" in text or "landmarks" in text or "description" in text]
    assert [text.split()[0] for text in remove] == ["SELECT", "UPDATE", "DELETE"]
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 0


def test_removing_an_item_not_in_the_closet_is_a_404_that_leaves_its_count(api, other_shopper, tops):
    closet_add(user=other_shopper, item=tops[0])
    assert api.delete(f"/api/v1/closet/{tops[0].pk}").status_code == 404
    tops[0].refresh_from_db()
    assert tops[0].closet_users == 1


def test_an_add_whose_payload_is_not_cached_answers_it_in_full(api, anon_api, tops):
    """The add reads only the item's key columns; with its payload gone from the cache it serialises the
    item read in full once, never column by column."""
    from django.core.cache import cache

    listed = {item["id"]: item for item in anon_api.get("/api/v1/clothes").json()["results"]}
    cache.clear()
    with CaptureQueriesContext(connection) as added:
        answer = api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").json()
    assert answer["item"] == listed[tops[0].pk]
    assert len(_statements(added)) == 7 + len(_user_lock())  # those of an add and the item in full


def test_an_added_items_payload_is_the_catalogs_cached_one(api, anon_api, tops, monkeypatch):
    """The closet add answers with the payload the catalog list cached (catalog/payloads.py), not a
    second serialisation of the item."""
    from catalog.serializers import ClothingItemSerializer

    listed = {item["id"]: item for item in anon_api.get("/api/v1/clothes").json()["results"]}
    serialised = []
    original = ClothingItemSerializer.to_representation
    monkeypatch.setattr(ClothingItemSerializer, "to_representation",
                        lambda self, item: serialised.append(item.pk) or original(self, item))
    added = api.post("/api/v1/closet", {"clothing_id": tops[0].pk}, format="json").json()["item"]
    assert serialised == []
    assert added == listed[tops[0].pk]
