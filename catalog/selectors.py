from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import CatalogVersion, Category, ClothingItem


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


def catalog_version_and_closet_counts(*, item_ids: list[int]) -> tuple[str | None, dict[int, int]]:
    """The catalog's version (None while its row is missing) and these items' closet counts, read in
    one statement, so both come from one snapshot. It runs on every cached catalog page, so it is
    written in SQL: as two ORM queries it took about 0.6 ms of CPU here (composing them), as this
    statement 0.05 ms, where a cached page costs about 1 ms in all."""
    version, item = CatalogVersion._meta, ClothingItem._meta
    wanted = ", ".join(["%s"] * len(item_ids)) or "NULL"  # NULL: no item matches, the version row stays
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v.token, i.id, i.closet_users FROM {version.db_table} v "
                       f"LEFT JOIN {item.db_table} i ON i.id IN ({wanted}) WHERE v.id = %s",
                       [*item_ids, CatalogVersion.ROW])
        rows = cursor.fetchall()
    if not rows:
        return None, {}
    return rows[0][0], {pk: count for _, pk, count in rows if pk is not None}
