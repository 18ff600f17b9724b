"""Try-on's answers to what other apps and the workers announce."""

import logging

from django.conf import settings
from django.dispatch import receiver
from django_q.conf import Conf
from django_q.signals import post_spawn

from accounts.signals import photo_uploaded
from tryon.engines import get_engine
from tryon.engines_config import engine_settings
from tryon.preprocess import photo_analyse

logger = logging.getLogger(__name__)


@receiver(photo_uploaded, dispatch_uid="tryon_analyse_uploaded_photo")
def analyse_uploaded_photo(sender, photo, **kwargs) -> None:
    # Pose and segmentation now, so the shopper learns at once what this photo can be used for.
    photo_analyse(photo=photo)


@receiver(post_spawn, dispatch_uid="tryon_gpu_worker_warm_up")
def gpu_worker_warm_up(sender, proc_name: str, **kwargs) -> None:
    """A GPU worker (in the TRYON_GPU_CLUSTER cluster only) loads the diffusion model and renders once, in its
    own process before it reads its first task, so no shopper's try-on waits for loading or compiling."""
    if not settings.TRYON_GPU_CLUSTER or Conf.CLUSTER_NAME != settings.TRYON_GPU_CLUSTER:
        return
    try:
        seconds = get_engine("diffusion", engine_settings()).warm_up()
    except Exception:
        # Raising here would kill the worker, and its cluster would start it again at once, forever.
        # Serving on instead, each job fails with the engine's reason (e.g. the weights are missing).
        logger.exception("GPU worker %s could not load the diffusion model; its try-ons will fail", proc_name)
        return
    logger.info("GPU worker %s loaded and warmed up the diffusion model in %.1f s", proc_name, seconds)
