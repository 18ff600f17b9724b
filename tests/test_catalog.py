from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from catalog.models import ClothingItem
from catalog.signals import item_viewed
from tests.factories import ClothingItemFactory, UserFactory, category, image_bytes
from tryon.engines.keypoints import garment_landmarks
from vision.garment_problems import PROBLEMS

pytestmark = pytest.mark.django_db
DEMO = Path(settings.BASE_DIR) / "catalog" / "demo"
SHARED_TRAIN = Path(settings.BASE_DIR).parent / "shared" / "data" / "clothing" / "train"


def test_list_is_public_paginated_and_hides_inactive_items(anon_api):
    ClothingItemFactory.create_batch(23)
    hidden = ClothingItemFactory(is_active=False)
    first = anon_api.get("/api/v1/clothes").data
    second = anon_api.get("/api/v1/clothes?page=2").data
    assert first["count"] == 23 and len(first["results"]) == 20 and len(second["results"]) == 3
    ids = {item["id"] for item in first["results"] + second["results"]}
    assert hidden.pk not in ids
    assert anon_api.get(f"/api/v1/clothes/{hidden.pk}").status_code == 404


def test_list_filters_by_category(anon_api, tops, dress):
    results = anon_api.get("/api/v1/clothes?category=dresses").data["results"]
    assert [item["id"] for item in results] == [dress.pk]
    assert results[0]["body_region"] == "full"


@pytest.mark.parametrize("query", ["category=hats", "page=999", "page=abc"])
def test_bad_list_parameters_are_4xx_in_the_error_format(anon_api, tops, query):
    response = anon_api.get(f"/api/v1/clothes?{query}")
    assert response.status_code in (400, 404)
    assert response.data["error"]["message"]


def test_detail_shows_attributes_details_and_a_public_image_url(anon_api, client):
    item = ClothingItemFactory(brand="Lumen", tags=["summer"], sizes=["S", "M"])
    data = anon_api.get(f"/api/v1/clothes/{item.pk}").data
    assert data["brand"] == "Lumen" and data["tags"] == ["summer"] and data["category"] == "tops"
    assert client.get(data["image"].replace("http://testserver", "")).status_code == 200


@pytest.fixture
def announced():
    """The (user, item) of every item_viewed sent while the test runs."""
    views = []

    def listen(sender, user, item, **kwargs):
        views.append((user.pk, item.pk))

    item_viewed.connect(listen, dispatch_uid="test_announced")
    yield views
    item_viewed.disconnect(dispatch_uid="test_announced")


def test_item_page_and_api_announce_a_signed_in_shoppers_view(client, api, shopper, tops, announced):
    client.force_login(shopper)
    client.get(f"/catalog/{tops[0].pk}/")
    api.get(f"/api/v1/clothes/{tops[1].pk}")
    assert announced == [(shopper.pk, tops[0].pk), (shopper.pk, tops[1].pk)]


def test_anonymous_views_are_not_announced(client, anon_api, tops, announced):
    client.get(f"/catalog/{tops[0].pk}/")
    anon_api.get(f"/api/v1/clothes/{tops[0].pk}")
    assert announced == []


def test_categories_endpoint_lists_the_data_driven_categories(anon_api):
    assert [c["slug"] for c in anon_api.get("/api/v1/categories").data] == ["tops", "bottoms", "dresses"]


def test_import_catalog_is_idempotent_and_applies_captions():
    call_command("import_catalog", str(DEMO), verbosity=0)
    count = ClothingItem.objects.count()
    call_command("import_catalog", str(DEMO), verbosity=0)
    assert count == ClothingItem.objects.count() == 48
    assert ClothingItem.objects.filter(category__slug="dresses").count() == 6
    assert ClothingItem.objects.exclude(brand="").count() == 48
    assert all(item.title for item in ClothingItem.objects.all())


def test_import_catalog_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_catalog", str(tmp_path / "nope"))


def test_import_catalog_skips_bad_images_and_unknown_folders(tmp_path, capsys):
    (tmp_path / "hats").mkdir()
    (tmp_path / "dress").mkdir()
    (tmp_path / "dress" / "broken.jpg").write_bytes(b"<html>not an image</html>")
    (tmp_path / "dress" / "good.jpg").write_bytes(image_bytes())
    call_command("import_catalog", str(tmp_path), verbosity=0)
    assert list(ClothingItem.objects.values_list("source_id", flat=True)) == ["dress/good.jpg"]
    err = capsys.readouterr().err
    assert "hats" in err and "broken.jpg" in err


