"""Untrusted image uploads: validate fully, then re-encode so nothing of the original file survives.

Every upload route (photos, catalog admin, image search) goes through `image_normalise`, so that a
truncated file, a renamed HTML page or a decompression bomb is refused the same way everywhere.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class NormalisedImage:
    content: ContentFile  # named <random>.jpg, ready for a FileField
    width: int
    height: int


def _read_limited(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"The file is too large: the limit is {max_bytes // (1024 * 1024)} MB.")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"The file is too large: the limit is {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise ValidationError("The file is empty.")
    return data


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Only JPEG, PNG and WEBP images are accepted.")
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    f"The image is too large: {width}x{height} is over {max_pixels // 1_000_000} megapixels."
                )
            image.load()  # decodes every byte: truncated or corrupt files fail here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large to process.")
    except Exception:  # Pillow raises many types for malformed input
        raise ValidationError("The file is not a valid JPEG, PNG or WEBP image, or it is damaged.")
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def image_normalise(*, upload, max_bytes: int | None = None, max_pixels: int | None = None) -> NormalisedImage:
    """Validate an uploaded image and return it re-encoded as a JPEG under a random name.

    Orientation from EXIF is applied to the pixels, and no metadata is kept.
    Raises ValidationError with a message fit to show a shopper.
    """
    max_bytes = max_bytes or settings.OVDR_UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.OVDR_UPLOAD_MAX_PIXELS
    image = _open_checked(_read_limited(upload, max_bytes), max_pixels)
    image = _to_rgb(ImageOps.exif_transpose(image))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, optimize=True)
    return NormalisedImage(
        content=ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg"),
        width=image.width,
        height=image.height,
    )


def stored_image_rgb(field) -> Image.Image:
    """An image already in storage (validated on the way in), decoded as RGB."""
    with field.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    return image.convert("RGB")


def stored_mask(field) -> np.ndarray | None:
    """A stored greyscale mask (255 = inside) as a bool array; None when the field is empty."""
    return np.asarray(stored_image_rgb(field).convert("L")) > 127 if field else None
