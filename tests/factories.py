import importlib
import io

import factory
from django.core.files.base import ContentFile
from PIL import Image

from accounts.models import User
from catalog.models import Category, ClothingItem

PASSWORD = "correct-horse-battery-9"


def image_bytes(*, size=(60, 80), color=(200, 30, 30), fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
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
