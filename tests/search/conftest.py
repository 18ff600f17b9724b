import pytest

from search.store import forget_loaded_indexes


@pytest.fixture(autouse=True)
def _fresh_index_cache():
    """The root conftest gives each test its own index folder; forget what earlier tests loaded."""
    forget_loaded_indexes()
    yield
    forget_loaded_indexes()
