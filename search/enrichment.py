"""Catalog enrichment: what a curator would otherwise type, computed from the garment photo."""

import logging
from typing import Callable

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from catalog.models import ClothingItem
from catalog.titles import clothing_title_build
from core.uploads import stored_image_rgb, stored_mask
from search.encoders import get_encoder
from search.encoders.base import SPACES, Encoder
from search.store import embeddings_store, index_build, index_upsert, item_text, items_needing_embedding

ENCODE_BATCH = 32
logger = logging.getLogger(__name__)


def _fill_cutout(item: ClothingItem, image: Image.Image) -> None:
    """The garment's cut-out (mask, photo style, problem) and its landmarks, once per photo."""
    from tryon.engines.keypoints import garment_landmarks
    from vision.garment import garment_cutout, mask_to_png_bytes

    region = item.category.body_region
    cutout = garment_cutout(image, region=region)
    item.mask.save(f"{item.pk}.png", ContentFile(mask_to_png_bytes(cutout.mask)), save=False)
    item.cutout_style, item.cutout_problem = cutout.style, cutout.problem
    item.landmarks = garment_landmarks(cutout.mask, region)


def _fill_attributes(item: ClothingItem, image: Image.Image, encoder: Encoder) -> None:
    from vision.colors import dominant_colors

    mask = stored_mask(item.mask)
    colors = dominant_colors(image, mask)
    item.enrichment = {**item.enrichment, "colors": [[name, round(share, 3)] for name, share in colors]}
    if colors and not item.attributes.get("color"):
        item.attributes = {**item.attributes, "color": colors[0][0]}
    if hasattr(encoder, "zero_shot_scores"):
        from search.attributes import zero_shot_attributes

        found = zero_shot_attributes(scorer=encoder, image=image, mask=mask, category_slug=item.category.slug)
        item.enrichment["zero_shot"] = {key: [value, round(conf, 3)] for key, (value, conf) in found.items()}
        # The curator's words always win; confident guesses only fill gaps.
        item.attributes = {**{key: value for key, (value, _) in found.items()}, **item.attributes}


def _generated_title(item: ClothingItem) -> str:
    return clothing_title_build(attributes=item.attributes, item_noun=item.category.item_noun,
                                body_region=item.category.body_region)


def item_analyse(*, item: ClothingItem, encoder: Encoder, force: bool = False) -> ClothingItem:
    """Cut-out and landmarks, colours and attributes. Saved with update() so that enrichment does not trigger
    itself again through the save signal."""
    image = stored_image_rgb(item.image)
    title_was_generated = item.title == _generated_title(item)
    old_mask = item.mask.name
    if force or not item.mask or not item.cutout_style:  # items masked before cut-outs had styles
        _fill_cutout(item, image)
    _fill_attributes(item, image, encoder)
    if title_was_generated:  # a curator's own title is never replaced
        item.title = _generated_title(item)
    item.enrichment["image"] = item.image.name  # which photo this analysis is of (item_enrich)
    # updated_at moves as save() would move it: cached API payloads are keyed by it (catalog/payloads.py).
    ClothingItem.objects.filter(pk=item.pk).update(
        mask=item.mask.name, cutout_style=item.cutout_style, cutout_problem=item.cutout_problem,
        landmarks=item.landmarks, attributes=item.attributes, enrichment=item.enrichment, title=item.title,
        updated_at=timezone.now())
    if old_mask and old_mask != item.mask.name:  # update() sends no signal for core.files to act on
        transaction.on_commit(lambda: item.mask.storage.delete(old_mask))
    return item


def item_enrich(*, item: ClothingItem, force: bool = False) -> ClothingItem:
    """Everything a new or re-photographed item needs to be found: analysis, vectors, index.

    An analysis of this very photo is not redone unless forced (the admin's "enrich again"): the save
    signal queues this for every imported item, and `seed_demo` (build_search_index) has analysed
    them all by the time `make run` starts a worker. Vectors already encoded are not encoded again."""
    encoder = get_encoder()
    if force or item.enrichment.get("image") != item.image.name:
        item_analyse(item=item, encoder=encoder, force=True)
    items_embed(encoder=encoder, items=[item])
    index_upsert(encoder=encoder, items=[item])
    return item


def _stored_pictures(items: list[ClothingItem]) -> tuple[list[ClothingItem], list[tuple]]:
    """The items whose photo and mask can still be read, with them. A file can vanish under a reader: a worker
    re-analysing the same item (build_search_index beside the enrichment of an import) replaces its mask and
    deletes the old one; that worker then embeds and indexes the item with its new files, so skip it here."""
    kept, pictures = [], []
    for item in items:
        try:
            pictures.append((stored_image_rgb(item.image), stored_mask(item.mask)))
        except FileNotFoundError:
            logger.info("Item %s changed while it was being encoded; its enrichment task encodes it.", item.pk)
            continue
        kept.append(item)
    return kept, pictures


def items_embed(*, encoder: Encoder, items: list[ClothingItem]) -> int:
    """Encode what changed since it was last encoded; returns how many vectors were written."""
    written = 0
    for space in SPACES:
        stale = items_needing_embedding(encoder=encoder, space=space, items=items)
        for start in range(0, len(stale), ENCODE_BATCH):
            batch = stale[start:start + ENCODE_BATCH]
            if space == "image":
                batch, pictures = _stored_pictures(batch)
                if not batch:
                    continue
                vectors = encoder.encode_images([image for image, _ in pictures], [mask for _, mask in pictures])
            else:
                vectors = encoder.encode_item_texts([item_text(i) for i in batch])
            embeddings_store(encoder=encoder, space=space, items=batch, vectors=vectors)
            written += len(batch)
    return written


def search_index_rebuild(*, batch_size: int = 64, progress: Callable[[int], None] = lambda done: None
                         ) -> tuple[int, dict[str, int]]:
    """Analyse active items never enriched, encode what changed, rebuild every space's index (and publish
    it, across machines). Resumable: work already stored is not redone. Returns the vectors encoded and
    each space's size; `progress(n)` hears of each batch of n items."""
    encoder = get_encoder()
    items = ClothingItem.objects.filter(is_active=True).select_related("category").order_by("pk")
    encoded = 0
    for start in range(0, items.count(), batch_size):
        batch = list(items[start:start + batch_size])
        for item in batch:
            if not item.enrichment:
                item_analyse(item=item, encoder=encoder)
        encoded += items_embed(encoder=encoder, items=batch)
        progress(len(batch))
    return encoded, {space: len(index_build(encoder=encoder, space=space)) for space in SPACES}
