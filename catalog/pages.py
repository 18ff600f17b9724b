"""Whole catalog list pages in the cache, good while the catalog's version is the one they were built under.

A page (its count and its items' payloads) is the same for every shopper, so it is cached once per
query and site, whatever the cache (locmem per process, Redis shared). Every write of an item or a
category replaces the catalog's version in its own transaction (catalog/models.py: CatalogVersion),
so a reader checks the version in the database on every hit and rebuilds the page when it moved: no
process serves a page from before a committed change. Closet counts change with every closet add
and are no part of the version; the same statement that reads the version reads them fresh.

A page missing from the cache is built from its query's count, cached apart under the query's
filters alone and the same version (every page of a query, whatever its number or size, shares it),
and from its items' payloads (catalog/payloads.py): only the first build of a query's pages under a
version counts its rows (the first in each process, with the per-process default cache).

Keys are normalised: a page is stored only under its query's one spelling, made from the validated
filters and the page actually served (`?price_min=10`, never `10.0`; `page=1` when absent; unknown
and empty parameters left out). A request is looked up under its own parameters spelt that way
before anything is validated: a request already spelt normally finds its page at once, any other
spelling misses, is validated and finds the page under the normal key. So odd spellings cost a
validation, never a new entry, and errors (400, 404) are never cached.
"""

import hashlib
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict

from catalog.models import Category
from catalog.selectors import catalog_version_and_closet_counts

PAGE_SECONDS = 24 * 60 * 60  # a stale entry is replaced by the next request for it; this only frees memory


@dataclass(frozen=True)
class CatalogPage:
    version: str | None  # the catalog's version read before the page's rows; None: not cacheable
    count: int
    number: int
    results: list[dict]


def page_key(params: dict[str, str], *, site: str) -> str:
    """Hashed: a key's length stays fixed whatever a query holds (memcached refuses keys over 250 bytes)."""
    return "catalog:page:" + hashlib.sha256(f"{site}?{urlencode(sorted(params.items()))}".encode()).hexdigest()


def page_params_asked(query: QueryDict, *, filters, paginator) -> dict[str, str]:
    """A request's own parameters, as DRF and django-filter read them (the last value of each; an
    empty one is absent), with the page and its size defaulted as the paginator defaults them."""
    params = {name: query.get(name) for name in filters if query.get(name)}
    params[paginator.page_query_param] = query.get(paginator.page_query_param) or "1"
    params[paginator.page_size_query_param] = query.get(paginator.page_size_query_param) or str(paginator.page_size)
    return params


def filter_params_served(cleaned: dict) -> dict[str, str]:
    """The normal spelling of validated filters: each value reads back as itself."""
    return {name: _spelling(value) for name, value in cleaned.items() if value not in (None, "", False)}


def page_params_served(filters: dict[str, str], *, paginator) -> dict[str, str]:
    """filter_params_served() and the page the paginator served."""
    params = dict(filters)
    params[paginator.page_query_param] = str(paginator.page.number)
    params[paginator.page_size_query_param] = str(paginator.page.paginator.per_page)
    return params


def _spelling(value) -> str:
    if value is True:
        return "true"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # 10, 10.0 and 1E+1 are one price
    if isinstance(value, Category):
        return value.slug
    return str(value)


def catalog_page_lookup(*, key: str) -> tuple[CatalogPage | None, str | None]:
    """The page cached under `key` with fresh closet counts, or None when there is none or the catalog
    changed since; and the catalog's version as read now, before anything a rebuild will read."""
    entry = cache.get(key)
    ids = [item["id"] for item in entry.results] if entry else []
    version, counts = catalog_version_and_closet_counts(item_ids=ids)
    # An item missing from the counts was deleted by a write that bypassed the version (raw SQL).
    if entry is None or version is None or entry.version != version or len(counts) != len(ids):
        return None, version
    return replace(entry, results=[{**item, "closet_users": counts[item["id"]]} for item in entry.results]), version


def catalog_page_store(*, key: str, page: CatalogPage) -> None:
    if page.version is not None:
        cache.set(key, page, PAGE_SECONDS)


def count_key(filters: dict[str, str]) -> str:
    """Every page of a query, whatever its number, size or site, has the same count: one entry per filters."""
    return "catalog:count:" + hashlib.sha256(urlencode(sorted(filters.items())).encode()).hexdigest()


def catalog_count_lookup(*, key: str, version: str | None) -> int | None:
    """The count cached under `key` while the catalog's version is still `version`; None when there is none
    (the page being built counts its query, and catalog_count_store() keeps the count for the others)."""
    entry = cache.get(key)
    return entry[1] if entry is not None and version is not None and entry[0] == version else None


def catalog_count_store(*, key: str, version: str | None, count: int) -> None:
    if version is not None:
        cache.set(key, (version, count), PAGE_SECONDS)
