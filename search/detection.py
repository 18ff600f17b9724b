"""Garment detection for "find similar from a photo", with the detector the settings choose.

SEARCH_DETECTOR="pose" (the default) finds the garments' regions from mediapipe pose landmarks,
offline on a CPU in tens of milliseconds; "owlvit" swaps in an open-vocabulary OWL-ViT detector
loaded from the local folder SEARCH_DETECTOR_PATH. The detection itself is vision.detection's.
"""

from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from vision.detection import DetectedGarment, RegionFinder, garments_detect, pose_regions
from vision.owlvit import owlvit_regions


def detect_garments(image: Image.Image) -> list[DetectedGarment]:
    """The garments in `image`: person regions when a person is found, else one product garment."""
    return garments_detect(image, find_regions=_detector())


def _detector() -> RegionFinder:
    name = getattr(settings, "SEARCH_DETECTOR", "pose")
    if name == "pose":
        return pose_regions
    if name != "owlvit":
        raise ImproperlyConfigured(f"SEARCH_DETECTOR must be 'pose' or 'owlvit', not {name!r}.")
    path = str(getattr(settings, "SEARCH_DETECTOR_PATH", "") or "")
    if not path:
        raise ImproperlyConfigured("SEARCH_DETECTOR='owlvit' needs SEARCH_DETECTOR_PATH, a local model folder.")
    return partial(owlvit_regions, path=path)
