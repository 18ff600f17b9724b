"""CatVTON (arXiv 2407.15886) on diffusers: try-on as inpainting, with no text and no garment encoder.

An SD-1.5 inpainting UNet (9 input channels: noisy latent, mask, masked-image latent) sees the
masked person and the garment stacked in ONE latent (person above garment, along the height as in
the released code), so its self-attention carries the garment onto the body. Text is gone: the
cross-attention layers return their input unchanged (CatVTON's SkipAttnProcessor, which its
weights were trained with; feeding zeros as text would compute something else), and only the
self-attention weights differ from the base model, loaded on top by `load_attention_weights`.
Guidance runs the UNet a second time with the garment latent zeroed.

Everything is plain tensors and numpy here; tryon/engines/diffusion.py does the pictures.
"""

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel
from diffusers.models.attention_processor import AttnProcessor2_0
from diffusers.utils.torch_utils import randn_tensor
from safetensors.torch import load_file

logger = logging.getLogger(__name__)

CONCAT_DIM = -2  # latent height: the person on top, the garment below
ETA = 1.0  # DDIM eta of CatVTON's pipeline; the noise comes from the seeded generator
_CATVTON_KEY = re.compile(r"(\d+)\.(.+)")


class SkipAttnProcessor:
    """Cross-attention without text: hand back the block's input, as CatVTON trained with."""

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        return hidden_states


def attention_processors_set(unet: UNet2DConditionModel) -> None:
    unet.set_attn_processor({name: AttnProcessor2_0() if name.endswith("attn1.processor") else SkipAttnProcessor()
                             for name in unet.attn_processors})


@dataclass(frozen=True)
class WeightsReport:
    file: Path
    loaded: int
    missing: list[str]  # self-attention parameters the file did not provide
    unexpected: list[str]  # keys of the file that fit nothing


def _weights_file(folder: Path) -> Path:
    """The safetensors file itself, or the one file under a CatVTON version folder (.../attention/)."""
    if folder.is_file():
        return folder
    found = sorted(folder.rglob("*.safetensors"))
    if len(found) != 1:
        raise FileNotFoundError(f"Expected one .safetensors file under {folder}, found {len(found)}; "
                                "point at one CatVTON version, e.g. mix-48k-1024/attention.")
    return found[0]


def _unet_names(state: dict[str, torch.Tensor], attn1: list[str]) -> dict[str, torch.Tensor]:
    """CatVTON saved a ModuleList of every module named *attn1* (children included), so its keys are
    "<index>.to_q.weight" with gaps where the children were; the n-th index is the n-th attn1."""
    numbered = {int(match[1]) for key in state if (match := _CATVTON_KEY.fullmatch(key))}
    if not numbered:
        return state  # already the UNet's own names
    if len(numbered) != len(attn1):
        raise ValueError(f"The attention file has {len(numbered)} attention modules, the UNet {len(attn1)}.")
    prefix = dict(zip(sorted(numbered), attn1))
    return {f"{prefix[int(m[1])]}.{m[2]}" if (m := _CATVTON_KEY.fullmatch(key)) else key: value
            for key, value in state.items()}


def load_attention_weights(unet: UNet2DConditionModel, folder: Path | str) -> WeightsReport:
    """Load the try-on self-attention weights over the base UNet (strict=False) and say what fit."""
    file = _weights_file(Path(folder))
    attn1 = [name for name, _ in unet.named_modules() if name.endswith(".attn1")]
    state = _unet_names(load_file(str(file)), attn1)
    result = unet.load_state_dict(state, strict=False)
    wanted = {name for name in unet.state_dict() if ".attn1." in name}
    report = WeightsReport(file=file, loaded=len(state) - len(result.unexpected_keys),
                           missing=sorted(wanted & set(result.missing_keys)),
                           unexpected=sorted(result.unexpected_keys))
    if report.missing or report.unexpected:
        logger.warning("Try-on attention weights %s: %d loaded, missing %s, unexpected %s",
                       file, report.loaded, report.missing[:5], report.unexpected[:5])
    return report


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
    """DDIM over the base model's schedule (SD-1.5's when the folder has none)."""
    if (base / "scheduler").is_dir():
        return dict(DDIMScheduler.from_pretrained(str(base), subfolder="scheduler", local_files_only=True).config)
    return dict(DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1).config)


def _placed(model: torch.nn.Module, device: str, dtype: torch.dtype) -> torch.nn.Module:
    model = model.to(device) if model.dtype == dtype else model.to(device, dtype)  # no needless cast warning
    return model.eval().requires_grad_(False)


class CatVTONPipeline:
    def __init__(self, *, unet: UNet2DConditionModel, vae: AutoencoderKL, scheduler_config: dict,
                 device: str, dtype: torch.dtype):
        if unet.config.in_channels != 9:
            raise ValueError(f"CatVTON needs an inpainting UNet (9 input channels), not {unet.config.in_channels}.")
        self.unet, self.vae = _placed(unet, device, dtype), _placed(vae, device, dtype)
        self.scheduler_config, self.device, self.dtype = scheduler_config, device, dtype
        attention_processors_set(self.unet)

    @classmethod
    def from_folders(cls, *, base: Path, attention: Path, device: str) -> "CatVTONPipeline":
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        unet = UNet2DConditionModel.from_pretrained(str(base), subfolder="unet", torch_dtype=dtype,
                                                    local_files_only=True)
        load_attention_weights(unet, attention)
        vae = AutoencoderKL.from_pretrained(str(base), subfolder="vae", torch_dtype=dtype, local_files_only=True)
        return cls(unet=unet, vae=vae, scheduler_config=_scheduler_config(base), device=device, dtype=dtype)

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
        scheduler = DDIMScheduler.from_config(self.scheduler_config)  # per call: it holds the timesteps
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
            latents = scheduler.step(noise, timestep, latents, eta=ETA, generator=generator).prev_sample
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
