import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.models import ClothingItem
from catalog.services import clothing_view_announce
from closet.models import ClosetItem
from closet.services import history_record
from recommend.models import Interaction
from recommend.outfits import color_harmony
from recommend.trending import trending_refresh, trending_scores
from search.store import forget_loaded_indexes
from tests.factories import UserFactory, garment
from tryon.models import Combination

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index_cache():
    forget_loaded_indexes()


@pytest.fixture
def catalog(small_catalog):
    extra = {
        "blouse": garment(slug="tops", title="Red Silk Blouse", color=(200, 35, 45), attributes={"color": "red"}),
        "shorts": garment(slug="bottoms", title="Navy Shorts", color=(30, 40, 75), attributes={"color": "navy"}),
        "gown": garment(slug="dresses", title="Black Evening Dress", color=(20, 20, 22), attributes={"color": "black"}),
    }
    call_command("build_search_index", verbosity=0)
    return {**small_catalog, **extra}


def _ids(response):
    return [hit["item"]["id"] for hit in response.data["results"]]


def _scores(response):
    return [hit["score"] for hit in response.data["results"]]


def test_similar_items_stay_in_the_category_and_exclude_the_item(anon_api, catalog):
    response = anon_api.get(f"/api/v1/recommendations/similar/{catalog['jacket'].pk}", {"limit": 5})
    ids = _ids(response)
    assert catalog["jacket"].pk not in ids and ids
    assert {hit["item"]["category"] for hit in response.data["results"]} == {"tops"}
    assert _scores(response) == sorted(_scores(response), reverse=True)
    assert len(ids) == len(set(ids))


def test_similar_items_of_a_dress_are_the_other_dresses(anon_api, catalog):
    assert _ids(anon_api.get(f"/api/v1/recommendations/similar/{catalog['dress'].pk}")) == [catalog["gown"].pk]


def test_similar_items_never_include_inactive_items_and_an_unknown_item_is_404(anon_api, catalog):
    catalog["tee"].is_active = False
    catalog["tee"].save()
    assert catalog["tee"].pk not in _ids(anon_api.get(f"/api/v1/recommendations/similar/{catalog['jacket'].pk}"))
    assert anon_api.get("/api/v1/recommendations/similar/999999").status_code == 404


def test_similar_items_without_an_index_is_an_empty_list(anon_api, small_catalog):
    response = anon_api.get(f"/api/v1/recommendations/similar/{small_catalog['jacket'].pk}")
    assert response.status_code == 200 and response.data["results"] == []


def test_trending_decays_with_age(catalog, settings):
    settings.RECOMMEND_TRENDING_MIN_PEOPLE = 1
    shopper, now = UserFactory(), timezone.now()
    old = [Interaction(user=shopper, item=catalog["jeans"], kind="closet", created_at=now - timezone.timedelta(days=14))]
    new = [Interaction(user=shopper, item=catalog["skirt"], kind="view", created_at=now)]
    Interaction.objects.bulk_create(old + new)
    scores = trending_scores(now=now)
    assert scores[catalog["jeans"].pk] == pytest.approx(3 * 0.25)  # two half-lives of 7 days
    assert scores[catalog["skirt"].pk] == pytest.approx(1.0)


def test_trending_is_ordered_filtered_and_cached(anon_api, catalog, settings):
    shoppers = UserFactory.create_batch(3)
    for shopper in shoppers:
        clothing_view_announce(user=shopper, item=catalog["jeans"])
    clothing_view_announce(user=shoppers[0], item=catalog["tee"])
    ClosetItem.objects.create(user=shoppers[1], item=catalog["tee"])
    assert trending_refresh() == 2
    response = anon_api.get("/api/v1/recommendations/trending", {"limit": 2})
    assert _ids(response) == [catalog["tee"].pk, catalog["jeans"].pk]  # 1 view + 1 closet add beats 3 views
    bottoms = _ids(anon_api.get("/api/v1/recommendations/trending", {"category": "bottoms", "limit": 1}))
    assert bottoms == [catalog["jeans"].pk]
    clothing_view_announce(user=shoppers[2], item=catalog["skirt"])  # not in the cached list until the next refresh
    assert catalog["skirt"].pk not in _ids(anon_api.get("/api/v1/recommendations/trending", {"limit": 2}))


def test_trending_in_a_new_shop_is_a_full_row_of_the_newest_items_across_categories(anon_api, catalog):
    results = anon_api.get("/api/v1/recommendations/trending", {"limit": 6}).data["results"]
    assert len(results) == 6 and {hit["score"] for hit in results} == {0.0}
    assert len({hit["item"]["category"] for hit in results[:3]}) == 3  # one of each category first
    newest_top = ClothingItem.objects.filter(category__slug="tops").order_by("-created_at", "-id").first()
    assert newest_top.pk in [hit["item"]["id"] for hit in results]


def test_trending_waits_for_enough_people_so_one_shopper_is_never_the_trend(anon_api, catalog, settings):
    settings.RECOMMEND_TRENDING_MIN_PEOPLE = 2
    keen = UserFactory()
    ClosetItem.objects.create(user=keen, item=catalog["jeans"])
    clothing_view_announce(user=keen, item=catalog["skirt"])
    trending_refresh()
    assert set(_scores(anon_api.get("/api/v1/recommendations/trending"))) == {0.0}  # newest only, no trend
    clothing_view_announce(user=UserFactory(), item=catalog["skirt"])
    trending_refresh()
    results = anon_api.get("/api/v1/recommendations/trending", {"limit": 4}).data["results"]
    trend = {hit["item"]["id"] for hit in results if hit["score"] > 0}
    assert trend == {catalog["jeans"].pk, catalog["skirt"].pk}
    assert len(results) == 4 and results[-1]["score"] == 0.0  # the newest items complete the row


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 51}, {"category": "hats"}])
def test_bad_recommendation_parameters_are_400(anon_api, params):
    assert anon_api.get("/api/v1/recommendations/trending", params).status_code == 400


