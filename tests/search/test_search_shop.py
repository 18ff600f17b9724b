"""Search as a shop answers it: filters from the words, a relevance floor, no-results suggestions,
the shared filters and sorts, and no scores on pages (the API keeps them)."""

from decimal import Decimal

import pytest

from catalog.models import ClothingItem
from tests.factories import garment

pytestmark = pytest.mark.django_db


def _ids(response):
    return [hit["item"]["id"] for hit in response.data["results"]]


@pytest.fixture
def shop(indexed, django_capture_on_commit_callbacks):
    """The small catalog with prices, a reduced item and a second (blue) dress, indexed."""
    from django.core.management import call_command

    blue = garment(slug="dresses", title="Blue Linen Dress", color=(40, 80, 170),
                   attributes={"type": "dress", "color": "blue", "material": "linen"}, price="59.90", sizes=["S"])
    ClothingItem.objects.filter(pk=indexed["dress"].pk).update(price=Decimal("25.00"), sizes=["S", "M"])
    for name, price in (("jacket", "120.00"), ("jeans", "49.00"), ("tee", "15.00")):
        ClothingItem.objects.filter(pk=indexed[name].pk).update(price=Decimal(price))
    skirt = indexed["skirt"]
    skirt.price, skirt.compare_at_price = Decimal("30.00"), Decimal("45.00")
    skirt.save()
    call_command("build_search_index", verbosity=0)
    return {**indexed, "blue": blue}


@pytest.mark.parametrize("query", ["xyzzy qwerty", "pizza", "car engine"])
def test_nonsense_finds_nothing_with_suggestions_of_categories(anon_api, client, shop, query):
    response = anon_api.get("/api/v1/search", {"q": query})
    assert response.status_code == 200 and response.data["results"] == []
    page = client.get("/search/", {"q": query})
    assert page.status_code == 200 and "No results for" in page.content.decode()
    assert 'href="/catalog/?category=dresses"' in page.content.decode()


def test_a_misspelt_query_suggests_the_catalogs_word(anon_api, client, shop):
    response = anon_api.get("/api/v1/search", {"q": "leathr"})
    assert response.data["results"] == [] and response.data["suggestions"] == ["leather"]
    assert 'href="?q=leather"' in client.get("/search/", {"q": "leathr"}).content.decode()


def test_red_dress_shows_dresses_only_and_keeps_scores_in_the_api(anon_api, shop):
    response = anon_api.get("/api/v1/search", {"q": "red dress"})
    assert _ids(response) == [shop["dress"].pk]
    assert response.data["understood"]["filters"] == {"garment_type": "dress", "color": "red"}
    assert 0 < response.data["results"][0]["score"] <= 1
    dresses = anon_api.get("/api/v1/search", {"q": "dress"})
    assert set(_ids(dresses)) == {shop["dress"].pk, shop["blue"].pk}


def test_price_words_filter_by_price(anon_api, shop):
    assert _ids(anon_api.get("/api/v1/search", {"q": "dress under 30"})) == [shop["dress"].pk]
    assert _ids(anon_api.get("/api/v1/search", {"q": "dress €50-80"})) == [shop["blue"].pk]
    # "cheap": the cheapest third of the catalog's prices (15, 25, 30 | 49, 59.90, 120 here)
    cheap = anon_api.get("/api/v1/search", {"q": "cheap dress"})
    assert _ids(cheap) == [shop["dress"].pk]


def test_real_queries_keep_their_matches(anon_api, shop):
    assert _ids(anon_api.get("/api/v1/search", {"q": "leather biker jacket"}))[0] == shop["jacket"].pk
    assert shop["dress"].pk in _ids(anon_api.get("/api/v1/search", {"q": "summer"}))
    assert _ids(anon_api.get("/api/v1/search", {"q": "on sale"})) == [shop["skirt"].pk]


def test_explicit_filters_and_sort_apply_to_search(anon_api, shop):
    by_price = anon_api.get("/api/v1/search", {"q": "dress", "sort": "-price"})
    assert _ids(by_price) == [shop["blue"].pk, shop["dress"].pk]
    assert _ids(anon_api.get("/api/v1/search", {"q": "dress", "size": "M"})) == [shop["dress"].pk]
    assert _ids(anon_api.get("/api/v1/search", {"q": "dress", "price_max": "30"})) == [shop["dress"].pk]


@pytest.mark.parametrize("params, message", [
    ({"price_min": "50", "price_max": "10"}, "swap them"),
    ({"garment_type": "hat"}, "hat"),
    ({"color": "plaid"}, "plaid"),
    ({"sort": "random"}, "random"),
    ({"price_min": "-1"}, "0"),
])
def test_bad_filters_are_400_in_the_api_and_readable_on_pages(anon_api, client, shop, params, message):
    for url in ("/api/v1/search", "/api/v1/clothes"):
        response = anon_api.get(url, {"q": "dress", **params})
        assert response.status_code == 400 and message in str(response.data["error"]), url
    for url in ("/search/", "/catalog/"):
        page = client.get(url, {"q": "dress", **params})
        assert page.status_code == 400 and message in page.content.decode(), url


def test_schema_documents_the_filters_on_list_and_search(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/search", "/api/v1/clothes"):
        names = {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}
        assert names >= {"garment_type", "color", "size", "price_min", "price_max", "on_sale", "sort"}, path
