"""The try-on engines' settings, read from Django's: the engines themselves never import Django."""

from django.conf import settings

from tryon.engines.base import EngineSettings


def engine_settings() -> EngineSettings:
    return EngineSettings(
        diffusion_base_path=str(settings.TRYON_DIFFUSION_BASE_PATH or ""),
        diffusion_attention_path=str(settings.TRYON_DIFFUSION_ATTN_PATH or ""),
        diffusion_device=str(settings.TRYON_DIFFUSION_DEVICE or ""),
        diffusion_scheduler=settings.TRYON_DIFFUSION_SCHEDULER,
        diffusion_steps=settings.TRYON_DIFFUSION_STEPS,
        diffusion_compile=settings.TRYON_COMPILE,
    )
