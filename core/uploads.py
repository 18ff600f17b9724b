"""Untrusted image uploads: validate fully, then re-encode so nothing of the original file survives.

Every upload route (photos, catalog admin, image search) goes through `image_normalise`, so that a
truncated file, a renamed HTML page, a polyglot or a decompression bomb is refused the same way everywhere.
Re-encoding is the real defence; the refusals below turn away files built to attack something, with a
reason a shopper can act on. tests/hostile_files.py holds one example of each.
"""

import io
import re
import uuid
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageCms, ImageOps

# MPO is how Pillow names a JPEG that carries extra frames (phones' depth and HDR gain maps);
# its first frame is the photo.
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
# A 100-megapixel camera is about 12000 px wide, so a longer side is not a photo. A full-body
# photo is about 1:2 and a product shot about 1:1; 1:8 still admits a tall crop, while a
# 1x100000 strip (pixel count within limits) only exists to stress decoders and detectors.
MAX_SIDE = 12_000
MAX_ASPECT_RATIO = 8
# Markup or script a browser would run were the file ever served as a page: searched in the raw
# bytes (EXIF, JPEG comments, PNG text chunks, anything appended) and in PNG's compressed text.
# Each needle pins down 6 bytes or more, so random pixel data matches one about once in 200,000
# photos of 5 MB. "<?xml" and a bare "<svg>" are left out: XML runs nothing, an SVG runs script
# only through an attribute or a script element, and editors write XML into harmless XMP metadata.
MARKUP = re.compile(rb"<(?:script|html[\s>]|body[\s>]|svg\s+[a-z-]+=|iframe|object|embed[\s>]|!doctype|\?php\s)")
# Greyscale deeper than 8 bits (16-bit PNG); Pillow names it by its storage.
DEEP_MODES = {"I", "I;16", "I;16L", "I;16B", "I;16N"}
SRGB = ImageCms.createProfile("sRGB")
EXPORT_AGAIN = "Export the photo again as a plain JPEG, PNG or WEBP image."


@dataclass(frozen=True)
class NormalisedImage:
    content: ContentFile  # named <random>.jpg (a mask: .png), ready for a FileField
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


