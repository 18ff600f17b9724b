"""Catalog items as the API shows them, serialised once per version and shared through the cache: what
a catalog page is built from when the whole page is not cached (catalog/pages.py).

An item's payload is public (the same for every shopper, nothing in it depends on who asks), so it
can be cached. Its key names everything the payload is made of: the item's `updated_at` (every
change of its own fields moves it: save() does, and so does queryset.update() (catalog.models:
CatalogQuerySet)), its category's slug and body region, and the site's address that absolute
image URLs start with. A change thus makes a new key in every process, whatever the cache backend
(locmem per process, Redis shared); the old entry just ages out. `closet_users` changes with every
closet add, so it is read with the page's query and written into the cached payload, never cached.
"""

from django.core.cache import cache
from django.db.models import QuerySet

from catalog.models import ClothingItem
from catalog.serializers import ClothingItemSerializer

PAYLOAD_SECONDS = 24 * 60 * 60
# What names an item's cached payload, with its pk (see _key), and its closet count, which is never cached.
KEY_FIELDS = ("closet_users", "updated_at", "category__slug", "category__body_region")
# What a page needs from the database; the rest comes from the cache (or one query for misses).
PAGE_FIELDS = ("pk", *KEY_FIELDS)
# The columns a payload is made of: the serializer's own and its category's. Reading only these skips the
# JSON columns no payload shows (enrichment, landmarks), each a decode per row.
PAYLOAD_FIELDS = (*(name for name in ClothingItemSerializer.Meta.fields if name != "body_region"), *KEY_FIELDS)


def clothing_page_rows(items: QuerySet[ClothingItem]) -> QuerySet:
    """The narrow form of a list query: no JSON or text columns to sort and carry, and plain rows
    rather than models (no per-row signals)."""
    return items.values(*PAGE_FIELDS)


def clothing_payloads(*, rows: list[dict], request) -> list[dict]:
    """The serialised items of clothing_page_rows(), in order."""
    site = request.build_absolute_uri("/")
    keys = {row["pk"]: _key(row["pk"], row["updated_at"], row["category__slug"], row["category__body_region"], site)
            for row in rows}
    cached = cache.get_many(keys.values())
    payloads = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in payloads]
    if missing:
        # Keyed by what was serialised: an item changed since the page's query gets its new key.
        payloads.update(_serialised(list(_payload_items().filter(pk__in=missing)), site=site, request=request))
    # An item deleted since the page's query is left out, as a fresh query would have.
    return [{**payloads[row["pk"]], "closet_users": row["closet_users"]} for row in rows if row["pk"] in payloads]


def clothing_payload(*, item: ClothingItem, request) -> dict:
    """One item's payload (a closet entry's), from the cache, or serialised from the item read afresh on a
    miss; `item` needs only its KEY_FIELDS (with select_related("category")), and its closet count is the
    instance's own."""
    site = request.build_absolute_uri("/")
    payload = cache.get(_item_key(item, site))
    if payload is None:
        # Keyed by what was serialised, as for a page: an item changed since `item` was read gets its new key.
        full = _payload_items().get(pk=item.pk)
        payload = _serialised([full], site=site, request=request)[full.pk]
    return {**payload, "closet_users": item.closet_users}


def _payload_items() -> QuerySet[ClothingItem]:
    return ClothingItem.objects.select_related("category").only(*PAYLOAD_FIELDS)


def _serialised(items: list[ClothingItem], *, site: str, request) -> dict[int, dict]:
    """Serialise and cache these items' payloads: {pk: payload}."""
    fresh = ClothingItemSerializer(items, many=True, context={"request": request}).data
    cache.set_many({_item_key(item, site): payload for item, payload in zip(items, fresh)}, PAYLOAD_SECONDS)
    return {item.pk: payload for item, payload in zip(items, fresh)}


def _item_key(item: ClothingItem, site: str) -> str:
    return _key(item.pk, item.updated_at, item.category.slug, item.category.body_region, site)


def _key(pk: int, updated_at, category_slug: str, body_region: str, site: str) -> str:
    return f"catalog:item:{pk}:{updated_at.isoformat()}:{category_slug}:{body_region}:{site}"
