"""Engines by name; each is built once per process, on first use (never in a forking parent)."""

import threading

from tryon.engines.base import Engine

ENGINE_NAMES = ("warp", "diffusion")
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(name: str) -> Engine:
    if name not in ENGINE_NAMES:
        raise ValueError(f"Unknown try-on engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}.")
    with _lock:
        if name not in _engines:
            if name == "warp":
                from tryon.engines.warp import WarpEngine as engine_class
            else:
                from tryon.engines.diffusion import DiffusionEngine as engine_class
            _engines[name] = engine_class()
        return _engines[name]
