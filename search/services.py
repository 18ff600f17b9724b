"""Search queries: text in plain words, and photos through a background job."""

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from jobs.models import Job
from jobs.services import job_create
from search.encoders import get_encoder
from search.encoders.base import Encoder
from search.index import IndexMismatch, IndexMissing
from core.uploads import image_normalise
from search.store import loaded_index

logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 200
QUERY_FILE = "query.jpg"


class SearchUnavailable(Exception):
    """No usable index: it was never built, was deleted, or belongs to another encoder."""


@dataclass(frozen=True)
class SearchHit:
    item: ClothingItem
    score: float


def nearest_items(
    *, encoder: Encoder, space: str, vector: np.ndarray, categories: QuerySet[Category] | None, limit: int,
) -> list[SearchHit]:
    """Best `limit` active items in the given categories (all when None), best first."""
    try:
        index = loaded_index(encoder=encoder, space=space)
    except (IndexMissing, IndexMismatch) as exc:
        logger.warning("Search is unavailable: %s", exc)  # which file, and why, for the operator
        raise SearchUnavailable("Search is unavailable right now: the search index is missing, damaged or "
                                "for another model and needs to be built again (manage.py build_search_index)."
                                ) from exc
    category_ids = [None] if categories is None else list(categories.values_list("pk", flat=True))
    found = sorted((hit for cid in category_ids for hit in index.search(vector, k=limit, category=cid)),
                   key=lambda hit: -hit[1])[:limit]
    # The database has the last word: an item deactivated a moment ago is never shown.
    items = clothing_list().in_bulk([item_id for item_id, _ in found])
    return [SearchHit(item=items[item_id], score=float(score)) for item_id, score in found if item_id in items]


@lru_cache(maxsize=2048)
def _query_vector(encoder_name: str, query: str) -> np.ndarray:
    """Shoppers repeat queries; encoding is most of a search's time. Keyed by encoder name so a
    changed encoder never reuses another model's vectors."""
    return get_encoder().encode_texts([query])[0]


def query_vectors_forget() -> None:
    _query_vector.cache_clear()


def search_text(*, query: str, category: Category | None = None, limit: int = 20) -> list[SearchHit]:
    encoder = get_encoder()
    vector = _query_vector(encoder.name, " ".join(query.lower().split())[:MAX_QUERY_LENGTH])
    categories = Category.objects.filter(pk=category.pk) if category else None
    return nearest_items(encoder=encoder, space=encoder.text_query_space, vector=vector,
                         categories=categories, limit=limit)


def image_search_start(*, owner: AbstractBaseUser, image_file, category: Category | None, limit: int,
                       photo_id: int | None = None) -> Job:
    """Validate the photo, keep it with the job, and queue the job. Bad images fail here (400),
    before anything is queued. A search from one of the shopper's photos names it (`photo_id`), so
    deleting the photo deletes the job and its copy."""
    normalised = image_normalise(upload=image_file)
    params = {"category": category.slug if category else None, "limit": limit}
    with transaction.atomic():
        job = job_create(owner=owner, kind=Job.Kind.IMAGE_SEARCH,
                         params=params | ({"photo_id": photo_id} if photo_id else {}))
        default_storage.save(job.files_prefix + QUERY_FILE, normalised.content)
    return job
