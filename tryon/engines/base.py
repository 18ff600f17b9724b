"""What a try-on engine receives and returns. Engines know nothing of Django or jobs: everything
they need is under tryon/engines/ or in vision/, and settings reach them as EngineSettings.

The job hands an engine one garment at a time (an outfit is bottom first, then top, each step
taking the previous result as its person image, the top marked `over_bottom`); the person analysis
stays that of the original
photo. `report(progress 0-100, stage)` raises when the owner cancels, so engines call it between
steps and stop there.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, ClassVar, Protocol

import numpy as np
from PIL import Image

# progress(percent 0-100, stage="") from an engine to whoever runs it; a job passes its jobs.services.Report,
# which raises JobCancelled to stop the engine at its next step. Engines know no jobs, hence their own name.
Progress = Callable[..., None]
OptionLimits = dict[str, tuple[float, float]]  # option name -> (lowest, highest) value a request may ask


@dataclass(frozen=True)
class EngineSettings:
    """What the server configures for the engines (tryon/engines_config.py reads it from Django)."""

    diffusion_base_path: str = ""  # SD-1.5 inpainting, diffusers layout
    diffusion_attention_path: str = ""  # CatVTON's attention weights
    diffusion_device: str = ""  # empty: cuda when there is one, else cpu
    diffusion_scheduler: str = "dpmsolver++"  # or "unipc", "ddim" (CatVTON's own, at 50 steps)
    diffusion_steps: int = 20  # when a request does not say
    diffusion_compile: bool = False  # torch.compile the UNet and warm it up while loading

    @property
    def diffusion_missing(self) -> str:
        """What keeps the diffusion engine from loading here, in words; "" when nothing does."""
        if not (self.diffusion_base_path and self.diffusion_attention_path):
            return "no weights are configured"
        if not (Path(self.diffusion_base_path).is_dir() and Path(self.diffusion_attention_path).exists()):
            return "its weights are not on this server"
        return ""

    @property
    def diffusion_ready(self) -> bool:
        return not self.diffusion_missing


class RenderFailed(RuntimeError):
    """A render that could not be done (the GPU ran out of memory, the weights are missing); the message
    is safe to show the person who asked."""


@dataclass
class PersonAnalysis:
    """Pose and segmentation of one photo, computed once on upload and cached."""

    width: int
    height: int
    landmarks: list[tuple[float, float, float]]  # 33 mediapipe pose landmarks: x px, y px, visibility
    person_mask: np.ndarray  # bool H x W

    def to_json(self) -> dict:
        return {"width": self.width, "height": self.height, "landmarks": [list(p) for p in self.landmarks]}

    @classmethod
    def from_json(cls, data: dict, person_mask: np.ndarray) -> "PersonAnalysis":
        return cls(width=data["width"], height=data["height"],
                   landmarks=[tuple(p) for p in data["landmarks"]], person_mask=person_mask)


@dataclass
class GarmentInput:
    image: Image.Image  # the catalog photo, RGB
    mask: np.ndarray  # bool H x W of `image`: the garment
    region: str  # one of vision.regions.REGIONS
    keypoints: dict[str, tuple[float, float]]  # see tryon/engines/keypoints.py for the names per region
    attributes: dict = field(default_factory=dict)  # caption attributes (length, sleeve, ...)
    # A top put on after the outfit's new bottom: that bottom's waistband stays, and the top's hem lies over it.
    over_bottom: bool = False


class Engine(Protocol):
    name: str
    OPTION_LIMITS: ClassVar[OptionLimits]  # the options render() takes; read without building the engine

    def render(self, *, person: Image.Image, analysis: PersonAnalysis, garment: GarmentInput,
               report: Progress, options: dict) -> Image.Image:
        """The person wearing the garment, at the person image's resolution."""
