#!/usr/bin/env python3
"""Random-weight models in CatVTON's shapes and file layout, for checks and benchmarks without a download.

    python bench/catvton_layout.py OUT [--shape tiny|sd15] [--device cpu|cuda]

writes OUT/base/{unet,vae,scheduler}: an inpainting UNet (9 input channels) and a VAE in diffusers'
layout, as half-precision safetensors only (`*.fp16.safetensors`), which is what the SD-1.5
inpainting hub copy ships; and OUT/catvton/mix-48k-1024/attention/model.safetensors: self-attention
weights saved the way CatVTON's training code saves them (every module whose name contains "attn1",
children included, gathered into one ModuleList and written by accelerate's Accelerator.save_model),
drawn afresh so that loading them changes the UNet. "sd15" is SD-1.5's real size (0.86 G parameters
in the UNet), "tiny" a few thousand for tests. No Django, no network.
"""

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SHAPES = {
    "tiny": {
        "unet": dict(sample_size=8, block_out_channels=(32, 64), layers_per_block=1, cross_attention_dim=16,
                     attention_head_dim=8, down_block_types=("CrossAttnDownBlock2D",) * 2,
                     up_block_types=("CrossAttnUpBlock2D",) * 2),
        "vae": dict(block_out_channels=(8,) * 4, norm_num_groups=4, layers_per_block=1, sample_size=64),
    },
    "sd15": {
        "unet": dict(sample_size=64, block_out_channels=(320, 640, 1280, 1280), layers_per_block=2,
                     cross_attention_dim=768, attention_head_dim=8),
        "vae": dict(block_out_channels=(128, 256, 512, 512), layers_per_block=2, sample_size=512,
                    scaling_factor=0.18215),
    },
}


def unet_build(shape: str, *, seed: int = 0, in_channels: int = 9):
    from diffusers import UNet2DConditionModel

    torch.manual_seed(seed)
    return UNet2DConditionModel(in_channels=in_channels, out_channels=4, **SHAPES[shape]["unet"])


def vae_build(shape: str, *, seed: int = 0):
    from diffusers import AutoencoderKL

    torch.manual_seed(seed)
    # four blocks: latents 8 times smaller than the picture, as SD's
    return AutoencoderKL(down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                         latent_channels=4, **SHAPES[shape]["vae"])


class ModuleProcessor(torch.nn.Module):
    """CatVTON's attention processors are modules, so each is one more child of its attn1."""

    def __call__(self, attn, hidden_states, *args, **kwargs):
        return hidden_states


def attention_save(unet, folder: Path, *, seed: int = 1) -> dict[str, torch.Tensor]:
    """Redraw the UNet's self-attention and save it as CatVTON's training did; answer the drawn tensors
    under the UNet's own names. The UNet is changed: save its base weights first."""
    from accelerate import Accelerator

    generator = torch.Generator().manual_seed(seed)
    drawn = {}
    for name, parameter in unet.named_parameters():
        if ".attn1." in name:
            parameter.data.copy_(torch.randn(parameter.shape, generator=generator) * 0.05)
            drawn[name] = parameter.detach().cpu().clone()
    unet.set_attn_processor({name: ModuleProcessor() for name in unet.attn_processors})
    modules = torch.nn.ModuleList(module for name, module in unet.named_modules() if "attn1" in name)
    folder.mkdir(parents=True, exist_ok=True)
    Accelerator(cpu=unet.device.type == "cpu").save_model(modules, folder)
    return drawn


def layout_build(out: Path, *, shape: str = "tiny", device: str = "cpu") -> dict[str, Path]:
    from diffusers import DDIMScheduler

    from tryon.engines.catvton import SD15_SCHEDULE

    with torch.device(device):  # sd15: drawing 0.86 G random numbers is quick on a GPU, slow on a CPU
        unet, vae = unet_build(shape), vae_build(shape)
    for model, sub in ((unet, "unet"), (vae, "vae")):
        model.to(torch.float16).save_pretrained(out / "base" / sub, variant="fp16")
    DDIMScheduler(**SD15_SCHEDULE).save_pretrained(out / "base" / "scheduler")
    attention_save(unet.float(), out / "catvton" / "mix-48k-1024" / "attention")
    return {"base": out / "base", "attention": out / "catvton" / "mix-48k-1024"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--shape", choices=SHAPES, default="tiny")
    parser.add_argument("--device", default="cpu", help="where to draw the random weights")
    args = parser.parse_args()
    for role, path in layout_build(args.out, shape=args.shape, device=args.device).items():
        print(f"{role}: {path}")


if __name__ == "__main__":
    main()