def _check_shape(width: int, height: int, max_pixels: int) -> None:
    """From the header alone, so a decompression bomb is refused before a pixel is decoded."""
    if width * height > max_pixels:
        raise ValidationError(
            f"The image is too large: {width}x{height} is over {max_pixels // 1_000_000} megapixels."
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ValidationError(f"The image is too long and narrow ({width}x{height}): a photo may be at most "
                              f"{MAX_ASPECT_RATIO} times longer than it is wide.")
    if max(width, height) > MAX_SIDE:
        raise ValidationError(f"The image is too large: {width}x{height} is over {MAX_SIDE} pixels on a side.")


def _end_of_image(data: bytes, image_format: str) -> int:
    """Where the image ends by its own structure, so that a file with something appended is refused.

    JPEG is left out: phones append their own trailers after its end marker (Samsung's metadata,
    motion-photo videos); re-encoding drops them and the active-content search still covers them.
    """
    if image_format == "WEBP":  # RIFF: the size of what follows the 8-byte header
        return 8 + int.from_bytes(data[4:8], "little")
    if image_format == "PNG":  # the signature, then chunks (length, type, data, CRC) up to IEND
        offset = 8
        while offset + 8 <= len(data) and data[offset + 4:offset + 8] != b"IEND":
            offset += 12 + int.from_bytes(data[offset:offset + 4], "big")
        return offset + 12
    return len(data)


def _has_active_content(data: bytes) -> bool:
    lowered = data.lower()  # ASCII only; with plain patterns, several times faster than re.IGNORECASE
    return bool(MARKUP.search(lowered)) or b"javascript:" in lowered


def _check_content(data: bytes, image: Image.Image) -> None:
    """What a decoder accepts but a photo never holds: markup, appended files, a broken EXIF."""
    texts = "\n".join(getattr(image, "text", {}).values()).encode()  # PNG text chunks, decompressed
    if _has_active_content(data) or _has_active_content(texts):
        raise ValidationError(f"The file contains web page or script content, which a photo never does. "
                              f"{EXPORT_AGAIN}")
    if len(data) > _end_of_image(data, image.format):
        raise ValidationError(f"The file has extra data after the end of the image. {EXPORT_AGAIN}")
    if _exif_damaged(image.info.get("exif", b"")):
        raise ValidationError(f"The photo's metadata (EXIF) is damaged. {EXPORT_AGAIN}")


def _exif_damaged(exif: bytes) -> bool:
    """Parsed afresh: Pillow already read it on opening, skipping what it could not read with a warning."""
    with warnings.catch_warnings(record=True) as problems:
        warnings.simplefilter("always")
        try:
            Image.Exif().load(exif)
        except Exception:
            return True
    return bool(problems)


def _open_checked(data: bytes, max_pixels: int) -> Image.Image:
    """The decoded image, turned upright as its EXIF says; every check passed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's warnings about damaged EXIF: checked on its own below
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError("Only JPEG, PNG and WEBP images are accepted.")
            _check_shape(*image.size, max_pixels)
            image.load()  # decodes every byte: truncated or corrupt files fail here
        _check_content(data, image)
        return ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large to process.")
    except Exception:  # Pillow raises many types for malformed input
        raise ValidationError("The file is not a valid JPEG, PNG or WEBP image, or it is damaged.")


def _to_srgb(image: Image.Image) -> Image.Image:
    """Pixels in an embedded colour profile (Adobe RGB, Display P3, CMYK) turned into sRGB, which
    is what a browser assumes once the profile is dropped. A profile that cannot be read is ignored."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, SRGB, outputMode=target)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (mode I;16 or I) scaled to 8 bits: convert() would clip it, so a mid-grey
    65535/2 came out white."""
    if image.mode not in DEEP_MODES:
        return image
    pixels = np.asarray(image, dtype=np.float64) / 257
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="L")


def _pixels_only(image: Image.Image, mode: str) -> Image.Image:
    """The pixels in `mode` (RGB, or L for a mask), transparency laid on white, in a fresh image
    that carries nothing else: no comment, EXIF, XMP, ICC profile or text chunk can follow it into
    the saved file (Pillow writes a JPEG's comment again from `info`)."""
    image = _to_8bit(_to_srgb(image))
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", image.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    image = image.convert(mode)
    return Image.frombytes(mode, image.size, image.tobytes())


def image_normalise(*, upload, max_bytes: int | None = None, max_pixels: int | None = None,
                    mask: bool = False) -> NormalisedImage:
    """Validate an uploaded image and return it re-encoded under a random name: a JPEG, or for a
    mask (white = garment) a greyscale PNG, whose edges JPEG would blur.

    Orientation from EXIF is applied to the pixels, colours are turned into sRGB, and nothing but
    the pixels is kept. Raises ValidationError with a message fit to show a shopper.
    """
    max_bytes = max_bytes or settings.OVDR_UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.OVDR_UPLOAD_MAX_PIXELS
    image = _pixels_only(_open_checked(_read_limited(upload, max_bytes), max_pixels), "L" if mask else "RGB")
    buffer = io.BytesIO()
    if mask:
        image.save(buffer, format="PNG", optimize=True)
    else:
        image.save(buffer, format="JPEG", quality=92, optimize=True)
    return NormalisedImage(
        content=ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{'png' if mask else 'jpg'}"),
        width=image.width,
        height=image.height,
    )


def stored_image_rgb(field) -> Image.Image:
    """An image already in storage (validated on the way in), decoded as RGB. Opened afresh from the storage
    each time (not the field's cached handle), so a file replaced and deleted meanwhile raises FileNotFoundError
    on the filesystem and on a bucket alike."""
    with field.storage.open(field.name, "rb") as handle:
        image = Image.open(handle)
        image.load()
    return image.convert("RGB")


def stored_mask(field) -> np.ndarray | None:
    """A stored greyscale mask (255 = inside) as a bool array; None when the field is empty."""
    return np.asarray(stored_image_rgb(field).convert("L")) > 127 if field else None
