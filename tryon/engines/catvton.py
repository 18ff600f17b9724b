"""CatVTON (arXiv 2407.15886) on diffusers: try-on as inpainting, with no text and no garment encoder.

An SD-1.5 inpainting UNet (9 input channels: noisy latent, mask, masked-image latent) sees the
masked person and the garment stacked in ONE latent (person above garment, along the height as in
the released code), so its self-attention carries the garment onto the body. Text is gone: the
cross-attention layers return their input unchanged (CatVTON's SkipAttnProcessor, which its
weights were trained with; feeding zeros as text would compute something else), and only the
self-attention weights differ from the base model, loaded on top (tryon/engines/weights.py).
Guidance runs the UNet a second time with the garment latent zeroed.

CatVTON sampled with 50 DDIM steps; a multistep solver (DPM-Solver++ or UniPC) reaches a like
picture in about 20, so the sampler is a constructor argument, as in diffusers' pipelines.

Everything is plain tensors and numpy here; tryon/engines/diffusion.py does the pictures.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from diffusers import (AutoencoderKL, DDIMScheduler, DPMSolverMultistepScheduler, UNet2DConditionModel,
                       UniPCMultistepScheduler)
from diffusers.models.attention_processor import AttnProcessor2_0
from diffusers.utils.torch_utils import randn_tensor

from tryon.engines.weights import WeightsReport, attention_weights_load

CONCAT_DIM = -2  # latent height: the person on top, the garment below
ETA = 1.0  # DDIM eta of CatVTON's pipeline; the noise comes from the seeded generator
# name: (class, its options, what its step() takes besides the model output); DDIM adds seeded noise
SCHEDULERS = {
    "ddim": (DDIMScheduler, {}, lambda generator: {"eta": ETA, "generator": generator}),
    "dpmsolver++": (DPMSolverMultistepScheduler, {"algorithm_type": "dpmsolver++"}, lambda generator: {}),
    "unipc": (UniPCMultistepScheduler, {}, lambda generator: {}),
}
DEFAULT_SCHEDULER = "dpmsolver++"
SD15_SCHEDULE = dict(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, clip_sample=False,
                     set_alpha_to_one=False, steps_offset=1)
WARM_UP_STEPS = 2  # torch.compile recompiles, if at all, on the second call with new values


class SkipAttnProcessor:
    """Cross-attention without text: hand back the block's input, as CatVTON trained with."""

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        return hidden_states


def attention_processors_set(unet: UNet2DConditionModel) -> None:
    unet.set_attn_processor({name: AttnProcessor2_0() if name.endswith("attn1.processor") else SkipAttnProcessor()
                             for name in unet.attn_processors})


