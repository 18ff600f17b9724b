import importlib
import io

import factory
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from accounts.models import User
from catalog.models import Category, ClothingItem

PASSWORD = "correct-horse-battery-9"


def image_bytes(*, size=(60, 80), color=(200, 30, 30), fmt="JPEG", garment: bool = False) -> bytes:
    """A plain image, or with garment=True a coloured garment-like block on a light floor."""
    image = Image.new("RGB", size, (222, 214, 200) if garment else color)
    if garment:
        width, height = size
        ImageDraw.Draw(image).rectangle([width // 4, height // 6, 3 * width // 4, 5 * height // 6], fill=color)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"shopper{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


_MIGRATION = importlib.import_module("catalog.migrations.0002_default_categories")


def category(slug: str) -> Category:
    """The migration's categories; recreated after transactional tests flush the tables."""
    slug, name, noun, region, classes, position = next(c for c in _MIGRATION.CATEGORIES if c[0] == slug)
    return Category.objects.get_or_create(slug=slug, defaults={
        "name": name, "item_noun": noun, "body_region": region, "source_classes": classes, "position": position,
    })[0]


class ClothingItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClothingItem

    category = factory.LazyFunction(lambda: category("tops"))
    attributes = factory.Sequence(lambda n: {"type": "t-shirt", "color": ["red", "navy", "teal"][n % 3]})
    image = factory.LazyFunction(lambda: ContentFile(image_bytes(), name="garment.jpg"))
    price = "19.90"


def garment(*, slug: str, title: str, color, attributes=None, **fields):
    """A catalog item whose photo is a garment-coloured block on a light floor."""
    return ClothingItemFactory(
        category=category(slug), title=title, attributes=attributes or {},
        image=ContentFile(image_bytes(size=(120, 160), color=color, garment=True), name="g.jpg"), **fields)


# A small catalog of titled, coloured garments that search, recommendation and try-on tests name.
SMALL_CATALOG = {
    "dress": {"slug": "dresses", "title": "Red Floral Summer Dress", "color": (200, 30, 40),
              "attributes": {"type": "dress", "color": "red", "pattern": "floral"}, "tags": ["summer"]},
    "jacket": {"slug": "tops", "title": "Black Leather Biker Jacket", "color": (20, 20, 20),
               "attributes": {"type": "jacket", "color": "black", "material": "leather"}},
    "tee": {"slug": "tops", "title": "White Cotton T-Shirt", "color": (245, 245, 245),
            "attributes": {"type": "t-shirt", "color": "white"}},
    "jeans": {"slug": "bottoms", "title": "Blue Denim Jeans", "color": (40, 70, 160),
              "attributes": {"type": "jeans", "color": "blue", "material": "denim"}},
    "skirt": {"slug": "bottoms", "title": "Red Pleated Skirt", "color": (190, 35, 45),
              "attributes": {"type": "skirt", "color": "red"}},
}


def small_catalog_items(*names: str) -> dict:
    """The named garments of SMALL_CATALOG (all of them when none is named), created."""
    return {name: garment(**SMALL_CATALOG[name]) for name in names or SMALL_CATALOG}
