from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import Category, ClothingItem


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def clothing_list() -> QuerySet[ClothingItem]:
    """Active items only: shoppers never see what a curator switched off (filters: catalog/filters.py)."""
    return ClothingItem.objects.filter(is_active=True).select_related("category")


def clothing_get(*, item_id: int) -> ClothingItem:
    return get_object_or_404(clothing_list(), pk=item_id)


def clothing_price_quantile(*, q: float) -> Decimal | None:
    """The price below which a share `q` of the priced active items lie (None for an unpriced catalog)."""
    prices = clothing_list().exclude(price=None).order_by("price").values_list("price", flat=True)
    count = prices.count()
    return prices[min(count - 1, int(count * q))] if count else None
