"""Getting the diffusion engine's weights, and proving a pair of weight folders works before a worker uses them.

    python -m tryon.engines.tryon_models download [--base REPO_OR_DIR] [--attention REPO_OR_DIR]
                                                 --models-dir DIR --accept-licence
    python -m tryon.engines.tryon_models check --base DIR --attention DIR [--device cpu|cuda]
                                              [--size HxW] [--steps N] [--scheduler NAME] [--out PNG]

`check` loads both folders as a worker would, says how many self-attention modules the try-on
weights filled, the dtype and device, and renders one picture from synthetic inputs. It exits 1
with the reason when a module or key does not fit, the UNet is not a 9-channel inpainting UNet, or
the sampler produces NaN. Plain Python, no Django: it runs on a GPU machine with only torch and
diffusers; `manage.py tryon_models` wraps this same parser with TRYON_MODELS_DIR as the folder.
"""

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import Image

from tryon.engines.hub import ATTENTION, BASE, DownloadError, models_download
from tryon.engines.weights import WeightsReport

SMOKE_GUIDANCE = 2.5  # guided, as jobs are: the UNet sees the batch of two


class CheckFailed(RuntimeError):
    pass


FAILURES = (DownloadError, CheckFailed, ValueError, OSError)  # what the commands report as a message


@dataclass(frozen=True)
class CheckResult:
    weights: WeightsReport
    in_channels: int
    dtype: str
    device: str
    image: Path
    seconds: float

    def describe(self) -> str:
        return (f"Attention weights: {self.weights.file}\n"
                f"Self-attention modules loaded: {self.weights.loaded}/{self.weights.modules}\n"
                f"UNet: {self.in_channels} input channels, {self.dtype} on {self.device}\n"
                f"Smoke image: {self.image} ({self.seconds:.1f} s)")


def weights_check(*, base: Path, attention: Path, device: str, size: tuple[int, int], steps: int,
                  scheduler: str, out: Path) -> CheckResult:
    import torch

    from tryon.engines.catvton import CatVTONPipeline, synthetic_inputs

    start = time.perf_counter()
    pipeline = CatVTONPipeline.from_folders(base=base, attention=attention, device=device, scheduler=scheduler)
    condition = pipeline.encode(**synthetic_inputs(*size))
    latents = pipeline.denoise(condition, steps=steps, guidance=SMOKE_GUIDANCE, report=lambda *args: None,
                               generator=torch.Generator("cpu").manual_seed(0))
    if not torch.isfinite(latents).all():
        raise CheckFailed(f"The denoised latents hold NaN or infinity ({pipeline.dtype} on {device}).")
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pipeline.decode(latents)).save(out)
    return CheckResult(weights=pipeline.weights, in_channels=pipeline.unet.config.in_channels,
                       dtype=str(pipeline.dtype).removeprefix("torch."), device=device, image=out,
                       seconds=time.perf_counter() - start)


def _size(text: str) -> tuple[int, int]:
    height, width = (int(side) for side in text.lower().split("x"))
    if height % 8 or width % 8 or min(height, width) < 8:
        raise argparse.ArgumentTypeError(f"{text}: height and width must be multiples of 8")
    return height, width


def arguments_add(parser: argparse.ArgumentParser, *, models_dir: Path | None = None) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    download = actions.add_parser("download", help="fetch the weights into the models folder (licences first)")
    download.add_argument("--base", default=BASE.repo, help="Hub repository or local folder (%(default)s)")
    download.add_argument("--attention", default=ATTENTION.repo, help="Hub repository or local folder (%(default)s)")
    download.add_argument("--accept-licence", action="store_true", help="I have read the licences and accept them")
    download.add_argument("--models-dir", type=Path, default=models_dir, required=models_dir is None,
                          help="where the weights go (%(default)s)")
    check = actions.add_parser("check", help="load two weight folders and render one smoke image")
    check.add_argument("--base", type=Path, required=True, help="SD-1.5 inpainting, diffusers layout")
    check.add_argument("--attention", type=Path, required=True, help="a CatVTON version folder or its file")
    check.add_argument("--device", help="cpu, cuda or cuda:N (default: cuda when there is one)")
    check.add_argument("--size", type=_size, default=(512, 384), help="H x W, multiples of 8 (512x384)")
    check.add_argument("--steps", type=int, default=2)
    check.add_argument("--scheduler", default="dpmsolver++", help="dpmsolver++, unipc or ddim")
    check.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tryon-smoke.png")


def run(options: dict, echo: Callable[[str], None]) -> None:
    """Carry out parsed options; raises one of FAILURES with a message for the operator."""
    if options["action"] == "download":
        folders = models_download(models_dir=options["models_dir"], base=options["base"],
                                  attention=options["attention"], accept_licence=options["accept_licence"], echo=echo)
        echo("Done. Point the engine at them:\n" + "\n".join(f"    {name}={path}" for name, path in folders.items()))
        return
    import torch

    device = options["device"] or ("cuda" if torch.cuda.is_available() else "cpu")
    echo(weights_check(base=options["base"], attention=options["attention"], device=device, size=options["size"],
                       steps=options["steps"], scheduler=options["scheduler"], out=options["out"]).describe())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tryon.engines.tryon_models", description=__doc__.split("\n")[0])
    arguments_add(parser)
    try:
        run(vars(parser.parse_args(argv)), echo=print)
    except FAILURES as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