@pytest.mark.skipif(not SHARED_TRAIN.is_dir(), reason="../shared/data/clothing is not present")
def test_import_catalog_maps_dataset_classes_to_categories():
    call_command("import_catalog", str(SHARED_TRAIN), "--limit", "2", verbosity=0)
    by_category = {slug: ClothingItem.objects.filter(category__slug=slug).count()
                   for slug in ("tops", "bottoms", "dresses")}
    assert by_category == {"tops": 8, "bottoms": 6, "dresses": 2}
    assert ClothingItem.objects.filter(source_id__startswith="skirt/").first().attributes["type"] == "skirt"


# --- Admin -----------------------------------------------------------------------------------

@pytest.fixture
def curator_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_changelist_with_thumbnails_and_attribute_filters(curator_client):
    ClothingItemFactory(attributes={"type": "shirt", "color": "navy"})
    page = curator_client.get("/admin/catalog/clothingitem/?color=navy&category__id__exact=%d"
                              % category("tops").pk)
    assert page.status_code == 200
    assert b"<img" in page.content and b"navy" in page.content


def test_admin_edits_caption_attributes_as_fields(curator_client):
    item = ClothingItemFactory(attributes={"type": "shirt", "color": "navy", "custom": "kept"})
    form = curator_client.get(f"/admin/catalog/clothingitem/{item.pk}/change/")
    assert b'name="attr_color"' in form.content and b'value="navy"' in form.content
    response = curator_client.post(f"/admin/catalog/clothingitem/{item.pk}/change/", {
        "title": "", "category": item.category.pk, "is_active": "on", "attr_type": "shirt",
        "attr_color": "burgundy", "attr_pattern": "", "price": "10.00", "tags": "", "sizes": "",
    })
    assert response.status_code == 302, response.content[:2000]
    item.refresh_from_db()
    assert item.attributes == {"type": "shirt", "color": "burgundy", "custom": "kept"}
    assert item.title == "Burgundy Shirt"


def test_admin_bulk_deactivate_and_activate(curator_client):
    items = ClothingItemFactory.create_batch(3)
    ids = [str(item.pk) for item in items]
    curator_client.post("/admin/catalog/clothingitem/", {"action": "deactivate", "_selected_action": ids})
    assert not ClothingItem.objects.filter(is_active=True).exists()
    curator_client.post("/admin/catalog/clothingitem/", {"action": "activate", "_selected_action": ids})
    assert ClothingItem.objects.filter(is_active=True).count() == 3


def test_admin_is_closed_to_shoppers(client, shopper):
    client.force_login(shopper)
    assert client.get("/admin/catalog/clothingitem/").status_code == 302


def test_admin_queues_enrichment_again_on_the_bulk_queue(curator_client, monkeypatch, settings):
    settings.Q_BULK_CLUSTER = "bulk"
    queued = []
    monkeypatch.setattr("jobs.services.async_task",
                        lambda task, item_id, cluster, **kwargs: queued.append((task, item_id, cluster, kwargs)))
    item = ClothingItemFactory()
    curator_client.post("/admin/catalog/clothingitem/", {"action": "enrich_again", "_selected_action": [item.pk]})
    assert queued == [("search.tasks.item_enrich", item.pk, "bulk", {"force": True})]  # force: even this photo



def test_admin_lists_flagged_cutouts_under_a_filter_and_explains_the_flag(curator_client):
    flagged = ClothingItemFactory(title="Two Shirts", cutout_style="product", cutout_problem="several_garments")
    ClothingItemFactory(title="Clean Shirt", cutout_style="product", cutout_problem="")
    page = curator_client.get("/admin/catalog/clothingitem/?cutout_problem__exact=several_garments").content.decode()
    assert "Two Shirts" in page and "Clean Shirt" not in page and "several garments" in page
    change = curator_client.get(f"/admin/catalog/clothingitem/{flagged.pk}/change/").content.decode()
    assert "Flagged: try-on refuses this garment." in change and PROBLEMS["several_garments"] in change
    assert flagged.cutout_refusal == PROBLEMS["several_garments"]


def test_admin_draws_the_landmarks_over_the_cutout(curator_client):
    landmarks = garment_landmarks(np.pad(np.ones((60, 40), bool), 10), "upper")
    item = ClothingItemFactory(cutout_style="product", landmarks=landmarks,
                               mask=ContentFile(image_bytes(fmt="PNG"), name="m.png"))
    change = curator_client.get(f"/admin/catalog/clothingitem/{item.pk}/change/").content.decode()
    assert "<svg" in change and change.count("<circle") == len(landmarks["points"])
    assert 'class="ovdr-cutout"' in change and "background:#222" not in change  # the CSP refuses style attributes
    assert item.mask.url in change and "left_armpit" in change and "Sleeveless: yes" in change


