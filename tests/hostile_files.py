"""The hostile-upload corpus: files every upload route must refuse, and good ones it must keep taking.

Each file is built in memory, deterministically (no binary blobs in the repository), once per test
session. `HOSTILE` and `GOOD` map a name to a cached builder; the name is the builder's.
"""

import functools
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from tests.factories import image_bytes

NOT_AN_IMAGE = "not a valid JPEG, PNG or WEBP image"
TOO_LARGE = "too large"
ACTIVE = "web page or script content"
PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me').then(r => r.text())</script></body></html>"


@dataclass(frozen=True)
class UploadFile:
    filename: str
    data: bytes
    message: str = ""  # a fragment of the refusal a shopper reads; empty for good files

    def upload(self) -> SimpleUploadedFile:
        # Browsers send the type the name suggests; a hostile client sends whatever passes.
        return SimpleUploadedFile(self.filename, self.data, content_type="image/jpeg")


HOSTILE: dict[str, Callable[[], UploadFile]] = {}
GOOD: dict[str, Callable[[], UploadFile]] = {}


def _in(corpus: dict):
    """Registers a builder under its name; each file is built once a session (the 30 MB one too)."""
    def register(builder):
        corpus[builder.__name__] = functools.cache(builder)
        return corpus[builder.__name__]
    return register


