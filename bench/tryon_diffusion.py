#!/usr/bin/env python3
"""Seconds per try-on image, and the UNet's share of the GPU's matmul peak, with the engine's own pipeline.

    python bench/tryon_diffusion.py [--device cpu|cuda] [--sizes 1024x768,512x384] [--steps 20,50]
                                    [--modes eager,compiled] [--scheduler dpmsolver++] [--shape sd15|tiny]

The models are SD-1.5's shapes (bench/catvton_layout.py: 9-channel inpainting UNet, SD's VAE) with
RANDOM weights: no download, and the arithmetic, hence the speed, is the real model's. The timed
path is tryon/engines/catvton.py's: VAE-encode the masked person and the garment, guided denoising
over the person-above-garment latent (batch 2: with and without the garment), decode the person
half. Float32 on the CPU, float16 with SDPA on CUDA. "compiled" is what TRYON_COMPILE does: the
UNet through torch.compile, with the compiling done in a warm-up render (its seconds are shown).

TFLOP/s counts the UNet's floating-point operations for one guided forward once
(torch.utils.flop_counter) and divides steps x that by the denoising seconds; "% peak" compares it
with an 8192^3 bfloat16 matmul measured in the same run. Each (size, mode) runs in a child process
under --timeout, so its memory peak and compile caches are its own. On CUDA every step count is a
full measured image after a warm-up (--full does the same on the CPU). Otherwise, on the CPU, the
child times encode, ONE step and decode, and the table EXTRAPOLATES seconds = encode + steps x step
+ decode (a 1024 x 768 image takes hours on 2 cores). Runs without Django.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import torch  # noqa: E402

REFERENCE = "CatVTON paper (arXiv 2407.15886): 9.25 s per 1024x768 image on an A100 (50 DDIM steps)"


def synchronized(device: str, work):
    """(seconds, result) of work(), waiting for the GPU on both sides."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = work()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


def matmul_peak(device: str, n: int) -> float:
    """FLOP/s of a large bfloat16 matmul: what this card's tensor cores deliver at best."""
    a, b = (torch.randn(n, n, device=device, dtype=torch.bfloat16) for _ in range(2))
    for _ in range(3):
        a @ b
    seconds, _ = synchronized(device, lambda: [a @ b for _ in range(20)])
    return 2 * n ** 3 * 20 / seconds


def pipeline_build(device: str, shape: str, scheduler: str):
    from catvton_layout import unet_build, vae_build
    from diffusers import DDIMScheduler

    from tryon.engines.catvton import SD15_SCHEDULE, CatVTONPipeline

    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    with torch.device(device):
        unet, vae = unet_build(shape), vae_build(shape)
    return CatVTONPipeline(unet=unet, vae=vae, scheduler_config=dict(DDIMScheduler(**SD15_SCHEDULE).config),
                           device=device, dtype=dtype, scheduler=scheduler)


def unet_flops(pipeline, height: int, width: int, guidance: float) -> float:
    """Operations of one UNet forward as the denoising loop calls it."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    batch = 2 if guidance > 1.0 else 1
    sample = torch.randn(batch, 9, 2 * height // 8, width // 8, device=pipeline.device, dtype=pipeline.dtype)
    # The CPU's fused attention kernel has no FLOP formula; its plain-matmul form has (CUDA's kernels have).
    attention = sdpa_kernel([SDPBackend.MATH]) if pipeline.device == "cpu" else contextlib.nullcontext()
    with torch.inference_mode(), attention, FlopCounterMode(display=False) as counter:
        pipeline.unet(sample, torch.tensor(500, device=pipeline.device), encoder_hidden_states=None)
    return counter.get_total_flops()


def child(args, size: str, mode: str) -> dict:
    """Time one size in one mode; the parent reads the JSON printed last. A mode ending in "+cudnn"
    runs with SDPA restricted to cuDNN's attention kernel (Hopper), to compare with the default choice."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    from tryon.engines.catvton import synthetic_inputs

    height, width = (int(side) for side in size.split("x"))
    pipeline, images = pipeline_build(args.device, args.shape, args.scheduler), synthetic_inputs(height, width)
    out = {"size": size, "mode": mode, "flops": unet_flops(pipeline, height, width, args.guidance),
           "measured": args.full}
    attention = sdpa_kernel([SDPBackend.CUDNN_ATTENTION]) if mode.endswith("+cudnn") else contextlib.nullcontext()
    with attention:  # the FLOPs above are counted with the default kernels, which have formulas
        _timed(args, pipeline, images, mode, out)
    return out


