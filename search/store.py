"""Item embeddings in the database and the FAISS index files built from them.

Web processes keep each space's index in memory and reload it when a worker saves a newer
version. Writers (the enrichment task, build_search_index) serialise on a file lock.

Across machines (MEDIA_STORAGE=s3, so STORAGES has "search_index"), the writer also publishes each version
it saves to the bucket: the data files under their versioned names, then the meta (`<space>.json`, with
each file's sha256) last. Every process looks at the published meta every SEARCH_INDEX_POLL_SECONDS and,
when its version differs from the one in SEARCH_INDEX_DIR (its local cache), downloads the files, checks
them and installs the version there; a writer first brings its cache up to the published version, so it
changes the latest. Writers on several machines do not lock one another out: run the bulk cluster (the
only index writer besides `build_search_index`) on one machine (docs/DEPLOY.md).
"""

import fcntl
import hashlib
import json
import logging
import math
import shutil
import threading
import time
from contextlib import contextmanager
from typing import Iterable

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages

from catalog.models import ClothingItem
from search.encoders.base import SPACES, Encoder
from search.index import IndexMismatch, IndexMissing, VectorIndex, version_files
from search.models import ItemEmbedding

logger = logging.getLogger(__name__)
RELOAD_CHECK_SECONDS = 1.0
_cache: dict[str, tuple[VectorIndex, str, float]] = {}
_cache_lock = threading.Lock()
_polled: dict[str, float] = {}  # space -> when this process last looked at the published meta


def item_text(item: ClothingItem) -> str:
    """What the text space knows of an item: its words, attributes and detected colours."""
    colors = [name for name, _ in item.enrichment.get("colors", [])]
    words = [item.title, item.category.name, item.category.item_noun, *map(str, item.attributes.values()),
             *map(str, item.tags), *colors, item.brand, item.description]
    return ". ".join(word for word in words if word)


def fingerprint(item: ClothingItem, space: str) -> str:
    source = f"{item.image.name}|{item.mask.name}" if space == "image" else item_text(item)
    return hashlib.sha256(source.encode()).hexdigest()


def embeddings_store(*, encoder: Encoder, space: str, items: list[ClothingItem], vectors: np.ndarray) -> None:
    for item, vector in zip(items, vectors):
        ItemEmbedding.objects.update_or_create(
            item=item, encoder=encoder.name, space=space,
            defaults={"vector": np.asarray(vector, dtype=np.float32).tobytes(), "source": fingerprint(item, space)},
        )


def items_needing_embedding(*, encoder: Encoder, space: str, items: Iterable[ClothingItem]) -> list[ClothingItem]:
    items = list(items)
    stored = dict(ItemEmbedding.objects.filter(item__in=items, encoder=encoder.name, space=space)
                  .values_list("item_id", "source"))
    return [item for item in items if stored.get(item.pk) != fingerprint(item, space)]


def index_path():
    return settings.SEARCH_INDEX_DIR