def photo(*, size=(120, 160), fmt="JPEG", **save) -> bytes:
    """Noisy pixels, so that a file is long enough to cut and compresses like a photo."""
    pixels = random.Random(f"{size}{fmt}").randbytes(size[0] * size[1] * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


@_in(HOSTILE)
def truncated_jpeg() -> UploadFile:
    data = photo()
    return UploadFile("me.jpg", data[:len(data) // 2], NOT_AN_IMAGE)


@_in(HOSTILE)
def truncated_png() -> UploadFile:
    data = photo(fmt="PNG")
    return UploadFile("me.png", data[:len(data) // 2], NOT_AN_IMAGE)


@_in(HOSTILE)
def truncated_webp() -> UploadFile:
    data = photo(fmt="WEBP")
    return UploadFile("me.webp", data[:len(data) // 2], NOT_AN_IMAGE)


@_in(HOSTILE)
def decompression_bomb() -> UploadFile:
    """A 48 KB PNG that would decode to 400 megapixels (50 MB of 1-bit zeros)."""
    side = 20_000
    row = b"\x00" * (1 + side // 8)  # filter byte, then 1 bit a pixel
    squeezer = zlib.compressobj(9)
    pixels = b"".join(squeezer.compress(row * 1000) for _ in range(side // 1000)) + squeezer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    data = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels)
            + _png_chunk(b"IEND", b""))
    return UploadFile("bomb.png", data, TOO_LARGE)


@_in(HOSTILE)
def one_by_100000_strip() -> UploadFile:
    return UploadFile("strip.png", image_bytes(size=(1, 100_000), fmt="PNG"), "too long and narrow")


@_in(HOSTILE)
def side_over_12000_pixels() -> UploadFile:
    """Within the pixel count and the aspect ratio, but wider than any camera."""
    buffer = io.BytesIO()
    Image.new("1", (13_000, 1_700)).save(buffer, format="PNG")
    return UploadFile("panorama.png", buffer.getvalue(), TOO_LARGE)


@_in(HOSTILE)
def html_in_png_text_chunk() -> UploadFile:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAGE.decode())
    return UploadFile("polyglot.png", photo(fmt="PNG", pnginfo=info), ACTIVE)


@_in(HOSTILE)
def html_in_compressed_png_text_chunk() -> UploadFile:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PAGE.decode(), zip=True)  # zTXt: the markup is not in the raw bytes
    return UploadFile("polyglot.png", photo(fmt="PNG", pnginfo=info), ACTIVE)


@_in(HOSTILE)
def html_after_png_end() -> UploadFile:
    return UploadFile("polyglot.png", photo(fmt="PNG") + PAGE, ACTIVE)


@_in(HOSTILE)
def html_in_jpeg_comment() -> UploadFile:
    return UploadFile("polyglot.jpg", photo(comment=PAGE), ACTIVE)


@_in(HOSTILE)
def zip_after_png_end() -> UploadFile:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
    return UploadFile("polyglot.png", photo(fmt="PNG") + archive.getvalue(), "extra data after the end")


@_in(HOSTILE)
def bytes_after_webp_end() -> UploadFile:
    return UploadFile("me.webp", photo(fmt="WEBP") + b"\x00" * 64, "extra data after the end")


@_in(HOSTILE)
def svg_with_script() -> UploadFile:
    data = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)' \
           b"</script></svg>"
    return UploadFile("me.svg", data, NOT_AN_IMAGE)


@_in(HOSTILE)
def gif() -> UploadFile:
    return UploadFile("me.gif", image_bytes(fmt="GIF"), "Only JPEG, PNG and WEBP")


@_in(HOSTILE)
def text_named_jpg() -> UploadFile:
    return UploadFile("holiday.jpg", b"Dear diary, today I went to the beach.\n" * 20, NOT_AN_IMAGE)


@_in(HOSTILE)
def html_named_jpg() -> UploadFile:
    return UploadFile("holiday.jpg", PAGE, NOT_AN_IMAGE)


@_in(HOSTILE)
def zero_bytes() -> UploadFile:
    return UploadFile("me.jpg", b"", "empty")


@_in(HOSTILE)
def thirty_megabytes() -> UploadFile:
    """A real JPEG padded to 30 MB: over the 10 MB limit, refused by its size."""
    data = photo()
    return UploadFile("huge.jpg", data + b"\x00" * (30 * 1024 * 1024 - len(data)), TOO_LARGE)


def _jpeg_with_exif(tiff: bytes) -> bytes:
    """A JPEG with an APP1 EXIF segment holding `tiff` (a TIFF header and IFDs), as a camera writes it."""
    data = photo()
    payload = b"Exif\x00\x00" + tiff
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + data[2:]


@_in(HOSTILE)
def script_in_exif() -> UploadFile:
    exif = Image.Exif()
    exif[0x010E] = '<script src="https://evil.example/x.js"></script>'  # ImageDescription
    return UploadFile("camera.jpg", photo(exif=exif), ACTIVE)


@_in(HOSTILE)
def malformed_exif_ifd() -> UploadFile:
    """IFD0 claims 65535 entries in a 26-byte block, and a tag whose data lies 2 GB away."""
    entry = struct.pack(">HHII", 0x010F, 2, 64, 0x7FFF_FFF0)  # Make: 64 ASCII bytes, far past the end
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + b"\xff\xff" + entry
    return UploadFile("camera.jpg", _jpeg_with_exif(tiff), "metadata (EXIF) is damaged")


@_in(GOOD)
def jpeg_photo() -> UploadFile:
    return UploadFile("me.jpg", photo())


@_in(GOOD)
def png_photo() -> UploadFile:
    return UploadFile("me.png", photo(fmt="PNG"))


@_in(GOOD)
def webp_photo() -> UploadFile:
    return UploadFile("me.webp", photo(fmt="WEBP"))


XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
       b'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>'
       b'<?xpacket end="w"?>')


@_in(GOOD)
def camera_jpeg_with_exif() -> UploadFile:
    """Make, model, date, GPS, a rotation and XMP, as a camera writes them, in a tall 1:3 frame."""
    exif = Image.Exif()
    exif.update({0x010F: "Canon", 0x0110: "Canon EOS R6", 0x0112: 6, 0x0131: "Firmware 1.8.1"})
    exif.get_ifd(0x8769).update({0x9003: "2026:03:14 10:21:07", 0x829A: 0.004, 0x8827: 400})
    exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 24.0)})
    return UploadFile("IMG_0042.JPG", photo(size=(100, 300), exif=exif, xmp=XMP))


@_in(GOOD)
def phone_jpeg_with_extra_frame() -> UploadFile:
    """An MPO: a JPEG followed by a second frame (a depth or gain map), as recent phones save."""
    buffer = io.BytesIO()
    frames = [Image.open(io.BytesIO(photo(size=size))) for size in [(120, 160), (60, 80)]]
    frames[0].save(buffer, format="MPO", save_all=True, append_images=frames[1:])
    return UploadFile("PXL_0042.jpg", buffer.getvalue())
