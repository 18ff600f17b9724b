"""Which encoder this process uses, chosen by settings, built once.

Models take seconds to load and hundreds of megabytes to hold, so every caller shares one
instance. The cache is keyed by the settings that chose it, so a changed setting (in a test, or a
reloaded configuration) builds the new encoder instead of returning a stale one.
"""

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from search.encoders.base import Encoder

ENCODERS = ("default", "clip")

_lock = threading.Lock()
_cached: tuple[tuple[str, str], Encoder] | None = None


def get_encoder() -> Encoder:
    """The encoder named by SEARCH_ENCODER ("default" or "clip", with SEARCH_MODEL_PATH)."""
    global _cached
    key = (getattr(settings, "SEARCH_ENCODER", "default"), getattr(settings, "SEARCH_MODEL_PATH", "") or "")
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, _build(*key))
        return _cached[1]


def reset_encoder_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def _limit_torch_threads() -> None:
    """One query is tiny: with several threads per web worker on a small machine, the threads spin
    against each other (measured here: 151 CPU ms per query with 2 threads, 24 ms with 1)."""
    import torch

    torch.set_num_threads(settings.TORCH_NUM_THREADS)


def _build(kind: str, model_path: str) -> Encoder:
    if kind == "default":
        from search.encoders.default import DefaultEncoder

        return DefaultEncoder()
    if kind == "clip":
        if not model_path:
            raise ImproperlyConfigured(
                "SEARCH_ENCODER is 'clip' but SEARCH_MODEL_PATH is empty: set it to a CLIP checkpoint "
                "folder or a model id available offline."
            )
        from search.encoders.clip import ClipEncoder

        _limit_torch_threads()  # only torch encoders: the default one runs without torch
        return ClipEncoder(model_path)
    raise ImproperlyConfigured(f"Unknown SEARCH_ENCODER {kind!r}: expected one of {', '.join(ENCODERS)}.")
