"""Engines by name; each is built once per process, on first use (never in a forking parent), from
the settings its caller passes, and built again only when those change."""

import threading

from tryon.engines.base import Engine, EngineSettings, OptionLimits

ENGINE_NAMES = ("warp", "diffusion")
_engines: dict[str, tuple[EngineSettings, Engine]] = {}
_lock = threading.Lock()


def engine_class(name: str) -> type[Engine]:
    if name == "warp":
        from tryon.engines.warp import WarpEngine

        return WarpEngine
    if name == "diffusion":
        from tryon.engines.diffusion import DiffusionEngine

        return DiffusionEngine
    raise ValueError(f"Unknown try-on engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}.")


def engine_option_limits(name: str) -> OptionLimits:
    """The options `name`'s engine takes, read off its class: nothing is built or loaded."""
    return engine_class(name).OPTION_LIMITS


def get_engine(name: str, settings: EngineSettings) -> Engine:
    with _lock:
        built = _engines.get(name)
        if built is None or built[0] != settings:
            _engines.pop(name, None)  # let the old engine's model go before the new one loads
            engine = engine_class(name)
            # Only the diffusion engine is configured: the warp engine has neither weights nor device.
            _engines[name] = (settings, engine(settings) if name == "diffusion" else engine())
        return _engines[name][1]
