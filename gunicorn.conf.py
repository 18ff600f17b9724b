"""gunicorn settings for production: `gunicorn ovdr.wsgi` picks this file up from the project root."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
timeout = 60


def post_worker_init(worker):
    """Load the search model before the first request, not inside it (it takes seconds)."""
    from search.encoders import get_encoder

    get_encoder().encode_texts(["warm up"])
