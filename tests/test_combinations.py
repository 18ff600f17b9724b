import pytest

from tryon.models import Combination
from tests.factories import ClothingItemFactory

pytestmark = pytest.mark.django_db


def test_saving_an_outfit_and_saving_it_again_returns_the_same_one(api, tops, bottom):
    body = {"top_id": tops[0].pk, "bottom_id": bottom.pk}
    first = api.post("/api/v1/combinations", body, format="json")
    again = api.post("/api/v1/combinations", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.data["id"] == again.data["id"]
    assert first.data["top"]["id"] == tops[0].pk and first.data["dress"] is None
    assert api.get("/api/v1/combinations").data["count"] == 1


def test_a_dress_alone_is_an_outfit(api, dress):
    assert api.post("/api/v1/combinations", {"dress_id": dress.pk}, format="json").status_code == 201


@pytest.mark.parametrize("make_body, message", [
    (lambda t, b, d: {}, "at least"),
    (lambda t, b, d: {"top_id": t.pk, "dress_id": d.pk}, "dress is worn alone"),
    (lambda t, b, d: {"top_id": b.pk}, "is not a top"),
    (lambda t, b, d: {"dress_id": t.pk}, "is not a dress"),
    (lambda t, b, d: {"bottom_id": 999999}, "bottom_id"),
])
def test_invalid_outfits_are_400(api, tops, bottom, dress, make_body, message):
    response = api.post("/api/v1/combinations", make_body(tops[0], bottom, dress), format="json")
    assert response.status_code == 400
    assert message in response.data["error"]["message"]
    assert not Combination.objects.exists()


def test_inactive_items_cannot_be_saved_in_an_outfit(api):
    item = ClothingItemFactory(is_active=False)
    assert api.post("/api/v1/combinations", {"top_id": item.pk}, format="json").status_code == 400


def test_outfits_are_private_to_their_owner(api, other_api, anon_api, tops):
    outfit_id = api.post("/api/v1/combinations", {"top_id": tops[0].pk}, format="json").data["id"]
    assert other_api.get("/api/v1/combinations").data["count"] == 0
    assert other_api.delete(f"/api/v1/combinations/{outfit_id}").status_code == 404
    assert anon_api.delete(f"/api/v1/combinations/{outfit_id}").status_code == 401
    assert api.delete(f"/api/v1/combinations/{outfit_id}").status_code == 204
    assert not Combination.objects.exists()


def test_the_database_refuses_a_dress_with_separates(shopper, tops, dress):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Combination.objects.create(user=shopper, top=tops[0], dress=dress)


def test_saving_an_outfit_with_an_inactive_item_says_not_found_without_its_title(api, db):
    from tests.factories import category

    hidden = ClothingItemFactory(category=category("tops"), title="Unreleased Secret Jacket", is_active=False)
    response = api.post("/api/v1/combinations", {"top_id": hidden.pk}, format="json")
    assert response.status_code == 400
    assert f"Item {hidden.pk} was not found." in response.json()["error"]["message"]
    assert b"Secret" not in response.content
    assert api.get(f"/api/v1/clothes/{hidden.pk}").status_code == 404
