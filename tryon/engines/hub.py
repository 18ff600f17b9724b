"""Fetching the diffusion engine's weights, licences first: from the Hugging Face Hub or from a local copy.

Only the files the engine reads are fetched (the base repositories also hold text encoders, safety
checkers and multi-gigabyte single-file checkpoints it never opens). A machine without network gets
the list of what to copy where instead.
"""

import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tryon.engines.weights import attention_file

CATVTON_VERSION = "mix-48k-1024"  # CatVTON's 1024 x 768 weights, trained on VITON-HD and DressCode


@dataclass(frozen=True)
class Source:
    role: str
    repo: str  # the default Hugging Face repository
    folder: str  # under the models folder
    patterns: tuple[str, ...]  # what the engine reads
    licence: str


BASE = Source(
    role="base (SD-1.5 inpainting)", repo="stable-diffusion-v1-5/stable-diffusion-inpainting", folder="base",
    patterns=("model_index.json", "scheduler/*", "unet/config.json", "unet/*.safetensors", "vae/config.json",
              "vae/*.safetensors", "README.md"),
    licence="CreativeML OpenRAIL-M (https://huggingface.co/spaces/CompVis/stable-diffusion-license): its use "
            "restrictions (Attachment A) bind every use of the model and of the pictures it makes.")
ATTENTION = Source(
    role="try-on attention (CatVTON)", repo="zhengchong/CatVTON", folder="catvton",
    patterns=(f"{CATVTON_VERSION}/attention/*", "README.md"),
    licence="CC BY-NC-SA 4.0 (https://creativecommons.org/licenses/by-nc-sa/4.0/): NON-COMMERCIAL use only, "
            "with attribution, and what you derive from it under the same licence.")


BASE_NEEDS = (  # (what to tell the operator, what to look for)
    ("unet/config.json", "unet/config.json"), ("vae/config.json", "vae/config.json"),
    ("unet/diffusion_pytorch_model[.fp16].safetensors", "unet/diffusion_pytorch_model*.safetensors"),
    ("vae/diffusion_pytorch_model[.fp16].safetensors", "vae/diffusion_pytorch_model*.safetensors"),
)


class DownloadError(RuntimeError):
    pass


def licences_text() -> str:
    return "\n".join(f"- {source.role}, {source.repo}: {source.licence}" for source in (BASE, ATTENTION))


def layout_missing(source: Source, folder: Path) -> list[str]:
    """What the engine needs from `source` that `folder` lacks."""
    if source is ATTENTION:
        try:
            attention_file(folder / CATVTON_VERSION)
        except FileNotFoundError:
            return [f"{CATVTON_VERSION}/attention/model.safetensors"]
        return []
    return [need for need, pattern in BASE_NEEDS if not any(folder.glob(pattern))]


def copy_instructions(source: Source, origin: str, target: Path) -> str:
    repo = source.repo if Path(origin).is_dir() else origin
    includes = " ".join(f'--include "{pattern}"' for pattern in source.patterns)
    needs = "\n".join(f"    {target / need}" for need in layout_missing(source, target))
    return (f"On a machine with network, fetch https://huggingface.co/{repo}:\n"
            f"    hf download {repo} {includes} --local-dir {Path(repo).name}\n"
            f"then copy that folder's contents into {target}/ so that these exist:\n{needs}")


def _copy_local(source: Source, origin: Path, target: Path) -> None:
    for file in sorted(path for path in origin.rglob("*") if path.is_file()):
        relative = file.relative_to(origin).as_posix()
        if any(fnmatch.fnmatch(relative, pattern) for pattern in source.patterns):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target / relative)


def _fetch(source: Source, origin: str, target: Path) -> None:
    if Path(origin).is_dir():
        _copy_local(source, Path(origin), target)
        return
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        snapshot_download(repo_id=origin, local_dir=target, allow_patterns=list(source.patterns))
    except LocalEntryNotFoundError as error:  # no network, or HF_HUB_OFFLINE=1, and nothing there yet
        raise DownloadError(f"Cannot reach the Hugging Face Hub for {origin} ({str(error).splitlines()[0]})\n"
                            + copy_instructions(source, origin, target)) from error


def models_download(*, models_dir: Path, base: str = BASE.repo, attention: str = ATTENTION.repo,
                    accept_licence: bool, echo: Callable[[str], None]) -> dict[str, Path]:
    """Fetch both parts into models_dir and answer the folders for the engine's settings."""
    echo(f"The diffusion engine's weights come under these licences:\n{licences_text()}")
    if not accept_licence:
        raise DownloadError("Nothing fetched: read the licences above, then run again with --accept-licence.")
    problems = []
    for source, origin in ((BASE, base), (ATTENTION, attention)):
        target = models_dir / source.folder
        echo(f"Fetching {source.role} from {origin} into {target} ...")
        try:
            _fetch(source, origin, target)
        except DownloadError as error:
            problems.append(str(error))
            continue
        if missing := layout_missing(source, target):
            problems.append(f"{target} lacks {', '.join(missing)}.\n" + copy_instructions(source, origin, target))
    if problems:
        raise DownloadError("\n\n".join(problems) + "\n\nOr bring the fetched folders here and run: tryon_models "
                            "download --base FOLDER --attention FOLDER --accept-licence")
    return {"TRYON_DIFFUSION_BASE_PATH": models_dir / BASE.folder,
            "TRYON_DIFFUSION_ATTN_PATH": models_dir / ATTENTION.folder / CATVTON_VERSION}
