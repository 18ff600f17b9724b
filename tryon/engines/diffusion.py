"""The "diffusion" try-on engine: CatVTON (tryon/engines/catvton.py) around the pictures.

The model is big, so the engine loads it once, on its first render, and keeps it; nothing loads
at import (torch neither), so a forking worker parent never touches CUDA and the API can read the
engine's option limits cheaply. Weights come from the local folders its EngineSettings name:
diffusion_base_path (SD-1.5 inpainting, diffusers layout: unet/, vae/, optionally scheduler/) and
diffusion_attention_path (CatVTON's attention weights: one version folder or its .safetensors
file). diffusion_device overrides the device (default: cuda when there is one, else cpu); CUDA
runs in float16, the CPU in float32.
diffusion_scheduler and diffusion_steps choose the sampler and its default step count;
diffusion_compile compiles the UNet and renders once at the default size while loading, so jobs
never wait for the compiler; warm_up() loads and renders once, for a GPU worker before its first job.
A CUDA out-of-memory error fails that render alone (RenderFailed) and frees the GPU's cache.

The photo is letterboxed (not cropped: the whole photo comes back) into the working size, the
garment is cut out onto white and letterboxed likewise. Afterwards only the garment region,
slightly grown, takes the generated pixels; a feathered band joins it to the photo, and every
pixel beyond that band is the photo's own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from tryon.engines.base import EngineSettings, GarmentInput, OptionLimits, PersonAnalysis, Progress, RenderFailed
from tryon.engines.body import region_mask

if TYPE_CHECKING:
    from tryon.engines.catvton import CatVTONPipeline

DEFAULT_SIZE = (1024, 768)  # H x W, CatVTON's
DEFAULT_GUIDANCE, DEFAULT_SEED = 2.5, 0  # the default steps come with the settings (20 DPM-Solver++ steps)
# What a request may ask; the API checks against these too. Steps stop at 100, where the API always
# stopped them (the engine alone once took 200).
OPTION_LIMITS: OptionLimits = {"steps": (1, 100), "guidance": (0.0, 20.0), "seed": (0, 2**31 - 1)}
WHITE = (255, 255, 255)
GARMENT_MARGIN = 0.04  # of the garment's larger side, kept around its cut-out
Box = tuple[int, int, int, int]  # left, top, right, bottom


class DiffusionUnavailable(RenderFailed):
    """This server has no weights for the diffusion engine."""


OUT_OF_MEMORY = "The GPU ran out of memory for this try-on. Please try again in a moment, or use the quick try-on."


@dataclass(frozen=True)
class RenderOptions:
    size: tuple[int, int]  # H x W, multiples of 8
    steps: int
    guidance: float
    seed: int


def options_parse(options: dict, *, default_steps: int) -> RenderOptions:
    height, width = (int(side) for side in options.get("size", DEFAULT_SIZE))
    if height % 8 or width % 8 or min(height, width) < 8:
        raise ValueError(f"The working size must be multiples of 8, not {height} x {width}.")
    chosen = RenderOptions(size=(height, width), steps=int(options.get("steps", default_steps)),
                           guidance=float(options.get("guidance", DEFAULT_GUIDANCE)),
                           seed=int(options.get("seed", DEFAULT_SEED)))
    for name, (low, high) in OPTION_LIMITS.items():
        if not low <= getattr(chosen, name) <= high:
            raise ValueError(f"{name.capitalize()} must be between {low} and {high}, not {getattr(chosen, name)}.")
    return chosen


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
        mask = np.asarray(region_mask(analysis, garment.region, length=garment.attributes.get("length")), bool)
    if mask.shape != (size[1], size[0]):
        mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    return mask


class DiffusionEngine:
    name = "diffusion"
    OPTION_LIMITS = OPTION_LIMITS

    def __init__(self, settings: EngineSettings):
        self.settings = settings
        self._pipeline: CatVTONPipeline | None = None
        self._lock = threading.Lock()

    def pipeline(self) -> CatVTONPipeline:
        """The engine's pipeline, loaded on first use."""
        if missing := self.settings.diffusion_missing:
            raise DiffusionUnavailable(f"Photo-real try-on is not available here: {missing}.")
        with self._lock:
            if self._pipeline is None:
                self._pipeline = _pipeline_load(self.settings)
            return self._pipeline

    def render(self, *, person: Image.Image, analysis: PersonAnalysis, garment: GarmentInput,
               report: Progress, options: dict) -> Image.Image:
        chosen = options_parse(options, default_steps=self.settings.diffusion_steps)
        mask = _target_mask(analysis=analysis, garment=garment, options=options, size=person.size)
        mask_image = Image.fromarray(mask.astype(np.uint8) * 255)
        result = self._generate(
            person=letterbox(person.convert("RGB"), chosen.size, WHITE),
            mask=letterbox(mask_image, chosen.size, 0, Image.NEAREST) > 127,
            garment=letterbox(garment_on_white(garment), chosen.size, WHITE),
            steps=chosen.steps, guidance=chosen.guidance, seed=chosen.seed, report=report)
        generated = Image.fromarray(result).crop(fit_box(person.size, chosen.size))
        return paste_back(photo=person, generated=generated.resize(person.size, Image.LANCZOS), mask=mask)

    def _generate(self, **inputs) -> np.ndarray:
        """The pipeline's picture; running out of GPU memory fails this render only (RenderFailed)."""
        import torch

        try:
            return self.pipeline()(**inputs)
        except torch.cuda.OutOfMemoryError:
            pass  # the traceback holds the render's tensors: free the memory once it is gone, below
        torch.cuda.empty_cache()
        raise RenderFailed(OUT_OF_MEMORY)

    def warm_up(self) -> float:
        """Load the model and render once at the default size, so that the first job waits for neither
        (diffusion_compile compiles and renders while loading); answers the seconds it took."""
        start = time.perf_counter()
        pipeline = self.pipeline()
        if not self.settings.diffusion_compile:
            pipeline.warm_up(size=DEFAULT_SIZE, guidance=DEFAULT_GUIDANCE)
        return time.perf_counter() - start


def _pipeline_load(settings: EngineSettings) -> CatVTONPipeline:
    import torch

    from tryon.engines.catvton import CatVTONPipeline

    device = settings.diffusion_device or ("cuda" if torch.cuda.is_available() else "cpu")
    pipeline = CatVTONPipeline.from_folders(base=Path(settings.diffusion_base_path),
                                            attention=Path(settings.diffusion_attention_path), device=device,
                                            scheduler=settings.diffusion_scheduler)
    if settings.diffusion_compile:
        pipeline.compile(size=DEFAULT_SIZE, guidance=DEFAULT_GUIDANCE)
    return pipeline
