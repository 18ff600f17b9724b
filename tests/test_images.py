import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from core.uploads import image_normalise
from tests import hostile_files
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


class _Unreadable(SimpleUploadedFile):
    def read(self, *args):
        pytest.fail("the upload was read")


def test_a_30_mb_file_is_refused_by_its_size_without_being_read():
    with pytest.raises(ValidationError, match="too large"):
        image_normalise(upload=_Unreadable("huge.jpg", hostile_files.HOSTILE["thirty_megabytes"]().data))


@pytest.mark.parametrize("name", ["decompression_bomb", "one_by_100000_strip", "side_over_12000_pixels"])
def test_oversized_images_are_refused_from_their_header_without_decoding(monkeypatch, name):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))
    hostile = hostile_files.HOSTILE[name]()
    with pytest.raises(ValidationError) as error:
        image_normalise(upload=hostile.upload())
    assert hostile.message in error.value.messages[0] and not decoded


@pytest.mark.parametrize("size, accepted", [((10, 80), True), ((80, 10), True), ((10, 81), False),
                                            ((81, 10), False)])
def test_images_may_be_at_most_eight_times_longer_than_wide(size, accepted):
    data = image_bytes(size=size, fmt="PNG")
    if accepted:
        result = image_normalise(upload=upload(data))
        assert (result.width, result.height) == size
    else:
        with pytest.raises(ValidationError, match="too long and narrow"):
            image_normalise(upload=upload(data))


@pytest.mark.parametrize("name, size", [("camera_jpeg_with_exif", (300, 100)),
                                        ("phone_jpeg_with_extra_frame", (120, 160))])
def test_camera_and_phone_jpegs_keep_their_photo_upright_and_drop_the_rest(name, size):
    result = image_normalise(upload=hostile_files.GOOD[name]().upload())
    stored = Image.open(io.BytesIO(result.content.read()))
    assert (stored.format, stored.size, getattr(stored, "n_frames", 1)) == ("JPEG", size, 1)
    assert not stored.getexif() and "xmp" not in stored.info


@pytest.mark.parametrize("comment, refused", [
    (b"<svg onload=alert(1)>", True),
    (b'<IFRAME src="//evil.example">', True),
    (b'<a href="JavaScript:alert(1)">', True),
    (b"<?php system($_GET[0]); ?>", True),
    (b'<?xml version="1.0"?><svg>', False),
    (b"Photo by Ann <ann@example.com>, body>html, script", False),
])
def test_markup_that_can_run_is_refused_and_look_alikes_are_not(comment, refused):
    data = hostile_files.photo(comment=comment)
    if refused:
        with pytest.raises(ValidationError, match="web page or script content"):
            image_normalise(upload=upload(data))
    else:
        assert image_normalise(upload=upload(data)).width == 120
