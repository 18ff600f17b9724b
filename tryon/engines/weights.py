"""CatVTON's attention checkpoint: where its tensors go in the UNet, and loading them all or nothing.

CatVTON trains only the UNet's self-attention. Its training code gathers every module whose name
contains "attn1" (each attn1 and, after it, its children: to_q, to_k, to_v, to_out, to_out.0,
to_out.1 and the attention processor, itself a module there) into one torch.nn.ModuleList, and
saves that list with accelerate's `Accelerator.save_model`. A child's tensors are the same storage
as its parent's, and safetensors keeps one name per storage, so only the attn1 entries survive:
keys read "<list index>.to_q.weight" with the index stepping by the number of modules per attn1
(8 in the released files). The n-th surviving index is the UNet's n-th attn1.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch loads with the model, not when the download command or the API imports this
    import torch

logger = logging.getLogger(__name__)

_LIST_KEY = re.compile(r"(\d+)\.(.+)")


class AttentionWeightsError(ValueError):
    """The attention file does not fit this UNet: nothing was loaded."""


@dataclass(frozen=True)
class WeightsReport:
    file: Path
    modules: int  # self-attention modules in the UNet
    loaded: int  # of those, how many the file fills completely
    missing: list[str] = field(default_factory=list)  # UNet self-attention tensors the file lacks
    unexpected: list[str] = field(default_factory=list)  # file tensors that name nothing in the UNet
    misshapen: list[str] = field(default_factory=list)  # named right, shaped wrong

    @property
    def complete(self) -> bool:
        return not (self.missing or self.unexpected or self.misshapen)

    def describe(self) -> str:
        problems = [f"{label} {names[:3]}{' ...' if len(names) > 3 else ''}" for label, names in
                    (("missing", self.missing), ("fitting nothing", self.unexpected),
                     ("of the wrong shape", self.misshapen)) if names]
        return f"{self.loaded}/{self.modules} self-attention modules from {self.file}" + (
            ": " + "; ".join(problems) if problems else "")


def attention_file(path: Path) -> Path:
    """The safetensors file itself, or the one file under a CatVTON version folder (.../attention/)."""
    if path.is_file():
        return path
    found = sorted(path.rglob("*.safetensors"))
    if len(found) != 1:
        raise FileNotFoundError(f"Expected one .safetensors file under {path}, found {len(found)}; "
                                "point at one CatVTON version, e.g. mix-48k-1024.")
    return found[0]


def self_attention_names(unet: torch.nn.Module) -> list[str]:
    return [name for name, _ in unet.named_modules() if name.endswith(".attn1")]


def unet_keys(state: dict[str, torch.Tensor], attn1: list[str]) -> dict[str, torch.Tensor]:
    """The file's tensors under the UNet's own names (a file already named so passes unchanged)."""
    indices = sorted({int(match[1]) for key in state if (match := _LIST_KEY.fullmatch(key))})
    if not indices:
        return state
    # The greatest common divisor recovers the step even when modules are missing from the file.
    step = math.gcd(*indices) or 1
    if indices[-1] // step >= len(attn1):
        raise AttentionWeightsError(f"The attention file numbers its modules up to {indices[-1]} in steps of "
                                    f"{step}: more than the UNet's {len(attn1)} self-attention modules.")
    renamed = {}
    for key, value in state.items():
        match = _LIST_KEY.fullmatch(key)
        renamed[f"{attn1[int(match[1]) // step]}.{match[2]}" if match else key] = value
    return renamed


def attention_weights_report(unet: torch.nn.Module, state: dict[str, torch.Tensor], file: Path) -> WeightsReport:
    own, attn1 = unet.state_dict(), self_attention_names(unet)
    wanted = [key for key in own if ".attn1." in key]
    fits = {key for key in wanted if key in state and state[key].shape == own[key].shape}
    filled = [name for name in attn1 if all(key in fits for key in wanted if key.startswith(name + "."))]
    return WeightsReport(file=file, modules=len(attn1), loaded=len(filled),
                         missing=sorted(set(wanted) - state.keys()), unexpected=sorted(state.keys() - own.keys()),
                         misshapen=sorted(key for key in state.keys() & own.keys()
                                          if state[key].shape != own[key].shape))


def attention_weights_load(unet: torch.nn.Module, path: Path | str) -> WeightsReport:
    """Load the try-on self-attention over the base UNet, or raise before touching it if anything misfits:
    half-loaded weights would render plausible-looking garbage."""
    file = attention_file(Path(path))
    from safetensors.torch import load_file

    state = unet_keys(load_file(str(file)), self_attention_names(unet))
    report = attention_weights_report(unet, state, file)
    if not report.complete:
        raise AttentionWeightsError(f"The attention weights do not fit the UNet: {report.describe()}.")
    unet.load_state_dict(state, strict=False)
    logger.info("Try-on attention weights: %s", report.describe())
    return report