def test_for_you_needs_sign_in_and_starts_with_the_curated_picks(anon_api, api, catalog):
    assert anon_api.get("/api/v1/recommendations/for-you").status_code == 401
    ClothingItem.objects.filter(pk=catalog["jeans"].pk).update(featured=True)
    ids = _ids(api.get("/api/v1/recommendations/for-you", {"limit": 5}))
    assert ids[0] == catalog["jeans"].pk and len(ids) == 5  # a brand-new shopper: a full row, the pick first


def test_home_page_rows_are_full_for_a_visitor_in_a_new_shop(client, catalog):
    ClothingItem.objects.filter(pk=catalog["gown"].pk).update(featured=True)
    page = client.get("/")
    for row in ("trending", "for-you"):
        assert f'id="{row}"' in page.content.decode()
    assert page.context["for_you"][0][0].pk == catalog["gown"].pk and len(page.context["trending"]) == 8


def test_home_page_rows_of_a_new_shop_show_different_items_when_the_catalog_has_them(client, catalog):
    for n in range(10):
        garment(slug=("tops", "bottoms", "dresses")[n % 3], title=f"Newer {n}", color=(90, 90, 90))
    page = client.get("/")
    picked, trending = ({item.pk for item, _ in page.context[row]} for row in ("for_you", "trending"))
    assert len(picked) == len(trending) == 8 and not picked & trending


def test_for_you_follows_taste_excludes_the_closet_and_mixes_categories(api, shopper, catalog):
    clothing_view_announce(user=shopper, item=catalog["skirt"])
    ClosetItem.objects.create(user=shopper, item=catalog["dress"])
    fan = UserFactory()  # another shopper who viewed the skirt also viewed the shorts
    for item in ("skirt", "shorts"):
        clothing_view_announce(user=fan, item=catalog[item])
    results = api.get("/api/v1/recommendations/for-you", {"limit": 6}).data["results"]
    ids = [hit["item"]["id"] for hit in results]
    assert catalog["dress"].pk not in ids and len(ids) == len(set(ids))
    assert catalog["shorts"].pk in ids
    assert len({hit["item"]["category"] for hit in results[:3]}) == 3  # diversified across categories


def test_complete_the_look_prefers_what_others_saved_together(anon_api, catalog):
    for _ in range(2):
        Combination.objects.create(user=UserFactory(), top=catalog["tee"], bottom=catalog["skirt"])
    Combination.objects.create(user=UserFactory(), top=catalog["tee"], bottom=catalog["jeans"])
    response = anon_api.get(f"/api/v1/recommendations/complete/{catalog['tee'].pk}")
    ids = _ids(response)
    assert ids[:2] == [catalog["skirt"].pk, catalog["jeans"].pk]
    assert {hit["item"]["category"] for hit in response.data["results"]} == {"bottoms"}
    assert _scores(response) == sorted(_scores(response), reverse=True)


def test_complete_the_look_falls_back_to_colour_harmony(anon_api, catalog):
    ids = _ids(anon_api.get(f"/api/v1/recommendations/complete/{catalog['blouse'].pk}"))
    assert ids[0] in {catalog["jeans"].pk, catalog["shorts"].pk}  # blue and navy suit red; red on red less so
    assert ids[-1] == catalog["skirt"].pk
    assert anon_api.get(f"/api/v1/recommendations/complete/{catalog['dress'].pk}").data["results"] == []


def test_colour_harmony_rules():
    assert color_harmony("navy", "red") > color_harmony("red", "pink")
    assert color_harmony("red", "green") > color_harmony("red", "yellow")
    assert color_harmony("white", "teal") == 0.8 and color_harmony(None, "red") == 0.3


def test_item_and_home_pages_show_recommendations(client, shopper, catalog):
    client.force_login(shopper)
    Combination.objects.create(user=UserFactory(), top=catalog["tee"], bottom=catalog["skirt"])
    page = client.get(f"/catalog/{catalog['tee'].pk}/").content
    assert b"You may also like" in page and b"Complete the look" in page
    home = client.get("/").content
    assert b"Trending now" in home and b"Picked for you" in home


def test_each_item_view_is_logged_once(client, api, shopper, small_catalog):
    client.force_login(shopper)
    for _ in range(2):
        client.get(f"/catalog/{small_catalog['tee'].pk}/")
    api.get(f"/api/v1/clothes/{small_catalog['jeans'].pk}")
    views = Interaction.objects.filter(user=shopper, kind=Interaction.Kind.VIEW)
    assert sorted(views.values_list("item_id", flat=True)) == sorted(
        [small_catalog["tee"].pk, small_catalog["tee"].pk, small_catalog["jeans"].pk])


def test_views_are_logged_from_the_catalogs_announcement_not_from_history_writes(shopper, small_catalog):
    history_record(user=shopper, item=small_catalog["tee"])  # e.g. a data import: no shopper looked
    assert not Interaction.objects.filter(user=shopper).exists()
    clothing_view_announce(user=shopper, item=small_catalog["jeans"])
    assert list(Interaction.objects.filter(user=shopper).values_list("item_id", "kind")) == [
        (small_catalog["jeans"].pk, Interaction.Kind.VIEW)]