@contextmanager
def index_write_lock(*, wait: bool = True):
    """Yields True holding the lock; without `wait`, yields False at once when another process holds it."""
    settings.SEARCH_INDEX_DIR.mkdir(parents=True, exist_ok=True)
    with open(settings.SEARCH_INDEX_DIR / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def _shared() -> Storage | None:
    """The bucket the index is published to, or None on one machine."""
    return storages["search_index"] if "search_index" in settings.STORAGES else None


def _published_meta(shared: Storage, space: str) -> dict | None:
    try:
        with shared.open(f"{space}.json", "rb") as handle:
            return json.loads(handle.read())
    except (FileNotFoundError, ValueError):
        return None


def _publish(space: str) -> None:
    """Put the version just saved in SEARCH_INDEX_DIR into the bucket (the caller holds the write lock)."""
    shared, meta = _shared(), VectorIndex.stored_meta(index_path(), space=space)
    if shared is None or meta is None:
        return
    for file in meta["files"].values():
        if not shared.exists(file["name"]):  # versioned names: a file once uploaded never changes
            with open(index_path() / file["name"], "rb") as handle:
                shared.save(file["name"], File(handle))
    previous = _published_meta(shared, space)
    shared.save(f"{space}.json", ContentFile(json.dumps(meta, indent=1).encode()))
    # As on disk, the previous version's files stay for processes that read its meta a moment ago.
    kept = version_files(meta, previous)
    for name in shared.listdir("")[1]:
        if name.startswith(f"{space}.") and name != f"{space}.json" and name not in kept:
            shared.delete(name)


def _fetch(space: str) -> None:
    """Install the published version in SEARCH_INDEX_DIR when it differs from the one there (the caller
    holds the write lock)."""
    shared = _shared()
    published = _published_meta(shared, space) if shared else None
    if published is None or published.get("version") == VectorIndex.stored_version(index_path(), space=space):
        return

    def download(name: str, out) -> None:
        with shared.open(name, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 22)

    try:
        VectorIndex.install(index_path(), space=space, meta=published, fetch=download)
    except (IndexMissing, FileNotFoundError) as exc:  # damaged, or pruned by a newer publish meanwhile
        logger.warning("The published %s index could not be fetched (%s); keeping the local one.", space, exc)


def _poll(space: str) -> None:
    """Look for a newer published version at most every SEARCH_INDEX_POLL_SECONDS. A process of this machine
    that is writing holds the lock and publishes what it writes, so a reader never waits for it."""
    now = time.monotonic()
    if _shared() is None or now - _polled.get(space, -math.inf) < settings.SEARCH_INDEX_POLL_SECONDS:
        return
    _polled[space] = now
    with index_write_lock(wait=False) as locked:
        if locked:
            _fetch(space)


def _save(index: VectorIndex, *, encoder: Encoder, space: str) -> None:
    index.save(index_path(), encoder_name=encoder.name, space=space)
    _publish(space)


def _vectors_of_active_items(encoder: Encoder, space: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = (ItemEmbedding.objects.filter(encoder=encoder.name, space=space, item__is_active=True)
            .values_list("item_id", "item__category_id", "vector").order_by("item_id"))
    dim = encoder.dim(space)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64)
    categories = np.fromiter((r[1] for r in rows), dtype=np.int64)
    vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(-1, dim)
    return ids, categories, vectors


def _stored_index(encoder: Encoder, space: str) -> VectorIndex:
    """The saved index of this encoder's space; raises IndexMissing (or IndexMismatch) when unusable."""
    return VectorIndex.load(index_path(), encoder_name=encoder.name, space=space, dim=encoder.dim(space))


def _built(encoder: Encoder, space: str) -> VectorIndex:
    ids, categories, vectors = _vectors_of_active_items(encoder, space)
    return VectorIndex.build(ids=ids, categories=categories, vectors=vectors, exact_max=settings.SEARCH_EXACT_MAX)


def index_build(*, encoder: Encoder, space: str) -> VectorIndex:
    """Rebuild one space's index from the stored embeddings of active items and save it."""
    index = _built(encoder, space)
    with index_write_lock():
        _save(index, encoder=encoder, space=space)
    return index


def index_upsert(*, encoder: Encoder, items: list[ClothingItem]) -> None:
    """Put these items' stored vectors into every space's index (or take inactive ones out)."""
    active = [item for item in items if item.is_active]
    with index_write_lock():
        for space in SPACES:
            _fetch(space)
            try:
                index = _stored_index(encoder, space)
            except IndexMissing:
                # Never built, deleted or corrupt: rebuild from every stored vector (these items'
                # included), not from nothing, which would drop every other item from search.
                _save(_built(encoder, space), encoder=encoder, space=space)
                continue
            index.remove(ids=np.array([item.pk for item in items], dtype=np.int64))
            stored = {e.item_id: e.as_array() for e in ItemEmbedding.objects.filter(
                item__in=active, encoder=encoder.name, space=space)}
            if stored:
                kept = [item for item in active if item.pk in stored]
                index.upsert(ids=np.array([i.pk for i in kept], dtype=np.int64),
                             categories=np.array([i.category_id for i in kept], dtype=np.int64),
                             vectors=np.stack([stored[i.pk] for i in kept]))
            _save(index, encoder=encoder, space=space)


def index_remove(*, encoder: Encoder, item_ids: list[int]) -> None:
    with index_write_lock():
        for space in SPACES:
            _fetch(space)
            try:
                index = _stored_index(encoder, space)
            except IndexMissing:
                continue
            index.remove(ids=np.array(item_ids, dtype=np.int64))
            _save(index, encoder=encoder, space=space)


def loaded_index(*, encoder: Encoder, space: str) -> VectorIndex:
    """This process's copy of the index, reloaded when a newer version was saved (here, or published).

    Raises IndexMissing (or IndexMismatch) when there is no usable index."""
    now, key = time.monotonic(), f"{index_path()}|{encoder.name}|{space}"
    with _cache_lock:
        cached = _cache.get(key)
        if cached and now - cached[2] < RELOAD_CHECK_SECONDS:
            return cached[0]
        _poll(space)
        version = VectorIndex.stored_version(index_path(), space=space)
        if cached and version == cached[1]:
            _cache[key] = (cached[0], version, now)
            return cached[0]
        try:
            index = _stored_index(encoder, space)
        except IndexMissing:
            if not cached:
                raise
            # The files were deleted or damaged after this copy was read and verified. Keep serving
            # it rather than take search down: results are re-checked against the database, so it
            # only lacks items added since. A process without a copy answers 503 until a rebuild,
            # whose new version replaces this copy at the next check.
            logger.warning("The stored %s index is unusable; serving the copy loaded earlier.", space)
            _cache[key] = (cached[0], cached[1], now)
            return cached[0]
        _cache[key] = (index, version, now)
        return index


def index_versions(*, encoder: Encoder) -> dict[str, str | None]:
    """Each space's index version this process serves, after looking for a newer published one; None
    where it has no usable index (search answers 503 until one is built)."""
    versions = {}
    for space in SPACES:
        try:
            loaded_index(encoder=encoder, space=space)
        except (IndexMissing, IndexMismatch):
            versions[space] = None
            continue
        with _cache_lock:
            versions[space] = _cache[f"{index_path()}|{encoder.name}|{space}"][1]
    return versions


def forget_loaded_indexes() -> None:
    with _cache_lock:
        _cache.clear()
        _polled.clear()
