import django_filters

from catalog.models import Category


def category_filter(*, field_name: str) -> django_filters.ModelChoiceFilter:
    """?category=<slug>; an unknown slug is a 400, never an empty list."""
    return django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", field_name=field_name,
        help_text="Only this category: a slug from /api/v1/categories (tops, bottoms, dresses).",
        error_messages={"invalid_choice": "Unknown category. Use one of the slugs from /api/v1/categories."},
    )


class ClothingFilter(django_filters.FilterSet):
    category = category_filter(field_name="category")
