import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import ClothingItemFactory, UserFactory, category, garment


@pytest.fixture
def shopper(db):
    return UserFactory()


@pytest.fixture
def other_shopper(db):
    return UserFactory()


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(shopper) -> APIClient:
    """An API client signed in as `shopper` with a token."""
    return _token_client(shopper)


@pytest.fixture
def other_api(other_shopper) -> APIClient:
    return _token_client(other_shopper)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def tops(db):
    return ClothingItemFactory.create_batch(7, category=category("tops"))


@pytest.fixture
def bottom(db):
    return ClothingItemFactory(category=category("bottoms"), attributes={"type": "jeans", "color": "blue"})


@pytest.fixture
def dress(db):
    return ClothingItemFactory(category=category("dresses"), attributes={"type": "dress", "length": "midi"})


@pytest.fixture
def small_catalog(db):
    return {
        "dress": garment(slug="dresses", title="Red Floral Summer Dress", color=(200, 30, 40),
                         attributes={"type": "dress", "color": "red", "pattern": "floral"}, tags=["summer"]),
        "jacket": garment(slug="tops", title="Black Leather Biker Jacket", color=(20, 20, 20),
                          attributes={"type": "jacket", "color": "black", "material": "leather"}),
        "tee": garment(slug="tops", title="White Cotton T-Shirt", color=(245, 245, 245),
                       attributes={"type": "t-shirt", "color": "white"}),
        "jeans": garment(slug="bottoms", title="Blue Denim Jeans", color=(40, 70, 160),
                         attributes={"type": "jeans", "color": "blue", "material": "denim"}),
        "skirt": garment(slug="bottoms", title="Red Pleated Skirt", color=(190, 35, 45),
                         attributes={"type": "skirt", "color": "red"}),
    }