def synthetic_inputs(height: int, width: int) -> dict[str, np.ndarray]:
    """A shaded 'person', a blue block 'garment' on white and a mask over the middle: for warm-ups and checks."""
    rows, cols = np.mgrid[0:height, 0:width]
    person = np.stack([rows * 255 // height, cols * 255 // width, np.full_like(rows, 128)], -1).astype(np.uint8)
    garment = np.full((height, width, 3), 255, np.uint8)
    garment[height // 5:4 * height // 5, width // 4:3 * width // 4] = (30, 60, 200)
    mask = np.zeros((height, width), bool)
    mask[height // 4:3 * height // 4, width // 4:3 * width // 4] = True
    return {"person": person, "mask": mask, "garment": garment}


@dataclass
class Conditioning:
    masked: torch.Tensor  # latent of the person with the garment region blanked
    garment: torch.Tensor  # latent of the garment on white
    mask: torch.Tensor  # the region to paint, at latent resolution


def _tensor(image: np.ndarray, device: str, dtype: torch.dtype) -> torch.Tensor:
    """H x W x 3 uint8 -> 1 x 3 x H x W in [-1, 1]; H x W bool -> 1 x 1 x H x W in {0, 1}."""
    array = torch.from_numpy(np.array(image))  # a copy: PIL arrays are read-only
    if array.ndim == 2:
        return array[None, None].to(device, dtype)
    return (array.permute(2, 0, 1)[None].to(device, dtype) / 127.5 - 1.0)


def _scheduler_config(base: Path) -> dict:
    """The base model's noise schedule (SD-1.5's when the folder has none), for any of SCHEDULERS."""
    if (base / "scheduler").is_dir():
        return dict(DDIMScheduler.from_pretrained(str(base), subfolder="scheduler", local_files_only=True).config)
    return dict(DDIMScheduler(**SD15_SCHEDULE).config)


def _placed(model: torch.nn.Module, device: str, dtype: torch.dtype) -> torch.nn.Module:
    model = model.to(device) if model.dtype == dtype else model.to(device, dtype)  # no needless cast warning
    return model.eval().requires_grad_(False)


def _variant(folder: Path) -> str | None:
    """The fp16 variant when the folder holds only half-precision safetensors, as SD-1.5 inpainting's hub
    copy does (beside pickles, which are never loaded)."""
    plain, half = (folder / f"diffusion_pytorch_model{infix}.safetensors" for infix in ("", ".fp16"))
    return "fp16" if half.is_file() and not plain.is_file() else None


def _pretrained(model_class, base: Path, subfolder: str, dtype: torch.dtype):
    return model_class.from_pretrained(str(base), subfolder=subfolder, torch_dtype=dtype, local_files_only=True,
                                       variant=_variant(base / subfolder))


class CatVTONPipeline:
    def __init__(self, *, unet: UNet2DConditionModel, vae: AutoencoderKL, scheduler_config: dict,
                 device: str, dtype: torch.dtype, scheduler: str = DEFAULT_SCHEDULER):
        if unet.config.in_channels != 9:
            raise ValueError(f"CatVTON needs an inpainting UNet (9 input channels), not {unet.config.in_channels}.")
        if scheduler not in SCHEDULERS:
            raise ValueError(f"Unknown scheduler {scheduler!r}; choose one of {', '.join(SCHEDULERS)}.")
        self.unet, self.vae = _placed(unet, device, dtype), _placed(vae, device, dtype)
        self.scheduler_config, self.scheduler, self.device, self.dtype = scheduler_config, scheduler, device, dtype
        self.weights: WeightsReport | None = None  # what from_folders loaded over the base UNet
        attention_processors_set(self.unet)

    @classmethod
    def from_folders(cls, *, base: Path, attention: Path, device: str,
                     scheduler: str = DEFAULT_SCHEDULER) -> "CatVTONPipeline":
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        unet = _pretrained(UNet2DConditionModel, base, "unet", dtype)
        weights = attention_weights_load(unet, attention)
        pipeline = cls(unet=unet, vae=_pretrained(AutoencoderKL, base, "vae", dtype), device=device, dtype=dtype,
                       scheduler_config=_scheduler_config(base), scheduler=scheduler)
        pipeline.weights = weights
        return pipeline

    def compile(self, *, size: tuple[int, int], guidance: float, backend: str = "inductor") -> float:
        """Compile the UNet in place and render once at `size` (H x W), so that the compiling (minutes, on
        a big GPU) happens now rather than in the first job; answers its seconds. Another size, or a
        guidance of 1 or less (half the batch), compiles again on first use."""
        self.unet.compile(backend=backend)
        return self.warm_up(size=size, guidance=guidance)

    def warm_up(self, *, size: tuple[int, int], guidance: float) -> float:
        """Render a synthetic picture at `size` (H x W), so that the first real one finds the kernels chosen
        and the memory allocated (and compiled, after compile()); answers its seconds."""
        start = time.perf_counter()
        self(**synthetic_inputs(*size), steps=WARM_UP_STEPS, guidance=guidance, seed=0,
             report=lambda progress, stage="": None)
        return time.perf_counter() - start

    @torch.inference_mode()
    def encode(self, *, person: np.ndarray, mask: np.ndarray, garment: np.ndarray) -> Conditioning:
        person_t, mask_t = _tensor(person, self.device, self.dtype), _tensor(mask, self.device, self.dtype)
        pair = torch.cat([person_t * (mask_t < 0.5), _tensor(garment, self.device, self.dtype)])
        # The distribution's mode, not a sample: the seed alone decides the result.
        latents = self.vae.encode(pair).latent_dist.mode() * self.vae.config.scaling_factor
        return Conditioning(masked=latents[:1], garment=latents[1:],
                            mask=torch.nn.functional.interpolate(mask_t, size=latents.shape[-2:], mode="nearest"))

    @torch.inference_mode()
    def denoise(self, condition: Conditioning, *, steps: int, guidance: float, generator: torch.Generator,
                report: Callable[..., None]) -> torch.Tensor:
        scheduler_class, options, step_options = SCHEDULERS[self.scheduler]
        scheduler = scheduler_class.from_config(self.scheduler_config, **options)  # per call: it holds state
        scheduler.set_timesteps(steps, device=self.device)
        image = torch.cat([condition.masked, condition.garment], dim=CONCAT_DIM)
        mask = torch.cat([condition.mask, torch.zeros_like(condition.mask)], dim=CONCAT_DIM)
        guided = guidance > 1.0
        if guided:  # unconditional first: the garment half blanked
            blank = torch.cat([condition.masked, torch.zeros_like(condition.garment)], dim=CONCAT_DIM)
            image, mask = torch.cat([blank, image]), torch.cat([mask, mask])
        latents = randn_tensor(tuple(image[:1].shape), generator=generator, device=torch.device(self.device),
                               dtype=self.dtype) * scheduler.init_noise_sigma
        for index, timestep in enumerate(scheduler.timesteps, start=1):
            report(100 * (index - 1) // steps, f"diffusion step {index}/{steps}")  # raises when cancelled
            sample = scheduler.scale_model_input(torch.cat([latents] * 2) if guided else latents, timestep)
            noise = self.unet(torch.cat([sample, mask, image], dim=1), timestep, encoder_hidden_states=None,
                              return_dict=False)[0]
            if guided:
                unconditional, conditional = noise.chunk(2)
                noise = unconditional + guidance * (conditional - unconditional)
            latents = scheduler.step(noise, timestep, latents, **step_options(generator)).prev_sample
        return latents

    @torch.inference_mode()
    def decode(self, latents: torch.Tensor) -> np.ndarray:
        """The person half of the latents as an H x W x 3 uint8 picture."""
        person = latents.split(latents.shape[CONCAT_DIM] // 2, dim=CONCAT_DIM)[0]
        image = self.vae.decode(person / self.vae.config.scaling_factor).sample
        image = ((image[0].float() / 2 + 0.5).clamp(0, 1) * 255).round().to(torch.uint8)
        return image.permute(1, 2, 0).cpu().numpy()

    def __call__(self, *, person: np.ndarray, mask: np.ndarray, garment: np.ndarray, steps: int,
                 guidance: float, seed: int, report: Callable[..., None]) -> np.ndarray:
        # A CPU generator draws the same noise whatever the device.
        generator = torch.Generator("cpu").manual_seed(seed)
        condition = self.encode(person=person, mask=mask, garment=garment)
        return self.decode(self.denoise(condition, steps=steps, guidance=guidance, generator=generator,
                                        report=report))
