"""django-q2 entry points for keeping search in step with the catalog."""

from catalog.models import ClothingItem
from search.encoders import get_encoder
from search.enrichment import item_enrich as _item_enrich
from search.store import index_remove, index_upsert


def item_enrich(item_id: int) -> None:
    item = ClothingItem.objects.select_related("category").filter(pk=item_id).first()
    if item is not None:
        _item_enrich(item=item)


def items_reindex(item_ids: list[int]) -> None:
    """Active items go (back) into the index; inactive or deleted ones come out."""
    encoder = get_encoder()
    items = list(ClothingItem.objects.select_related("category").filter(pk__in=item_ids))
    index_upsert(encoder=encoder, items=items)
    gone = set(item_ids) - {item.pk for item in items}
    if gone:
        index_remove(encoder=encoder, item_ids=sorted(gone))
