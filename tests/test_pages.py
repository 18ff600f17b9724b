import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Photo, User
from closet.models import ClosetItem, HistoryEntry
from tests.factories import PASSWORD, ClothingItemFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, shopper):
    client.force_login(shopper)
    return client


@pytest.mark.parametrize("url", ["/", "/catalog/", "/catalog/?category=tops", "/accounts/login/",
                                 "/accounts/register/"])
def test_public_pages_render(client, tops, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/closet/", "/closet/history/", "/outfits/", "/accounts/",
                                 "/accounts/photos/upload/"])
def test_private_pages_redirect_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unknown_category_page_is_a_friendly_404(client):
    response = client.get("/catalog/?category=hats")
    assert response.status_code == 404 and b"does not exist" in response.content


def test_catalog_paginates(client):
    ClothingItemFactory.create_batch(30)
    first, second = client.get("/catalog/"), client.get("/catalog/?page=2")
    assert first.content.count(b'class="card"') == 24 and second.content.count(b'class="card"') == 6


def test_register_page_signs_the_shopper_in(client):
    response = client.post("/accounts/register/", {
        "username": "carol", "email": "", "password": PASSWORD, "password_confirm": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/photos/upload/"
    assert response.context["user"].username == "carol"


def test_register_page_explains_errors(client):
    UserFactory(username="carol")
    response = client.post("/accounts/register/", {
        "username": "CAROL", "password": "123", "password_confirm": "1234"})
    assert b"already taken" in response.content and b"do not match" in response.content
    assert User.objects.count() == 1


def test_login_and_logout(client):
    UserFactory(username="dave")
    response = client.post("/accounts/login/", {"username": "Dave", "password": PASSWORD, "next": "/closet/"})
    assert response.url == "/closet/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/closet/").status_code == 302


def test_login_never_redirects_off_site(client):
    UserFactory(username="erin")
    response = client.post("/accounts/login/", {"username": "erin", "password": PASSWORD,
                                                "next": "https://evil.example/"})
    assert response.url == "/"


def test_login_with_a_next_that_is_not_a_path_goes_home(client):
    UserFactory(username="fay")
    response = client.post("/accounts/login/", {"username": "fay", "password": PASSWORD, "next": "abc"})
    assert response.status_code == 302 and response.url == "/"


def test_photo_upload_page_accepts_a_photo_and_explains_a_bad_one(signed_in, shopper):
    bad = SimpleUploadedFile("me.jpg", b"<html>", content_type="image/jpeg")
    response = signed_in.post("/accounts/photos/upload/", {"image": bad})
    assert b"not a valid JPEG, PNG or WEBP image" in response.content
    good = SimpleUploadedFile("me.jpg", image_bytes(), content_type="image/jpeg")
    uploaded = signed_in.post("/accounts/photos/upload/", {"image": good}, follow=True)
    assert (b"This photo cannot be used for try-on: We could not find a person in this photo. It was not made "
            b"your primary photo.") in uploaded.content
    photo = Photo.objects.get(owner=shopper)
    assert f"/api/v1/photos/{photo.pk}/file".encode() in signed_in.get("/accounts/").content


def test_detail_page_records_history_and_adds_to_closet(signed_in, shopper, tops):
    item = tops[0]
    page = signed_in.get(f"/catalog/{item.pk}/")
    assert b"Add to closet" in page.content
    assert HistoryEntry.objects.filter(user=shopper, item=item).exists()
    response = signed_in.post(f"/closet/add/{item.pk}/", {"next": f"/catalog/{item.pk}/"}, follow=True)
    assert b"is in your closet" in response.content and b"Remove from closet" in response.content
    assert item.title.encode() in signed_in.get("/closet/").content


def test_closet_page_shows_the_cap_message(signed_in, shopper, tops):
    for item in tops[:5]:
        ClosetItem.objects.create(user=shopper, item=item)
    response = signed_in.post(f"/closet/add/{tops[5].pk}/", follow=True)
    # Pages speak to the shopper; the API keeps its wording for integrators (tests/test_closet.py).
    assert (b'You can keep 5 tops. Remove one to add another. <a href="/closet/">Open your closet</a>'
            in response.content)
    assert b"Max 5 tops" not in response.content
    assert b"5/5 tops" in response.content and not ClosetItem.objects.filter(item=tops[5]).exists()


def test_closet_page_counts_items_per_category(signed_in, shopper, tops, bottom):
    for item in (*tops[:3], bottom):
        ClosetItem.objects.create(user=shopper, item=item)
    page = signed_in.get("/closet/").content.decode()
    assert "3/5 tops" in page and "1/5 bottoms" in page and "0/5 dresses" in page


def test_outfits_page_saves_an_outfit_from_the_closet(signed_in, shopper, tops, bottom):
    for item in (tops[0], bottom):
        ClosetItem.objects.create(user=shopper, item=item)
    response = signed_in.post("/outfits/", {"top": tops[0].pk, "bottom": bottom.pk}, follow=True)
    assert b"Outfit saved." in response.content
    assert shopper.combinations.count() == 1


def test_pages_do_not_show_other_shoppers_data(client, shopper, other_shopper, tops):
    ClosetItem.objects.create(user=other_shopper, item=tops[0])
    client.force_login(shopper)
    page = client.get("/closet/").content.decode()
    closet_part = page.split('id="for-you"')[0]  # recommendations below may show popular items
    assert "Your closet is empty" in closet_part and tops[0].title not in closet_part


def test_password_reset_by_email_through_djangos_views(client):
    from django.core import mail

    UserFactory(username="quinn", email="quinn@example.com")
    response = client.post("/accounts/password-reset/", {"email": "quinn@example.com"}, follow=True)
    assert b"Check your email" in response.content
    [message] = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(link.replace("http://testserver", ""), follow=True)
    assert b"Choose a new password" in form_page.content
    done = client.post(form_page.redirect_chain[-1][0], {
        "new_password1": "a-brand-new-secret-42", "new_password2": "a-brand-new-secret-42"}, follow=True)
    assert b"Password changed" in done.content
    assert client.login(username="quinn", password="a-brand-new-secret-42")


def test_password_reset_does_not_reveal_whether_an_address_exists(client):
    from django.core import mail

    response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"}, follow=True)
    assert b"Check your email" in response.content and not mail.outbox


def test_item_page_zooms_hides_closet_counts_and_offers_try_on_to_visitors(client, tops):
    item = tops[0]
    ClothingItemFactory._meta.model.objects.filter(pk=item.pk).update(closet_users=3)
    page = client.get(f"/catalog/{item.pk}/").content.decode()
    # The picture links to its full-size file (works without script), and a dialog shows it with script.
    assert f'<a class="zoomable" href="{item.image.url}" data-zoom' in page and 'id="zoom-dialog"' in page
    assert "Open full size" in page and 'width="600"' in page
    assert "In closets" not in page  # a curator's number, not a shopper's
    assert f'href="/accounts/login/?next=%2Foutfits%2Fstudio%2F%3Fitem%3D{item.pk}">Try it on</a>' in page
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    staff_page = client.get(f"/catalog/{item.pk}/").content.decode()
    assert "<dt>In closets</dt><dd>3</dd>" in staff_page
    assert f'href="/outfits/studio/?item={item.pk}">Try it on</a>' in staff_page


def test_signing_in_from_try_it_on_lands_in_the_studio_with_the_item(client, tops):
    UserFactory(username="vera")
    response = client.post(f"/accounts/login/?next=/outfits/studio/?item={tops[0].pk}",
                           {"username": "vera", "password": PASSWORD,
                            "next": f"/outfits/studio/?item={tops[0].pk}"})
    assert response.status_code == 302 and response.url == f"/outfits/studio/?item={tops[0].pk}"


def test_outfit_deletion_asks_first_and_works_without_script(signed_in, shopper, tops, other_shopper, client):
    from tryon.models import Combination

    outfit = Combination.objects.create(user=shopper, top=tops[0])
    listing = signed_in.get("/outfits/").content.decode()
    assert f'href="/outfits/{outfit.pk}/delete/"' in listing
    confirm = signed_in.get(f"/outfits/{outfit.pk}/delete/")
    assert confirm.status_code == 200 and b"Delete this outfit?" in confirm.content
    assert str(outfit).encode() in confirm.content
    assert Combination.objects.filter(pk=outfit.pk).exists()
    done = signed_in.post(f"/outfits/{outfit.pk}/delete/", follow=True)
    assert b"Outfit deleted." in done.content and not Combination.objects.exists()
    client.force_login(other_shopper)
    kept = Combination.objects.create(user=shopper, top=tops[1])
    assert client.get(f"/outfits/{kept.pk}/delete/").status_code == 404
    assert client.post(f"/outfits/{kept.pk}/delete/").status_code == 404 and Combination.objects.filter(pk=kept.pk).exists()


# --- The shop's 404 page under DEBUG (core/notfound.py), and the favicon ---------------------------

@pytest.fixture
def debug_client(settings):
    """A client whose handler loads MIDDLEWARE with DEBUG on, as `make run` does."""
    from django.test import Client

    settings.DEBUG = True
    return Client()


@pytest.mark.parametrize("url", ["/no-such-page/", "/catalog/999999/", "/catalog/nope/"])
def test_debug_server_answers_unknown_urls_with_the_shop_404_page(debug_client, settings, url):
    response = debug_client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page and 'href="/"' in page
    assert "URLconf" not in page and "DEBUG = True" not in page  # Django's technical page lists every pattern
    assert 'aria-label="Main"' in page  # the whole layout, menu included


def test_debug_server_keeps_the_api_error_format_and_the_slash_redirect(debug_client):
    response = debug_client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    redirect = debug_client.get("/catalog")
    assert redirect.status_code == 301 and redirect.url == "/catalog/"


def test_debug_404_setting_brings_back_djangos_technical_page(settings):
    from django.test import Client

    settings.DEBUG, settings.DEBUG_404 = True, True
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "URLconf" in response.content.decode()


def test_pages_name_a_favicon_and_the_conventional_path_finds_it(client, tops):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/favicon.svg"
