"""Sample model photos: a shopper without a usable photo of their own can try garments on one of these.

A sample belongs to nobody: it is a read-only static file (copies of Apache-2.0 photos, licence and
attribution beside them under static/samples/people/), never a `Photo` row, so no shopper can list,
delete or make it primary, and a try-on names it in its job (`params["sample"]`) instead of a photo.
The result belongs to the job's owner, under the job's own private folder, like any try-on. Its analysis
is computed once per process (`tryon.preprocess.sample_analysis`)."""

from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from PIL import Image, ImageOps


@dataclass(frozen=True)
class Sample:
    name: str
    label: str  # what the picker's image is announced as
    path: str   # under the static files

    @property
    def url(self) -> str:
        return static(self.path)


SAMPLES = {sample.name: sample for sample in (
    Sample("street", "Sample model walking in the street, in a black top and a denim skirt",
           "samples/people/street.jpg"),
    Sample("park", "Sample model standing in a park, in a blue top and dark leggings", "samples/people/park.jpg"),
    Sample("studio", "Sample model standing in a studio, in a white shirt and black trousers",
           "samples/people/studio.jpg"),
)}
SAMPLE_NAMES = tuple(SAMPLES)


def sample_image(name: str) -> Image.Image:
    with Image.open(finders.find(SAMPLES[name].path)) as image:
        return ImageOps.exif_transpose(image).convert("RGB")
