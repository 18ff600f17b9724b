"""Search queries: text in plain words, and photos through a background job."""

import difflib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from catalog.filters import ClothingFilter
from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list, clothing_price_quantile
from jobs.models import Job
from jobs.services import job_create
from search.encoders import get_encoder
from search.encoders.base import Encoder
from search.index import IndexMismatch, IndexMissing
from core.uploads import image_normalise
from search.query import Understood, query_understand
from search.store import loaded_index

logger = logging.getLogger(__name__)
MAX_QUERY_LENGTH = 200
QUERY_FILE = "query.jpg"
# A query that names something the catalog has ("summer", "linen") may score lower than a made-up
# word scores by chance: its floor is this share of the encoder's (bench/search_queries.py).
KNOWN_WORD_FLOOR_SHARE = 0.5
# Hits well below the best one are noise even above the floor: on the demo catalog "denim" scores
# 0.62 on denim items and 0.40-0.45 on many others that merely share the sentence shape.
RELATIVE_FLOOR = 0.75
# "cheap" means the cheapest third of the catalog, whatever its currency and price range.
CHEAP_QUANTILE = 1 / 3
ALL_FILTERS_SCORE = 1.0  # a query made only of filters: every item that passes them matches it fully
VOCABULARY_CACHE_KEY, VOCABULARY_SECONDS = "search:vocabulary", 300
SPELLING_CUTOFF = 0.75
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class SearchUnavailable(Exception):
    """No usable index: it was never built, was deleted, or belongs to another encoder."""


@dataclass(frozen=True)
class SearchHit:
    item: ClothingItem
    score: float


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[SearchHit]
    understood: Understood
    suggestions: list[str]  # other queries to try when nothing matched: spelling, the known words


