"""What a worker runs for a try-on: dress alone, or bottom then top, each rendered onto the previous result."""

import io
from dataclasses import replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Photo
from catalog.models import ClothingItem
from core.uploads import stored_image_rgb
from jobs.models import Job
from jobs.services import JobError, Report, job_handler
from tryon.engines import get_engine
from tryon.engines.base import RenderFailed
from tryon.engines_config import engine_settings
from tryon.preprocess import garment_input, photo_analysis, sample_analysis
from tryon.models import RESULT_FILE
from tryon.samples import SAMPLES, sample_image

ORDER = ("dress_id", "bottom_id", "top_id")


def _stage_reporter(report: Report, index: int, total: int) -> Report:
    """Map an engine's 0-100 onto its share of the whole outfit (10-95)."""
    def scaled(progress: int, stage: str = "") -> None:
        report(10 + (85 * index + 85 * progress / 100) / total, stage)

    return scaled


@job_handler(Job.Kind.TRYON)
def tryon_run(*, job: Job, report: Report) -> dict:
    params = job.params
    photo = Photo.objects.filter(pk=params["photo_id"], owner=job.owner).first() if "photo_id" in params else None
    keys = [key for key in ORDER if key in params]
    items = [ClothingItem.objects.select_related("category").filter(pk=params[key]).first() for key in keys]
    if (photo is None and params.get("sample") not in SAMPLES) or not all(items):
        raise JobError("The photo or an item was deleted before the try-on ran.")
    report(2, "preprocessing")
    # A sample model (tryon.samples) is a static file shared by all: read, never written to.
    analysis, problems = photo_analysis(photo=photo) if photo else sample_analysis(params["sample"])
    if analysis is None:
        raise JobError(next(iter(problems.values())))
    person = stored_image_rgb(photo.image) if photo else sample_image(params["sample"])
    engine = get_engine(params["engine"], engine_settings())
    for index, (key, item) in enumerate(zip(keys, items)):
        # ORDER puts the bottom first: the top that follows leaves its waistband be and lies over it.
        garment = replace(garment_input(item=item), over_bottom=key == "top_id" and "bottom_id" in keys)
        try:
            person = engine.render(person=person, analysis=analysis, garment=garment,
                                   report=_stage_reporter(report, index, len(items)), options=params["options"])
        except RenderFailed as exc:  # e.g. out of GPU memory: this job fails, the worker serves the next
            raise JobError(str(exc)) from exc
    report(97, "saving")
    buffer = io.BytesIO()
    person.save(buffer, format="JPEG", quality=92)
    default_storage.save(job.files_prefix + RESULT_FILE, ContentFile(buffer.getvalue()))
    return {"image": RESULT_FILE, "width": person.width, "height": person.height, "engine": engine.name}
