from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction

from accounts.models import User
from catalog.models import CAPTION_KEYS, Category, ClothingItem
from catalog.signals import item_viewed
from core.uploads import image_normalise
from jobs.services import bulk_task_enqueue

# "on_sale" is not read: an item is on sale when it has a compare-at price (ClothingItem.save).
DETAIL_KEYS = ("brand", "product_name", "store", "description", "url", "tags", "sizes", "season", "featured",
               "garment_type")
DECIMAL_KEYS = ("price", "rating", "compare_at_price")


def category_for_folder(*, name: str) -> Category | None:
    """A folder named after a category ("tops") or a dataset class ("t-shirt")."""
    name = name.lower()
    for category in Category.objects.all():
        if name == category.slug or name in category.source_classes:
            return category
    return None


def _split_caption(caption: dict) -> tuple[dict, dict]:
    attributes = {k: caption[k] for k in CAPTION_KEYS if caption.get(k)}
    details = {k: caption[k] for k in DETAIL_KEYS if k in caption}
    for key in DECIMAL_KEYS:
        if caption.get(key) not in (None, ""):
            try:
                details[key] = Decimal(str(caption[key]))
            except InvalidOperation:
                raise ValidationError({key: f"Not a number: {caption[key]!r}."})
    return attributes, details


def clothing_import(*, path: Path, category: Category, source_id: str, caption: dict) -> ClothingItem | None:
    """Create an item from an image file; None when that source was imported before."""
    if ClothingItem.objects.filter(source_id=source_id).exists():
        return None
    attributes, details = _split_caption(caption)
    attributes.setdefault("type", path.parent.name if path.parent.name != category.slug else category.item_noun)
    with path.open("rb") as handle:
        normalised = image_normalise(upload=File(handle))
    item = ClothingItem(category=category, attributes=attributes, source_id=source_id, **details)
    item.full_clean(exclude=["image", "title"])
    item.image.save(normalised.content.name, normalised.content, save=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:  # a parallel import took this source first
        item.image.delete(save=False)
        return None
    return item


def clothing_set_active(*, item_ids, active: bool) -> int:
    """Bulk switch (admin actions); update() sends no signals, so search is told here."""
    item_ids = list(item_ids)
    count = ClothingItem.objects.filter(pk__in=item_ids).update(is_active=active)
    if settings.SEARCH_ENRICH_ON_SAVE:
        transaction.on_commit(lambda: bulk_task_enqueue(task="search.tasks.items_reindex", args=(item_ids,)))
    return count


def clothing_view_announce(*, user: User | AnonymousUser, item: ClothingItem) -> None:
    """Tell the apps that keep a history or learn tastes (catalog.signals.item_viewed); a visitor
    who is not signed in has neither, so their views are not announced."""
    if user.is_authenticated:
        item_viewed.send(sender=ClothingItem, user=user, item=item)