def _admin_add(curator_client, image):
    return curator_client.post("/admin/catalog/clothingitem/add/", {
        "title": "", "category": category("tops").pk, "is_active": "on", "image": image,
        "attr_type": "shirt", "attr_color": "navy", "tags": "", "sizes": ""})


@pytest.mark.parametrize("data", [b"", b"<html><script>alert(1)</script></html>", image_bytes()[:200],
                                  image_bytes(fmt="GIF")])
def test_admin_refuses_hostile_images_and_saves_nothing(curator_client, settings, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _admin_add(curator_client, SimpleUploadedFile("shirt.jpg", data, content_type="image/jpeg"))
    assert response.status_code == 400 and b"errorlist" in response.content
    assert not ClothingItem.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.jpg"))


def test_admin_uploads_are_reencoded_under_a_random_name(curator_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _admin_add(curator_client, SimpleUploadedFile("my-shirt.png", image_bytes(fmt="PNG")))
    assert response.status_code == 302
    item = ClothingItem.objects.get()
    assert item.image.name.endswith(".jpg") and "my-shirt" not in item.image.name
    assert item.title == "Navy Shirt"


def test_admin_edits_tags_and_sizes_as_lists_and_colour_from_the_palette(curator_client):
    item = ClothingItemFactory(attributes={"type": "shirt", "color": "navy"}, tags=["casual"], sizes=["S", "M"])
    url = f"/admin/catalog/clothingitem/{item.pk}/change/"
    form = curator_client.get(url).content.decode()
    assert 'value="casual"' in form and 'value="S, M"' in form  # a line of words, not JSON
    assert '<select name="attr_color"' in form and '<option value="burgundy">' in form
    fields = {"title": "", "category": item.category.pk, "is_active": "on", "attr_type": "shirt", "price": "10.00"}
    response = curator_client.post(url, {**fields, "attr_color": "burgundy", "tags": " summer, linen,, summer ",
                                         "sizes": "XS,S , M"})
    assert response.status_code == 302, response.content[:2000]
    item.refresh_from_db()
    assert item.tags == ["summer", "linen"] and item.sizes == ["XS", "S", "M"]
    assert item.attributes["color"] == "burgundy"
    for bad, message in (({"attr_color": "sparkly"}, "Select a valid choice"),
                         ({"tags": "x" * 31}, "Each entry has at most 30 characters"),
                         ({"sizes": ",".join(str(n) for n in range(21))}, "At most 20 entries")):
        refused = curator_client.post(url, {**fields, "attr_color": "navy", "tags": "", "sizes": "", **bad})
        assert refused.status_code == 400 and message in refused.content.decode()
    item.refresh_from_db()
    assert item.tags == ["summer", "linen"]


def test_admin_keeps_a_colour_from_before_the_palette(curator_client):
    item = ClothingItemFactory(attributes={"type": "shirt", "color": "aubergine"})
    url = f"/admin/catalog/clothingitem/{item.pk}/change/"
    assert "aubergine (not in the palette)" in curator_client.get(url).content.decode()
    response = curator_client.post(url, {"title": "", "category": item.category.pk, "is_active": "on",
                                         "attr_type": "shirt", "attr_color": "aubergine", "tags": "", "sizes": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.attributes["color"] == "aubergine"


def test_admin_change_page_has_one_image_row_and_the_list_names_its_controls(curator_client):
    item = ClothingItemFactory(title="Navy Oxford Shirt")
    ClothingItem.objects.filter(pk=item.pk).update(enrichment={
        "colors": [["navy", 0.8], ["white", 0.2]], "zero_shot": {"pattern": ["striped", 0.9]}})
    change = curator_client.get(f"/admin/catalog/clothingitem/{item.pk}/change/").content.decode()
    assert change.count('class="form-row field-image"') == 1 and "field-thumbnail" not in change
    assert f'<img src="{item.image.url}" alt="The current photo" class="ovdr-preview">' in change
    assert "Colours: navy 80%, white 20%<br>Attributes guessed: pattern: striped (90% sure)" in change
    listing = curator_client.get("/admin/catalog/clothingitem/").content.decode()
    assert 'aria-label="Active: Navy Oxford Shirt"' in listing
    # The thumbnail is no longer a second, nameless link to the item.
    assert f'<a href="/admin/catalog/clothingitem/{item.pk}/change/"><img' not in listing
    assert 'class="ovdr-thumbnail"' in listing
