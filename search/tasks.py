"""What workers run for search: the image-search job, and keeping the index in step with the catalog."""

from django.core.files.storage import default_storage
from PIL import Image

from catalog.models import Category, ClothingItem
from jobs.models import Job
from jobs.services import JobError, Report, job_handler
from search.encoders import get_encoder
from search.enrichment import item_enrich as _item_enrich
from search.enrichment import search_index_rebuild as _search_index_rebuild
from search.services import QUERY_FILE, SearchUnavailable, nearest_items
from search.store import index_remove, index_upsert


def item_enrich(item_id: int, force: bool = False) -> None:
    item = ClothingItem.objects.select_related("category").filter(pk=item_id).first()
    if item is not None:
        _item_enrich(item=item, force=force)


def search_index_rebuild(batch_size: int = 64) -> None:
    _search_index_rebuild(batch_size=batch_size)


def items_reindex(item_ids: list[int]) -> None:
    """Active items go (back) into the index; inactive or deleted ones come out."""
    encoder = get_encoder()
    items = list(ClothingItem.objects.select_related("category").filter(pk__in=item_ids))
    index_upsert(encoder=encoder, items=items)
    gone = set(item_ids) - {item.pk for item in items}
    if gone:
        index_remove(encoder=encoder, item_ids=sorted(gone))


def _categories(*, slug: str | None, region: str | None):
    if slug:
        return Category.objects.filter(slug=slug)
    return Category.objects.filter(body_region=region) if region else None


@job_handler(Job.Kind.IMAGE_SEARCH, inputs=(QUERY_FILE,))
def image_search_run(*, job: Job, report: Report) -> dict:
    """Find the garments in the job's photo and the closest catalog items for each."""
    from search.detection import detect_garments
    from vision.detection import garment_crop

    with default_storage.open(job.files_prefix + QUERY_FILE, "rb") as handle:
        image = Image.open(handle).convert("RGB")
    report(5, "detecting garments")
    garments = detect_garments(image)
    encoder, limit = get_encoder(), job.params.get("limit", 10)
    found = []
    for number, garment in enumerate(garments):
        report(20 + 75 * number // max(len(garments), 1), "matching")
        crop, mask = garment_crop(image, garment)
        vector = encoder.encode_images([crop], [mask])[0]
        try:
            hits = nearest_items(encoder=encoder, space="image", vector=vector, limit=limit,
                                 categories=_categories(slug=job.params.get("category"), region=garment.region))
        except SearchUnavailable as exc:
            raise JobError(str(exc))
        found.append({"box": list(garment.box), "region": garment.region, "matches": [
            {"id": hit.item.pk, "title": hit.item.title, "score": round(hit.score, 4), "image": hit.item.image.url}
            for hit in hits]})
    return {"width": image.width, "height": image.height, "image": QUERY_FILE, "garments": found}
