"""The vision models a process holds: one instance of each, built on first use, under one lock.

mediapipe graphs are not thread-safe and are slow to build, so each is built once per process and
only used with the lock held; the same lock guards loading the OWL-ViT detector, which once loaded
may run outside it. A try-on upload and a photo search therefore share one set of models.
"""

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

import numpy as np
from PIL import Image

WORK_SIDE = 1024  # mediapipe sees at most this long side; larger inputs only cost time

_LOCK = threading.Lock()
_models: dict[object, object] = {}


@contextmanager
def model_held(key: object, load: Callable[[], object]) -> Iterator[object]:
    """The process-wide model for `key` (built by `load` the first time), the lock held inside the block."""
    with _LOCK:
        if key not in _models:
            _models[key] = load()
        yield _models[key]


def working_pixels(image: Image.Image) -> np.ndarray:
    """`image`'s pixels, shrunk to WORK_SIDE on its long side when larger."""
    scale = WORK_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    return np.asarray(image)


def model_loaded(key: object, load: Callable[[], object]) -> object:
    """The process-wide model for `key`, loaded under the lock, for a model that may run outside it."""
    with model_held(key, load) as model:
        return model
