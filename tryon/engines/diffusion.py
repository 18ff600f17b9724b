"""The "diffusion" try-on engine: CatVTON (tryon/engines/catvton.py) around the pictures.

The model is big, so a worker process loads it once, on its first render, and keeps it; nothing
loads at import, so a forking worker parent never touches CUDA. Weights come from local folders
named in settings: TRYON_DIFFUSION_BASE_PATH (SD-1.5 inpainting, diffusers layout: unet/, vae/,
optionally scheduler/) and TRYON_DIFFUSION_ATTN_PATH (CatVTON's attention weights: one version
folder or its .safetensors file). TRYON_DIFFUSION_DEVICE overrides the device (default: cuda when
there is one, else cpu); CUDA runs in float16, the CPU in float32. TRYON_DIFFUSION_SCHEDULER and
TRYON_DIFFUSION_STEPS choose the sampler and its default step count; TRYON_COMPILE compiles the UNet
and renders once at the default size while loading, so jobs never wait for the compiler.

The photo is letterboxed (not cropped: the whole photo comes back) into the working size, the
garment is cut out onto white and letterboxed likewise. Afterwards only the garment region,
slightly grown, takes the generated pixels; a feathered band joins it to the photo, and every
pixel beyond that band is the photo's own.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from django.conf import settings
from PIL import Image

from tryon.engines.base import GarmentInput, PersonAnalysis, Report
from tryon.engines.catvton import CatVTONPipeline

DEFAULT_SIZE = (1024, 768)  # H x W, CatVTON's
DEFAULT_STEPS, DEFAULT_GUIDANCE, DEFAULT_SEED = 20, 2.5, 0  # 20 DPM-Solver++ steps (CatVTON: 50 DDIM)
MAX_STEPS = 200
WHITE = (255, 255, 255)
GARMENT_MARGIN = 0.04  # of the garment's larger side, kept around its cut-out
Box = tuple[int, int, int, int]  # left, top, right, bottom

_lock = threading.Lock()
_loaded: tuple[tuple, CatVTONPipeline] | None = None


class DiffusionUnavailable(RuntimeError):
    """This server has no weights configured for the diffusion engine."""


@dataclass(frozen=True)
class RenderOptions:
    size: tuple[int, int]  # H x W, multiples of 8
    steps: int
    guidance: float
    seed: int


def options_parse(options: dict) -> RenderOptions:
    height, width = (int(side) for side in options.get("size", DEFAULT_SIZE))
    if height % 8 or width % 8 or min(height, width) < 8:
        raise ValueError(f"The working size must be multiples of 8, not {height} x {width}.")
    steps = int(options.get("steps", DEFAULT_STEPS))
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Steps must be between 1 and {MAX_STEPS}, not {steps}.")
    return RenderOptions(size=(height, width), steps=steps, seed=int(options.get("seed", DEFAULT_SEED)),
                         guidance=float(options.get("guidance", DEFAULT_GUIDANCE)))


def pipeline_get() -> CatVTONPipeline:
    """This process's pipeline, loaded on first use (again only if the settings change)."""
    global _loaded
    base = getattr(settings, "TRYON_DIFFUSION_BASE_PATH", "")
    attention = getattr(settings, "TRYON_DIFFUSION_ATTN_PATH", "")
    if not base or not attention:
        raise DiffusionUnavailable("The diffusion engine needs TRYON_DIFFUSION_BASE_PATH and "
                                   "TRYON_DIFFUSION_ATTN_PATH.")
    with _lock:
        device = getattr(settings, "TRYON_DIFFUSION_DEVICE", "") or ("cuda" if torch.cuda.is_available() else "cpu")
        scheduler, compiled = settings.TRYON_DIFFUSION_SCHEDULER, settings.TRYON_COMPILE
        key = (str(base), str(attention), device, scheduler, compiled)
        if _loaded is None or _loaded[0] != key:
            _loaded = None  # let the old model go before the new one loads
            pipeline = CatVTONPipeline.from_folders(base=Path(base), attention=Path(attention), device=device,
                                                    scheduler=scheduler)
            if compiled:
                pipeline.compile(size=DEFAULT_SIZE, guidance=DEFAULT_GUIDANCE)
            _loaded = (key, pipeline)
        return _loaded[1]


