"""The three launch categories are data: curators may rename them or add more in the admin."""

from django.db import migrations

CATEGORIES = [
    ("tops", "Tops", "top", "upper", ["t-shirt", "shirt", "longsleeve", "outwear"], 1),
    ("bottoms", "Bottoms", "bottom", "lower", ["pants", "shorts", "skirt"], 2),
    ("dresses", "Dresses", "dress", "full", ["dress"], 3),
]


def create_categories(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for slug, name, noun, region, classes, position in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={
            "name": name, "item_noun": noun, "body_region": region, "source_classes": classes,
            "position": position,
        })


def remove_categories(apps, schema_editor):
    apps.get_model("catalog", "Category").objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(create_categories, remove_categories)]
