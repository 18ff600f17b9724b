"""The try-on engines' settings, read from Django's (the engines themselves never import Django), and
what this server can run: photo-real (diffusion) try-ons need the weights AND GPU workers to run them."""

from django.conf import settings

from tryon.engines import ENGINE_NAMES
from tryon.engines.base import EngineSettings

GPU_ENGINES = ("diffusion",)  # run only by the GPU workers (TRYON_GPU_CLUSTER), never by the CPU ones


def engine_settings() -> EngineSettings:
    return EngineSettings(
        diffusion_base_path=str(settings.TRYON_DIFFUSION_BASE_PATH or ""),
        diffusion_attention_path=str(settings.TRYON_DIFFUSION_ATTN_PATH or ""),
        diffusion_device=str(settings.TRYON_DIFFUSION_DEVICE or ""),
        diffusion_scheduler=settings.TRYON_DIFFUSION_SCHEDULER,
        diffusion_steps=settings.TRYON_DIFFUSION_STEPS,
        diffusion_compile=settings.TRYON_COMPILE,
    )


def engine_unavailable(name: str) -> str:
    """Why this server cannot take `name`'s try-ons, in words for the API and the studio; "" when it can."""
    missing = engine_settings().diffusion_missing if name == "diffusion" else ""
    if not missing and name in GPU_ENGINES and not settings.TRYON_GPU_CLUSTER:
        missing = "no GPU workers are configured"
    return f"Photo-real try-on is not available on this server: {missing}. Use warp." if missing else ""


def engines_available() -> list[str]:
    return [name for name in ENGINE_NAMES if not engine_unavailable(name)]


def engine_cluster(name: str) -> str:
    """The django-q2 cluster whose workers run `name`'s jobs: the GPU workers' for diffusion, else the
    default one (empty)."""
    return settings.TRYON_GPU_CLUSTER if name in GPU_ENGINES else ""
