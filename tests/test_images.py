import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ovdr.images import image_normalise
from tests.factories import image_bytes


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats_are_reencoded_as_jpeg_with_a_random_name(fmt):
    result = image_normalise(upload=upload(image_bytes(fmt=fmt), name=f"me.{fmt.lower()}"))
    assert result.content.name.endswith(".jpg") and "me" not in result.content.name
    assert Image.open(io.BytesIO(result.content.read())).format == "JPEG"
    assert (result.width, result.height) == (60, 80)


def test_exif_orientation_is_applied_and_metadata_dropped():
    image = Image.new("RGB", (80, 40), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    exif[0x010F] = "SecretCam"  # camera make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    result = image_normalise(upload=upload(buffer.getvalue()))
    stored = Image.open(io.BytesIO(result.content.read()))
    assert stored.size == (40, 80)
    assert not stored.getexif()


def _png_header_claiming(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"<html><script>alert(1)</script></html>", "not a valid"),
    (image_bytes()[:200], "not a valid"),
    (image_bytes(fmt="GIF"), "Only JPEG, PNG and WEBP"),
    (image_bytes(fmt="BMP"), "Only JPEG, PNG and WEBP"),
    (_png_header_claiming(6000, 5000), "too large"),
])
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as error:
        image_normalise(upload=upload(data))
    assert message in " ".join(error.value.messages)


def test_files_over_the_byte_limit_are_refused(settings):
    with pytest.raises(ValidationError, match="too large"):
        image_normalise(upload=upload(image_bytes(size=(400, 400))), max_bytes=1000)
