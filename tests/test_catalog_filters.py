"""The shared catalog filters on the API list and the catalog page; compare-at prices, garment types."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.models import ClothingItem
from tests.factories import ClothingItemFactory, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    return {
        "coat": ClothingItemFactory(title="Wool Coat", attributes={"type": "coat", "color": "navy"}, price="89.00",
                                    sizes=["M", "L"]),
        "tee": ClothingItemFactory(title="Sky Tee", attributes={"type": "t-shirt", "color": "light blue"},
                                   price="15.00", compare_at_price="20.00", sizes=["XS", "S"]),
        "jeans": ClothingItemFactory(title="Blue Jeans", category=category("bottoms"),
                                     attributes={"type": "Slim jeans", "color": "blue"}, price="49.00", sizes=["32"]),
    }


def _ids(response):
    return [item["id"] for item in response.data["results"]]


@pytest.mark.parametrize("params, expected", [
    ({"garment_type": "coat"}, ["coat"]),
    ({"garment_type": "jeans"}, ["jeans"]),
    ({"color": "blue"}, ["jeans", "tee"]),  # shades too: light blue
    ({"size": "M"}, ["coat"]),
    ({"size": "S"}, ["tee"]),  # not XS's "S"
    ({"price_min": "40", "price_max": "60"}, ["jeans"]),
    ({"on_sale": "true"}, ["tee"]),
    ({"sort": "price"}, ["tee", "jeans", "coat"]),
    ({"sort": "-price", "category": "tops"}, ["coat", "tee"]),
])
def test_api_list_filters_and_sorts(anon_api, items, params, expected):
    response = anon_api.get("/api/v1/clothes", params)
    assert response.status_code == 200
    ids, wanted = _ids(response), [items[name].pk for name in expected]
    assert ids == wanted if "sort" in params else sorted(ids) == sorted(wanted)


def test_catalog_page_filters_with_the_same_filterset_and_keeps_them_across_pages(client, items):
    page = client.get("/catalog/", {"garment_type": "coat"})
    assert page.status_code == 200 and "Wool Coat" in page.content.decode() and "Sky Tee" not in page.content.decode()
    ClothingItemFactory.create_batch(25, attributes={"type": "coat"})
    second = client.get("/catalog/", {"garment_type": "coat"}).content.decode()
    assert "garment_type=coat&amp;page=2" in second


def test_garment_type_comes_from_the_type_words_and_a_curator_can_set_it(items):
    assert items["coat"].garment_type == "coat" and items["jeans"].garment_type == "jeans"
    assert ClothingItemFactory(attributes={"type": "hooded sweatshirt"}).garment_type == "hoodie"
    chosen = ClothingItemFactory(attributes={"type": "jacket"}, garment_type="shirt")
    assert chosen.garment_type == "shirt"  # the curator's choice is kept


def test_compare_at_price_is_validated_and_means_on_sale(items):
    tee = items["tee"]
    assert tee.on_sale and not items["coat"].on_sale
    tee.compare_at_price = Decimal("15.00")
    with pytest.raises(ValidationError, match="more than the price"):
        tee.full_clean()
    tee.compare_at_price = None
    tee.save()
    assert not ClothingItem.objects.get(pk=tee.pk).on_sale


def test_cards_strike_the_original_price_and_leave_the_photo_unnamed(client, items):
    html = client.get("/catalog/").content.decode()
    assert '<s class="was"><span class="visually-hidden">Was </span>$20.00</s>' in html and "$15.00" in html
    assert 'alt="Sky Tee"' not in html and 'alt=""' in html
    assert "Coat / jacket" in html  # the garment type on the card
    assert "· ·" not in html and "$89.00 ·" not in html


def test_curators_set_compare_at_price_type_and_featured_in_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    item = ClothingItemFactory(attributes={"type": "jacket"}, price="50.00")
    url = f"/admin/catalog/clothingitem/{item.pk}/change/"
    form = {"title": "", "category": item.category.pk, "is_active": "on", "attr_type": "jacket", "price": "50.00",
            "tags": "[]", "sizes": "[]", "garment_type": "coat", "featured": "on"}
    refused = client.post(url, {**form, "compare_at_price": "40.00"})
    assert refused.status_code == 400 and "must be more than the price" in refused.content.decode()
    assert client.post(url, {**form, "compare_at_price": "70.00", "garment_type": "hoodie"}).status_code == 302
    item.refresh_from_db()
    assert item.compare_at_price == Decimal("70.00") and item.on_sale and item.featured
    assert item.garment_type == "hoodie"  # the curator's choice over the derived "coat"
    page = client.get(url).content.decode()
    assert '<option value="knit">Knit</option>' in page  # the controlled vocabulary


def test_a_changed_type_word_derives_the_garment_type_again_in_the_admin(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    item = ClothingItemFactory(attributes={"type": "shirt"})
    assert item.garment_type == "shirt"
    response = client.post(f"/admin/catalog/clothingitem/{item.pk}/change/", {
        "title": "", "category": item.category.pk, "is_active": "on", "attr_type": "denim jacket", "price": "19.90",
        "tags": "[]", "sizes": "[]", "garment_type": "shirt"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.garment_type == "coat"
