"""Project-wide test setup: media in a temp folder, background tasks run in-process."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    # Enrichment (GrabCut, encoders) on every factory-made item would slow every test;
    # the search tests switch it on where they test it.
    settings.SEARCH_ENRICH_ON_SAVE = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_synchronously(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