def _timed(args, pipeline, images: dict, mode: str, out: dict) -> None:
    from tryon.engines.catvton import synthetic_inputs

    steps, device = [int(count) for count in args.steps.split(",")], args.device
    if mode.startswith("compiled"):
        out["compile_s"] = pipeline.compile(size=images["person"].shape[:2], guidance=args.guidance)

    def denoise(condition, count: int):
        return pipeline.denoise(condition, steps=count, guidance=args.guidance, report=lambda *a: None,
                                generator=torch.Generator("cpu").manual_seed(0))

    if args.full:
        pipeline(**images, steps=2, guidance=args.guidance, seed=0, report=lambda *a: None)  # warm-up
    else:  # first-touch costs (weights paged in) off the clock
        denoise(pipeline.encode(**synthetic_inputs(64, 48)), 1)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    out["encode"], condition = synchronized(device, lambda: pipeline.encode(**images))
    for count in (steps if out["measured"] else [1]):
        out[f"denoise_{count}"], latents = synchronized(device, lambda: denoise(condition, count))
    out["decode"], _ = synchronized(device, lambda: pipeline.decode(latents))
    if device.startswith("cuda"):
        out["cuda_peak_gib"] = torch.cuda.max_memory_allocated() / 2**30
    out["rss_peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_child(args, size: str, mode: str) -> dict:
    command = [sys.executable, __file__, "--child", f"{size}:{mode}", *sys.argv[1:]]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"size": size, "mode": mode, "error": f"over the {args.timeout} s limit"}
    except subprocess.CalledProcessError as failure:
        return {"size": size, "mode": mode, "error": (failure.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(result: dict, steps: list[int], peak: float | None) -> list[str]:
    label = f"| {result['size'].replace('x', ' x ')} | {result['mode']}"
    if "error" in result:
        return [f"{label} | {count} | – | – | – | – | – | – | {result['error']} |" for count in steps]
    memory = f"{result['rss_peak_gib']:.1f} GiB RSS" + (f", {result['cuda_peak_gib']:.1f} GiB CUDA"
                                                      if "cuda_peak_gib" in result else "")
    lines = []
    for count in steps:
        step = result[f"denoise_{count}"] / count if result["measured"] else result["denoise_1"]
        seconds = result["encode"] + count * step + result["decode"]
        tflops = result["flops"] / step / 1e12
        share = f"{100 * tflops * 1e12 / peak:.0f}%" if peak else "–"
        how = "measured" if result["measured"] else "extrapolated from 1 step"
        lines.append(f"{label} | {count} | {seconds:.2f} | {result['encode']:.2f} / {count * step:.2f} / "
                     f"{result['decode']:.2f} | {1000 * step:.1f} | {tflops:.3g} | {share} | {memory} | {how} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--sizes", default="512x384,1024x768", help="H x W working sizes, comma-separated")
    parser.add_argument("--steps", default="20,50", help="denoising step counts, comma-separated")
    parser.add_argument("--modes", default="eager", help="eager and/or compiled, comma-separated; "
                        "+cudnn after one restricts attention to cuDNN's kernel (CUDA)")
    parser.add_argument("--scheduler", default="dpmsolver++", help="dpmsolver++, unipc or ddim")
    parser.add_argument("--shape", default="sd15", help="sd15 (the real sizes) or tiny (a smoke test)")
    parser.add_argument("--guidance", type=float, default=2.5)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed for each size and mode")
    parser.add_argument("--full", action="store_true", help="time every step count in full (always on CUDA)")
    parser.add_argument("--peak-size", type=int, help="n of the n^3 bf16 matmul peak (8192 on CUDA; 0: none)")
    parser.add_argument("--child", metavar="HxW:MODE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cuda, steps = args.device.startswith("cuda"), [int(count) for count in args.steps.split(",")]
    args.full = args.full or cuda
    if args.child:
        print(json.dumps(child(args, *args.child.split(":"))))
        return
    peak_size = (8192 if cuda else 0) if args.peak_size is None else args.peak_size
    peak = matmul_peak(args.device, peak_size) if peak_size else None
    print(f"torch {torch.__version__}, device {args.device}"
          + (f" ({torch.cuda.get_device_name(args.device)})" if cuda else f", {torch.get_num_threads()} threads")
          + (f", bf16 {peak_size}^3 matmul {peak / 1e12:.3g} TFLOP/s" if peak else "")
          + f"; {args.scheduler}, guidance {args.guidance}, {args.shape} shapes.\nPublished reference: {REFERENCE}.\n")
    print("| H x W | mode | steps | s / image | encode / denoise / decode s | ms / step | UNet TFLOP/s | % peak "
          "| peak memory | how |\n|---|---|---|---|---|---|---|---|---|---|")
    notes = []
    for size in args.sizes.split(","):
        for mode in args.modes.split(","):
            result = run_child(args, size, mode)
            print("\n".join(rows(result, steps, peak)), flush=True)
            if "flops" in result:
                notes.append(f"{size} {mode}: {result['flops'] / 1e9:.4g} GFLOP per UNet forward"
                             + (f", compiled in {result['compile_s']:.0f} s" if "compile_s" in result else ""))
    print("\n" + "\n".join(notes))


if __name__ == "__main__":
    main()
