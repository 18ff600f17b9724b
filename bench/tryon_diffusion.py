#!/usr/bin/env python3
"""Seconds per try-on image with the diffusion engine's own pipeline at CatVTON's sizes.

    .venv/bin/python bench/tryon_diffusion.py [--device cpu|cuda] [--sizes 1024x768,512x384]
                                              [--steps 20,50] [--timeout 1800]

The UNet is SD-1.5's (block_out_channels 320/640/1280/1280, 2 layers a block, cross-attention 768,
9 input channels for inpainting, attention head dim 8) and the VAE SD's, both built from their
configs with RANDOM weights: no download, and the arithmetic, hence the speed, is the real
model's. The timed path is tryon/engines/catvton.py's: VAE-encode the masked person and the
garment, guided denoising over the person-above-garment latent (batch 2: with and without the
garment), decode the person half. Float32 on the CPU, float16 with SDPA on CUDA.

Each size runs in a child process under --timeout, so one slow size cannot hold up the rest and
its peak resident set size is its own. On the CPU the child, after one step at a tiny size to page
the weights in, times encode, ONE denoising step and decode, and the table EXTRAPOLATES:
seconds = encode + steps x step + decode (a 50-step image at 1024 x 768 takes hours on 2 cores).
The step's CPU seconds (both threads) are shown too: a shared machine inflates them less. On
CUDA, after a warm-up, each step count is a full measured run. Pre/post-processing around the
pipeline (letterbox, paste-back) costs milliseconds and is left out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REFERENCE = "CatVTON paper (arXiv 2407.15886): 9.25 s per 1024x768 image on an A100"


def models(device: str):
    import torch
    from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel

    from tryon.engines.catvton import CatVTONPipeline

    torch.manual_seed(0)
    unet = UNet2DConditionModel(in_channels=9, out_channels=4, block_out_channels=(320, 640, 1280, 1280),
                                layers_per_block=2, cross_attention_dim=768, attention_head_dim=8, sample_size=64)
    vae = AutoencoderKL(down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                        block_out_channels=(128, 256, 512, 512), layers_per_block=2, latent_channels=4,
                        sample_size=512, scaling_factor=0.18215)
    scheduler = DDIMScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    return CatVTONPipeline(unet=unet, vae=vae, scheduler_config=dict(scheduler.config), device=device, dtype=dtype)


def inputs(height: int, width: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    mask = np.zeros((height, width), bool)
    mask[height // 5:3 * height // 5, width // 4:3 * width // 4] = True
    return {"person": rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "mask": mask,
            "garment": rng.integers(0, 256, (height, width, 3), dtype=np.uint8)}


def timed(device: str, work):
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = work()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def child(device: str, size: str, steps: list[int], guidance: float) -> dict:
    """Time one size; print JSON for the parent."""
    import torch

    height, width = (int(side) for side in size.split("x"))
    pipeline, images = models(device), inputs(height, width)
    generator = torch.Generator("cpu").manual_seed(0)

    def denoise(condition, count: int):
        return pipeline.denoise(condition, steps=count, guidance=guidance, generator=generator,
                                report=lambda progress, stage="": None)

    out = {"size": size}
    if device.startswith("cuda"):
        pipeline(**images, steps=2, guidance=guidance, seed=0, report=lambda *a: None)  # warm-up
        for count in steps:
            out[f"total_{count}"], _ = timed(device, lambda: pipeline(**images, steps=count, guidance=guidance,
                                                                      seed=0, report=lambda *a: None))
        out["cuda_peak_gib"] = torch.cuda.max_memory_allocated() / 2**30
    else:
        denoise(pipeline.encode(**inputs(64, 48)), 1)  # first-touch costs (weights paged in) off the clock
        out["encode"], condition = timed(device, lambda: pipeline.encode(**images))
        cpu = time.process_time()
        out["step"], latents = timed(device, lambda: denoise(condition, 1))
        out["step_cpu"] = time.process_time() - cpu  # all threads: a shared machine inflates it less
        out["decode"], _ = timed(device, lambda: pipeline.decode(latents))
    out["rss_peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return out


def run_child(args, size: str) -> dict:
    command = [sys.executable, __file__, "--child", size, "--device", args.device, "--steps", args.steps,
               "--guidance", str(args.guidance)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"size": size, "error": f"over the {args.timeout} s limit"}
    except subprocess.CalledProcessError as failure:
        return {"size": size, "error": failure.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(result: dict, steps: list[int], device: str) -> list[str]:
    size = result["size"].replace("x", " x ")
    if "error" in result:
        return [f"| {size} | {count} | {device} | – | – | – | {result['error']} |" for count in steps]
    memory = f"{result['rss_peak_gib']:.1f} GiB RSS" + (f", {result['cuda_peak_gib']:.1f} GiB CUDA"
                                                      if "cuda_peak_gib" in result else "")
    lines = []
    for count in steps:
        if "step" in result:
            seconds = result["encode"] + count * result["step"] + result["decode"]
            parts = (f"{result['encode']:.1f} / {result['step']:.1f} (CPU {result['step_cpu']:.1f})"
                     f" / {result['decode']:.1f}")
            how = "extrapolated from 1 step"
        else:
            seconds, parts, how = result[f"total_{count}"], "–", "measured"
        lines.append(f"| {size} | {count} | {device} | {seconds:.1f} | {parts} | {memory} | {how} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--sizes", default="512x384,1024x768", help="H x W working sizes, comma-separated")
    parser.add_argument("--steps", default="20,50", help="denoising step counts, comma-separated")
    parser.add_argument("--guidance", type=float, default=2.5)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed for each size")
    parser.add_argument("--child", metavar="HxW", help=argparse.SUPPRESS)
    args = parser.parse_args()
    steps = [int(count) for count in args.steps.split(",")]
    if args.child:
        print(json.dumps(child(args.device, args.child, steps, args.guidance)))
        return
    import torch

    print(f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{torch.get_num_threads()} threads, device {args.device}"
          + (f" ({torch.cuda.get_device_name(args.device)})" if args.device.startswith("cuda") else ""))
    print(f"Published reference: {REFERENCE}.\n")
    print("| H x W | steps | device | s / image | encode / step / decode s (wall) | peak memory | how |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes.split(","):
        for line in rows(run_child(args, size), steps, args.device):
            print(line, flush=True)


if __name__ == "__main__":
    main()
