"""The image-search job: find the garments in a photo and the closest catalog items for each."""

from django.core.files.storage import default_storage
from PIL import Image

from catalog.models import Category
from search.encoders import get_encoder
from search.services import QUERY_FILE, SearchUnavailable, nearest_items
from tryon.jobs import JobError, Report, job_handler
from tryon.models import Job


def _categories(*, slug: str | None, region: str | None):
    if slug:
        return Category.objects.filter(slug=slug)
    return Category.objects.filter(body_region=region) if region else None


@job_handler(Job.Kind.IMAGE_SEARCH, inputs=(QUERY_FILE,))
def image_search_run(*, job: Job, report: Report) -> dict:
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
