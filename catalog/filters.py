"""The one set of catalog filters and sorts: the API's list and search, and the catalog and search pages.

Each filter narrows a queryset of active items; `sort` orders it. Search ranks by relevance, which
no queryset knows, so it reads the chosen sort from the cleaned data (`ClothingFilter.sort_key`)
and applies it to its hits.
"""

import django_filters
from django import forms
from django.db.models import F, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from catalog.garments import GARMENT_TYPES
from catalog.models import Category
from vision.colors import PALETTE

# Sort key -> the order by which a queryset is sorted; "relevance" is search's own ranking, and in a
# list without a query the shop's default (newest first).
SORTS = {
    "relevance": ("Relevance", ()),
    "newest": ("Newest", ("-created_at", "-id")),
    "price": ("Price: low to high", (F("price").asc(nulls_last=True), "id")),
    "-price": ("Price: high to low", (F("price").desc(nulls_last=True), "-id")),
}
COLORS = sorted(PALETTE)
MAX_SIZE_LENGTH = 10


def category_filter(*, field_name: str) -> django_filters.ModelChoiceFilter:
    """?category=<slug>; an unknown slug is a 400, never an empty list."""
    return django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="slug", field_name=field_name, label="Category",
        empty_label="All categories",
        help_text="Only this category: a slug from /api/v1/categories (tops, bottoms, dresses).",
        error_messages={"invalid_choice": "Unknown category. Use one of the slugs from /api/v1/categories."},
    )


class ClothingFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("The lowest price is above the highest: swap them.")
        return data


class ClothingFilter(django_filters.FilterSet):
    category = category_filter(field_name="category")
    garment_type = django_filters.ChoiceFilter(
        choices=list(GARMENT_TYPES.items()), label="Type", empty_label="Any type",
        help_text=f"Only this kind of garment: one of {', '.join(GARMENT_TYPES)}.")
    color = django_filters.ChoiceFilter(
        choices=[(name, name.capitalize()) for name in COLORS], method="filter_color", label="Colour",
        empty_label="Any colour",
        help_text="Only items of this colour (its shades too: blue finds light blue). "
                  f"One of: {', '.join(COLORS)}.")
    size = django_filters.CharFilter(method="filter_size", max_length=MAX_SIZE_LENGTH, label="Size",
                                     help_text="Only items made in this size (S, M, 32…), as listed in `sizes`.")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0, label="Price from",
                                            help_text="Only items costing at least this much.")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0, label="Price to",
                                            help_text="Only items costing at most this much.")
    on_sale = django_filters.BooleanFilter(
        method="filter_on_sale", label="On sale only", widget=forms.CheckboxInput,
        help_text="true: only reduced items (those with a compare-at price); false or absent: every item.")
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()], method="filter_sort", label="Sort by",
        empty_label=None, help_text="relevance (search; newest in lists), newest, price (low to high) or -price.")

    class Meta:
        form = ClothingFilterForm

    def filter_color(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Colour words live in the caption attributes (enrichment fills them in when a curator did not).
        return queryset.filter(attributes__color__icontains=value)

    def filter_size(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # `sizes` is a JSON list: matching the quoted value finds "M" but not "XM"; the same on MariaDB and SQLite.
        return queryset.filter(sizes__icontains=f'"{value.strip()}"')

    def filter_on_sale(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(on_sale=True) if value else queryset

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        order = SORTS[value][1]
        return queryset.order_by(*order) if order else queryset

    @property
    def sort_key(self) -> str:
        """The chosen sort, once the filterset is valid."""
        return self.form.cleaned_data.get("sort") or "relevance"

    @property
    def is_open(self) -> bool:
        """Whether a page shows its filter panel unfolded: a filter or sort was asked for (or refused)."""
        return any(self.data.get(name) for name in self.filters if name != "category")

    @property
    def narrows(self) -> bool:
        """Whether any filter (not the sort) leaves items out, once the filterset is valid."""
        return any(value not in (None, "", False) for name, value in self.form.cleaned_data.items() if name != "sort")


def filter_parameters(*, exclude: tuple[str, ...] = ()) -> list[OpenApiParameter]:
    """The filters as OpenAPI query parameters, for views that are not plain lists (search), where
    drf-spectacular cannot read a filterset itself."""
    types = {django_filters.NumberFilter: OpenApiTypes.NUMBER, django_filters.BooleanFilter: OpenApiTypes.BOOL}
    parameters = []
    for name, field in ClothingFilter.base_filters.items():
        if name in exclude:
            continue
        choices = [str(value) for value, _ in field.extra.get("choices", [])]
        parameters.append(OpenApiParameter(
            name, types.get(type(field), OpenApiTypes.STR), OpenApiParameter.QUERY,
            description=field.extra.get("help_text", ""), enum=choices or None))
    return parameters