def fit_box(source: tuple[int, int], size: tuple[int, int]) -> Box:
    """Where a W x H picture lands, centred and whole, in an H x W frame."""
    (width, height), (frame_h, frame_w) = source, size
    scale = min(frame_w / width, frame_h / height)
    fitted_w, fitted_h = max(1, round(width * scale)), max(1, round(height * scale))
    left, top = (frame_w - fitted_w) // 2, (frame_h - fitted_h) // 2
    return left, top, left + fitted_w, top + fitted_h


def letterbox(image: Image.Image, size: tuple[int, int], fill, resample=Image.LANCZOS) -> np.ndarray:
    box = fit_box(image.size, size)
    canvas = Image.new(image.mode, (size[1], size[0]), fill)
    canvas.paste(image.resize((box[2] - box[0], box[3] - box[1]), resample), box[:2])
    return np.asarray(canvas)


def garment_on_white(garment: GarmentInput) -> Image.Image:
    """The garment alone on white, cropped to itself so it fills the frame as CatVTON's did."""
    pixels = np.array(garment.image.convert("RGB"))
    pixels[~garment.mask] = WHITE
    rows, cols = np.nonzero(garment.mask)
    if not len(rows):
        return Image.fromarray(pixels)
    margin = round(GARMENT_MARGIN * max(np.ptp(rows), np.ptp(cols)))
    top, left = max(0, rows.min() - margin), max(0, cols.min() - margin)
    return Image.fromarray(pixels[top:rows.max() + margin + 1, left:cols.max() + margin + 1])


def seam_px(size: tuple[int, int]) -> int:
    """For a W x H photo: how far the region grows, and how wide the feather beyond it is."""
    return max(2, round(0.01 * max(size)))


def paste_back(*, photo: Image.Image, generated: Image.Image, mask: np.ndarray) -> Image.Image:
    seam = seam_px(photo.size)
    distance = cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2, 5)
    alpha = np.clip((2 * seam - distance) / seam, 0.0, 1.0)[..., None]
    original = np.asarray(photo.convert("RGB"))
    blended = np.rint(alpha * np.asarray(generated) + (1 - alpha) * original).astype(np.uint8)
    return Image.fromarray(np.where(alpha > 0, blended, original))


def _target_mask(*, analysis: PersonAnalysis, garment: GarmentInput, options: dict,
                 size: tuple[int, int]) -> np.ndarray:
    """Where the garment goes on the photo (W x H): options["mask"] when a caller has one."""
    if "mask" in options:
        mask = np.asarray(options["mask"], bool)
    else:
        from tryon.person import region_mask  # the pose code loads only where a mask is needed

        mask = np.asarray(region_mask(analysis, garment.region, length=garment.attributes.get("length")), bool)
    if mask.shape != (size[1], size[0]):
        mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return mask


class DiffusionEngine:
    name = "diffusion"

    def render(self, *, person: Image.Image, analysis: PersonAnalysis, garment: GarmentInput,
               report: Report, options: dict) -> Image.Image:
        chosen = options_parse({"steps": settings.TRYON_DIFFUSION_STEPS, **options})
        mask = _target_mask(analysis=analysis, garment=garment, options=options, size=person.size)
        mask_image = Image.fromarray(mask.astype(np.uint8) * 255)
        result = pipeline_get()(
            person=letterbox(person.convert("RGB"), chosen.size, WHITE),
            mask=letterbox(mask_image, chosen.size, 0, Image.NEAREST) > 127,
            garment=letterbox(garment_on_white(garment), chosen.size, WHITE),
            steps=chosen.steps, guidance=chosen.guidance, seed=chosen.seed, report=report)
        generated = Image.fromarray(result).crop(fit_box(person.size, chosen.size))
        return paste_back(photo=person, generated=generated.resize(person.size, Image.LANCZOS), mask=mask)