def nearest_items(
    *, encoder: Encoder, space: str, vector: np.ndarray, categories: QuerySet[Category] | None, limit: int,
    among: Sequence[int] | None = None,
) -> list[SearchHit]:
    """Best `limit` active items in the given categories (all when None) and among the given item
    ids (all when None), best first."""
    try:
        index = loaded_index(encoder=encoder, space=space)
    except (IndexMissing, IndexMismatch) as exc:
        logger.warning("Search is unavailable: %s", exc)  # which file, and why, for the operator
        raise SearchUnavailable("Search is unavailable right now: the search index is missing, damaged or "
                                "for another model and needs to be built again (manage.py build_search_index)."
                                ) from exc
    category_ids = [None] if categories is None else list(categories.values_list("pk", flat=True))
    among = None if among is None else np.asarray(list(among), dtype=np.int64)
    found = sorted((hit for cid in category_ids for hit in index.search(vector, k=limit, category=cid, among=among)),
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


def search_text(*, query: str, category: Category | None = None, limit: int = 20,
                among: Sequence[int] | None = None) -> list[SearchHit]:
    """Items ranked by the meaning of the words alone, every one of them however weak (benchmarks
    measure this ranking); shoppers' searches go through search_catalog."""
    encoder = get_encoder()
    vector = _query_vector(encoder.name, " ".join(query.lower().split())[:MAX_QUERY_LENGTH])
    categories = Category.objects.filter(pk=category.pk) if category else None
    return nearest_items(encoder=encoder, space=encoder.text_query_space, vector=vector,
                         categories=categories, limit=limit, among=among)


def _category_words() -> dict[str, str]:
    words = {}
    for slug, name, noun in Category.objects.values_list("slug", "name", "item_noun"):
        words.update({slug: slug, name.lower(): slug, noun.lower(): slug, f"{noun.lower()}s": slug})
    return words


def catalog_vocabulary() -> frozenset[str]:
    """The words the catalog's items are named and described by (titles, attributes, tags, brands,
    categories), cached a few minutes: the relevance floor and spelling suggestions read it on every
    search. Plain rows, not models: it reads every active item when the cache is cold."""
    words = cache.get(VOCABULARY_CACHE_KEY)
    if words is None:
        rows = clothing_list().values_list("title", "attributes", "tags", "brand").iterator(chunk_size=5000)
        texts = [" ".join(map(str, [title, *attributes.values(), *tags, brand])) for title, attributes, tags, brand
                 in rows]
        texts += [" ".join(row) for row in Category.objects.values_list("name", "item_noun")]
        words = frozenset(word for text in texts for word in _WORD.findall(text.lower()))
        cache.set(VOCABULARY_CACHE_KEY, words, VOCABULARY_SECONDS)
    return words


def _filters_with(understood: Understood, params: Mapping[str, str]) -> dict[str, str]:
    """The query's own filters, then the shopper's explicit choices, which win."""
    data = understood.filters()
    if understood.cheap and "price_max" not in data and (cheap := clothing_price_quantile(q=CHEAP_QUANTILE)):
        data["price_max"] = format(cheap, "f")
    return data | {key: value for key, value in params.items() if value not in (None, "")}


def _suggestions(understood: Understood, vocabulary: frozenset[str]) -> list[str]:
    """Queries to offer when nothing matched: misspelt words corrected from the catalog's own words,
    and the query without the words the catalog does not know."""
    spelt = [word if word in vocabulary else _respelt(word, vocabulary) for word in understood.words]
    options = [" ".join(word for word in spelt if word),
               " ".join(word for word in understood.words if word in vocabulary)]
    original = " ".join(understood.words)
    return list(dict.fromkeys(option for option in options if option and option != original))


def _respelt(word: str, vocabulary: frozenset[str]) -> str:
    """The catalog's closest word; the first letter must match, as people rarely mistype it and
    otherwise unrelated words pair up ("engine" -> "nine")."""
    candidates = [known for known in vocabulary if known[:1] == word[:1]]
    return next(iter(difflib.get_close_matches(word, candidates, n=1, cutoff=SPELLING_CUTOFF)), "")


def search_catalog(*, query: str, params: Mapping[str, str], limit: int = 20) -> SearchOutcome:
    """A shopper's search: filters read from the words (type, colour, price, sale) and given as
    `params` (ClothingFilter's), the rest ranked by meaning, weak matches dropped, sorted as asked.
    Bad filter values raise ValidationError (catalog.filters' messages)."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    understood = query_understand(query, category_words=_category_words())
    filters = ClothingFilter(_filters_with(understood, params), queryset=clothing_list())
    if not filters.is_valid():
        raise ValidationError(filters.errors)
    narrowed = filters.narrows
    if narrowed and not understood.text and not understood.filter_words:  # "on sale", "under 30", "cheap"
        items = filters.qs.order_by("price") if understood.cheap and filters.sort_key == "relevance" else filters.qs
        hits = [SearchHit(item=item, score=ALL_FILTERS_SCORE) for item in items[:limit]]
    else:
        among = list(filters.qs.values_list("pk", flat=True)) if narrowed else None
        hits = search_text(query=understood.text or understood.filter_words or query, limit=limit, among=among)
        if understood.text or not narrowed:
            # Only words ranked by meaning can miss; an item that passes the filters the words named
            # ("red dress") matches them, and the words just order it.
            hits = _above_floor(hits, understood=understood, vocabulary=catalog_vocabulary())
        hits = _sorted(hits, filters)
    suggestions = [] if hits else _suggestions(understood, catalog_vocabulary())
    return SearchOutcome(hits=hits, understood=understood, suggestions=suggestions)


def _above_floor(hits: list[SearchHit], *, understood: Understood, vocabulary: frozenset[str]) -> list[SearchHit]:
    """Only real matches: a made-up query ("xyzzy qwerty") finds nothing instead of everything."""
    if not hits:
        return hits
    floor = get_encoder().text_score_floor
    if any(word in vocabulary for word in understood.words) or understood.filters():
        floor *= KNOWN_WORD_FLOOR_SHARE
    floor = max(floor, RELATIVE_FLOOR * hits[0].score)
    return [hit for hit in hits if hit.score >= floor]


def _sorted(hits: list[SearchHit], filters: ClothingFilter) -> list[SearchHit]:
    """Hits in the chosen sort's order (the filtered queryset knows it); relevance keeps theirs."""
    if filters.sort_key == "relevance" or not hits:
        return hits
    order = list(filters.qs.filter(pk__in=[hit.item.pk for hit in hits]).values_list("pk", flat=True))
    by_pk = {hit.item.pk: hit for hit in hits}
    return [by_pk[pk] for pk in order]


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
