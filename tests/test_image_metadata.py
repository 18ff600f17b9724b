"""Stored images keep their pixels and nothing else (issue 14, rows 6, 7 and 14).

Files carrying a JPEG comment, EXIF with GPS, XMP, an ICC profile and PNG text chunks go through every
upload route; then every file under MEDIA_ROOT (photos, their person masks, image-search queries, catalog
images and masks) is read segment by segment.
"""

import io
import struct

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from catalog.models import ClothingItem
from tests.factories import UserFactory, category

pytestmark = pytest.mark.django_db
SECRET = b"me@example.org 52.5200N 13.4050E"
JPEG_METADATA = {0xFE: "COM", 0xE1: "APP1 (EXIF, XMP)", 0xE2: "APP2 (ICC)", 0xED: "APP13 (IPTC)"}
PNG_METADATA = {b"tEXt", b"zTXt", b"iTXt", b"iCCP", b"eXIf", b"sRGB", b"gAMA", b"cHRM"}


def _noisy(mode="RGB", size=(90, 120)) -> Image.Image:
    rng = np.random.default_rng(5)
    shape = size[::-1] + ((3,) if mode == "RGB" else ())
    return Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode)


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def jpeg_with_everything() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825)[2] = (52.0, 31.0, 12.0)  # GPS latitude
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SECRET + b"</x:xmpmeta>"
    buffer = io.BytesIO()
    _noisy().save(buffer, "JPEG", comment=SECRET, exif=exif, xmp=xmp, icc_profile=_icc())
    return buffer.getvalue()


def png_with_everything(mode="RGB") -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_text("Author", SECRET.decode(), zip=True)
    info.add_itxt("Description", SECRET.decode())
    buffer = io.BytesIO()
    _noisy(mode).save(buffer, "PNG", pnginfo=info, icc_profile=_icc())
    return buffer.getvalue()


def metadata_in(data: bytes) -> list[str]:
    """The metadata segments (JPEG) or chunks (PNG) of a stored file, and whether SECRET is anywhere."""
    found = ["secret"] if SECRET in data or b"SecretCam" in data else []
    if data[:2] == b"\xff\xd8":
        offset = 2
        while offset < len(data) and data[offset + 1] != 0xDA:  # up to the start of scan
            marker, length = data[offset + 1], struct.unpack(">H", data[offset + 2:offset + 4])[0]
            found += [JPEG_METADATA[marker]] if marker in JPEG_METADATA else []
            offset += 2 + length
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        offset = 8
        while offset < len(data):
            length, kind = struct.unpack(">I4s", data[offset:offset + 8])
            found += [kind.decode()] if kind in PNG_METADATA else []
            offset += 12 + length
    else:
        found.append("not a JPEG or PNG")
    return found


def test_the_metadata_finder_sees_what_the_uploads_carry():
    assert {"secret", "COM", "APP1 (EXIF, XMP)", "APP2 (ICC)"} <= set(metadata_in(jpeg_with_everything()))
    assert {"secret", "tEXt", "zTXt", "iTXt", "iCCP"} <= set(metadata_in(png_with_everything()))


def _upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg" if name.endswith(".jpg") else "image/png")


def test_no_stored_image_keeps_comments_exif_xmp_icc_or_text(api, client, settings):
    for data, name in ((jpeg_with_everything(), "a.jpg"), (png_with_everything(), "b.png")):
        assert api.post("/api/v1/photos", {"image": _upload(data, name)}, format="multipart").status_code == 201
        assert api.post("/api/v1/search/image", {"image": _upload(data, name)},
                        format="multipart").status_code == 202
    client.force_login(UserFactory(is_staff=True, is_superuser=True, password=None))
    added = client.post("/admin/catalog/clothingitem/add/", {
        "image": _upload(jpeg_with_everything(), "g.jpg"), "model_image": _upload(png_with_everything(), "m.png"),
        "mask": _upload(png_with_everything("L"), "mask.png"), "category": category("tops").pk,
        "is_active": "on", "tags": "", "sizes": ""})
    assert added.status_code == 302, added.content[:500]
    stored = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    folders = {path.parent.name for path in stored}
    assert {"photos", "analysis", "garments", "masks", "on_model"} <= folders
    assert {path.name: metadata_in(path.read_bytes()) for path in stored} == {path.name: [] for path in stored}


def test_a_curators_mask_is_stored_as_a_greyscale_png_and_a_replaced_one_is_removed(
        client, settings, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, password=None))
    fields = {"image": _upload(jpeg_with_everything(), "g.jpg"), "category": category("tops").pk,
              "is_active": "on", "tags": "", "sizes": "", "mask": _upload(png_with_everything("L"), "m.png")}
    assert client.post("/admin/catalog/clothingitem/add/", fields).status_code == 302
    item = ClothingItem.objects.get()
    first = settings.MEDIA_ROOT / item.mask.name
    assert first.suffix == ".png" and Image.open(first).mode == "L"
    gif = io.BytesIO()
    _noisy("L").save(gif, "GIF", comment=SECRET)
    refused = client.post(f"/admin/catalog/clothingitem/{item.pk}/change/",
                          {**fields, "image": "", "mask": _upload(gif.getvalue(), "m.gif")})
    assert refused.status_code == 400 and first.exists()
    fields["mask"] = _upload(png_with_everything("L"), "m2.png")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = client.post(f"/admin/catalog/clothingitem/{item.pk}/change/", {**fields, "image": ""})
    assert replaced.status_code == 302
    item.refresh_from_db()
    assert not first.exists() and (settings.MEDIA_ROOT / item.mask.name).exists()


def test_a_16_bit_greyscale_png_keeps_its_grey():
    from core.uploads import image_normalise

    buffer = io.BytesIO()
    Image.fromarray(np.full((80, 60), 32768, np.uint16)).save(buffer, "PNG")
    stored = image_normalise(upload=_upload(buffer.getvalue(), "grey16.png"))
    pixels = np.asarray(Image.open(io.BytesIO(stored.content.read())).convert("L"), dtype=float)
    assert abs(pixels.mean() - 127.5) < 2


def test_a_paletted_png_with_transparency_is_laid_on_white():
    from core.uploads import image_normalise

    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 200, 20, 20])
    image.paste(1, (0, 0, 20, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    stored = image_normalise(upload=_upload(buffer.getvalue(), "p.png"))
    pixels = np.asarray(Image.open(io.BytesIO(stored.content.read())))
    assert pixels[20, 35].min() > 245 and abs(int(pixels[20, 5][0]) - 200) < 8
