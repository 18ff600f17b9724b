"""A FAISS vector index over one embedding space, with category filtering inside the search.

Up to `exact_max` vectors the index is exact (IndexFlatIP). Above it, IVF-Flat: on this project's
2-core machine, HNSW (M=32, efConstruction=80) took 161 s to build 100k x 384 vectors (55 s with
M=16, efConstruction=40), so half an hour or more at 1M, while IVF built the same 100k in 2-4 s and
1M in ~40 s, calibration included. IVF's
`nprobe` is calibrated at build time against exact search on the index's own vectors until recall@10
reaches RECALL_TARGET, and the measured recall is kept: on unstructured vectors that honestly costs
close to a full scan, on real (clustered) embeddings a few lists suffice.

Vectors live at positions 0..n-1 of the faiss index; numpy arrays map a position to its item id, its
category and whether it is still alive. Removal and replacement tombstone positions at once and the
index is rebuilt when too many are dead. Filters are IDSelectorBitmaps over positions (category AND
alive), cached per category, so a query never builds a selector and filtering happens inside faiss.

One instance may be searched from many threads, but not while it is being changed: writers change
their own copy and save it; readers load the newer version.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable

import faiss
import numpy as np

FORMAT = 1
RECALL_TARGET = 0.95
RECALL_K = 10
CALIBRATION_QUERIES = 128
TRAIN_POINTS_PER_LIST = 40  # k-means needs ~39 per centroid; more only slows the build
REBUILD_DEAD_FRACTION = 0.25
REBUILD_GROWTH = 4  # IVF lists trained for n vectors grow long (slow) well past n
META_KEYS = {"format", "encoder", "space", "dim", "version", "exact_max", "nprobe", "recall", "trained", "files"}


class IndexMissing(Exception):
    """No usable index on disk: never saved, deleted, truncated or corrupt."""


class IndexMismatch(Exception):
    """The stored index belongs to another encoder, space or dimension: rebuild it."""


@dataclass(frozen=True)
class _Filter:
    bitmap: np.ndarray  # faiss keeps only a raw pointer to it
    selector: faiss.IDSelector
    count: int


class VectorIndex:
    def __init__(self, *, index: faiss.Index, ids: np.ndarray, categories: np.ndarray, alive: np.ndarray,
                 exact_max: int, nprobe: int, recall: float, trained: int):
        self._index, self._ids, self._categories, self._alive = index, ids, categories, alive
        self._exact_max, self._nprobe, self.recall, self._trained = exact_max, nprobe, recall, trained
        self._filters: dict[int | None, _Filter] = {}

    @classmethod
    def build(cls, *, ids: np.ndarray, categories: np.ndarray, vectors: np.ndarray,
              exact_max: int = 50_000) -> VectorIndex:
        ids, categories, vectors = _checked(ids, categories, vectors, dim=None)
        n, dim = vectors.shape
        if n <= exact_max:
            index, nprobe, recall = faiss.IndexFlatIP(dim), 0, 1.0
            index.add(vectors)
        else:
            index, nprobe, recall = _ivf_build(vectors)
        return cls(index=index, ids=ids, categories=categories, alive=np.ones(n, dtype=bool),
                   exact_max=exact_max, nprobe=nprobe, recall=recall, trained=n)

    def __len__(self) -> int:
        return int(np.count_nonzero(self._alive))

    @property
    def dim(self) -> int:
        return self._index.d

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._index, faiss.IndexIVF) else "exact"

    @property
    def probes(self) -> tuple[int, int] | None:
        """(lists an unfiltered search probes, lists in all) for IVF; None for exact search."""
        return (self._nprobe, self._index.nlist) if self.kind == "ivf" else None

    def search(self, query: np.ndarray, *, k: int, category: int | None = None,
               among: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best (item id, inner product) pairs, best first, within `category` when given, and
        among the given item ids when given (what the shop's filters let through)."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError(f"query has dimension {query.shape[1]}, the index {self.dim}")
        found = self._filter(category) if among is None else self._among(among, category)
        wanted = min(k, found.count)
        if wanted <= 0:
            return []
        hits = self._search(query, wanted, found, self._nprobe_for(found))
        if len(hits) < wanted and self.kind == "ivf":  # the probed lists held too few matches
            hits = self._search(query, wanted, found, self._index.nlist)
        return hits

    def upsert(self, *, ids: np.ndarray, categories: np.ndarray, vectors: np.ndarray) -> None:
        ids, categories, vectors = _checked(ids, categories, vectors, dim=self.dim)
        self._alive[np.isin(self._ids, ids)] = False
        self._index.add(vectors)
        self._ids = np.concatenate([self._ids, ids])
        self._categories = np.concatenate([self._categories, categories])
        self._alive = np.concatenate([self._alive, np.ones(len(ids), dtype=bool)])
        self._changed()

    def remove(self, *, ids: np.ndarray) -> None:
        self._alive[np.isin(self._ids, np.asarray(ids, dtype=np.int64))] = False
        self._changed()

    def _changed(self) -> None:
        self._filters.clear()
        total, alive = len(self._alive), len(self)
        limit = self._exact_max if self.kind == "exact" else REBUILD_GROWTH * self._trained
        if total - alive > REBUILD_DEAD_FRACTION * total or alive > limit:
            keep = np.flatnonzero(self._alive)
            fresh = VectorIndex.build(ids=self._ids[keep], categories=self._categories[keep],
                                      vectors=self._index.reconstruct_batch(keep), exact_max=self._exact_max)
            vars(self).update(vars(fresh))

    def _filter(self, category: int | None) -> _Filter:
        """Positions a search may return: alive and, when given, in the category."""
        if category not in self._filters:
            mask = self._alive if category is None else self._alive & (self._categories == category)
            bitmap = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
            self._filters[category] = _Filter(bitmap, selector, int(np.count_nonzero(mask)))
        return self._filters[category]

    def _among(self, item_ids: np.ndarray, category: int | None) -> _Filter:
        """Positions of these items (alive, in the category when given); built per query, not cached,
        as each filtered search names its own items."""
        mask = self._filter(category).bitmap
        mask = np.unpackbits(mask, count=len(self._alive), bitorder="little").astype(bool)
        mask &= np.isin(self._ids, np.asarray(item_ids, dtype=np.int64))
        bitmap = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
        return _Filter(bitmap, selector, int(np.count_nonzero(mask)))

    def _nprobe_for(self, found: _Filter) -> int:
        # Probe lists in inverse proportion to the filter's share, so that a filtered search meets
        # about as many candidates as an unfiltered one; a rare category scans every list.
        if self.kind == "exact":
            return 0
        return min(self._index.nlist, math.ceil(self._nprobe * self._filter(None).count / found.count))

    def _search(self, query: np.ndarray, k: int, found: _Filter, nprobe: int) -> list[tuple[int, float]]:
        # Always with a selector, even when every position is alive: faiss spreads one unfiltered
        # flat query over its OpenMP threads, which on 2 busy cores made a 50k-vector search take
        # 25 ms instead of 3.5 ms; with a selector it scans on the calling thread.
        if self.kind == "ivf":
            params = faiss.SearchParametersIVF(nprobe=nprobe, sel=found.selector)
        else:
            params = faiss.SearchParameters(sel=found.selector)
        scores, positions = self._index.search(query, k, params=params)
        return [(int(self._ids[p]), float(s)) for p, s in zip(positions[0], scores[0]) if p >= 0]

    # --- Files: <space>.json (meta, replaced last) names <space>.<version>.faiss and .npz -------

    def save(self, path: Path, *, encoder_name: str, space: str) -> str:
        """Write a new version atomically and return it. Readers of the previous meta keep working:
        each version has its own data files, and the previous version's are kept."""
        path.mkdir(parents=True, exist_ok=True)
        previous = _meta_read(path, space)
        version = uuid.uuid4().hex
        files = {
            "index": _write_atomic(path / f"{space}.{version}.faiss", lambda t: faiss.write_index(self._index, str(t))),
            "arrays": _write_atomic(path / f"{space}.{version}.npz", self._arrays_write),
        }
        meta = {"format": FORMAT, "encoder": encoder_name, "space": space, "dim": self.dim, "kind": self.kind,
                "count": len(self), "version": version, "saved_at": datetime.now(timezone.utc).isoformat(),
                "exact_max": self._exact_max, "nprobe": self._nprobe, "recall": self.recall,
                "trained": self._trained, "files": files}
        _meta_replace(path, space=space, meta=meta, previous=previous)
        return version

    @staticmethod
    def install(path: Path, *, space: str, meta: dict, fetch: Callable[[str, BinaryIO], None]) -> None:
        """Make a version that `save` wrote elsewhere (its meta, published with it) the one in `path`:
        `fetch(name, out)` writes each data file into `out`; each is checked against the meta's sha256
        before it takes its name, then the meta is replaced last, as `save` does. Raises IndexMissing,
        changing nothing that readers use, when the meta is not one `save` wrote or a file arrives damaged."""
        if not _meta_valid(meta):
            raise IndexMissing(f"the published {space} index's meta is unreadable")
        path.mkdir(parents=True, exist_ok=True)
        previous = _meta_read(path, space)
        for file in meta["files"].values():
            target = path / file["name"]
            if not target.is_file() or _sha256(target) != file["sha256"]:
                _fetch_checked(target, sha256=file["sha256"], fetch=fetch)
        _meta_replace(path, space=space, meta=meta, previous=previous)

    def _arrays_write(self, target: Path) -> None:
        with open(target, "wb") as handle:
            np.savez(handle, ids=self._ids, categories=self._categories, removed=~self._alive)

    @classmethod
    def load(cls, path: Path, *, encoder_name: str, space: str, dim: int) -> VectorIndex:
        for _ in range(3):  # a concurrent save may prune the files of the meta just read
            meta = _meta_read(path, space)
            if meta is None:
                raise IndexMissing(f"no {space} index in {path}")
            stored = (meta["format"], meta["encoder"], meta["space"], meta["dim"])
            if stored != (FORMAT, encoder_name, space, dim):
                raise IndexMismatch(f"stored index is {stored}, wanted {(FORMAT, encoder_name, space, dim)}")
            try:
                return cls._from_files(path, meta)
            except FileNotFoundError:
                continue
        raise IndexMissing(f"the {space} index in {path} kept changing while it was read")

    @classmethod
    def _from_files(cls, path: Path, meta: dict) -> VectorIndex:
        for file in meta["files"].values():
            if _sha256(path / file["name"]) != file["sha256"]:
                raise IndexMissing(f"{file['name']} is truncated or corrupt")
        try:
            index = faiss.read_index(str(path / meta["files"]["index"]["name"]))
            with np.load(path / meta["files"]["arrays"]["name"]) as arrays:
                ids, categories, alive = arrays["ids"], arrays["categories"], ~arrays["removed"]
        except (RuntimeError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise IndexMissing(f"unreadable index: {exc}") from exc
        if not index.d == meta["dim"] or not index.ntotal == len(ids) == len(categories) == len(alive):
            raise IndexMissing("index and arrays disagree")
        return cls(index=index, ids=ids, categories=categories, alive=alive, exact_max=meta["exact_max"],
                   nprobe=meta["nprobe"], recall=meta["recall"], trained=meta["trained"])

    @staticmethod
    def stored_version(path: Path, *, space: str) -> str | None:
        """The saved version's id, reading only the small meta file: cheap enough to poll."""
        meta = _meta_read(path, space)
        return None if meta is None else meta["version"]

    @staticmethod
    def stored_meta(path: Path, *, space: str) -> dict | None:
        """The saved version's meta (what `install` takes elsewhere), or None."""
        return _meta_read(path, space)


def _checked(ids, categories, vectors, *, dim: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = np.asarray(ids, dtype=np.int64).ravel()
    categories = np.asarray(categories, dtype=np.int64).ravel()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or not len(ids) == len(categories) == len(vectors):
        raise ValueError("need one id, one category and one row vector per item")
    if dim is not None and vectors.shape[1] != dim:
        raise ValueError(f"vectors have dimension {vectors.shape[1]}, the index {dim}")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    return ids, categories, vectors


def _ivf_build(vectors: np.ndarray) -> tuple[faiss.IndexIVFFlat, int, float]:
    n, dim = vectors.shape
    rng = np.random.default_rng(0)  # the same vectors give the same index
    nlist = max(1, round(math.sqrt(n)))  # lists of ~sqrt(n): probing costs as much as ranking lists
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    sample = rng.choice(n, size=min(n, TRAIN_POINTS_PER_LIST * nlist), replace=False)
    index.train(vectors[np.sort(sample)])
    index.make_direct_map()  # lets a rebuild read the vectors back
    index.add(vectors)
    nprobe, recall = _calibrate(index, vectors, rng)
    return index, nprobe, recall


def _calibrate(index: faiss.IndexIVFFlat, vectors: np.ndarray, rng: np.random.Generator) -> tuple[int, float]:
    """The smallest nprobe (doubling) whose recall@10 reaches RECALL_TARGET, and that recall.

    The queries are indexed vectors; each is left out of its own results, which it would always top."""
    picks = rng.choice(len(vectors), size=min(CALIBRATION_QUERIES, len(vectors)), replace=False)
    queries = vectors[picks]
    _, truth = faiss.knn(queries, vectors, RECALL_K + 1, metric=faiss.METRIC_INNER_PRODUCT)
    nprobe = 1
    while True:
        _, found = index.search(queries, RECALL_K + 1, params=faiss.SearchParametersIVF(nprobe=nprobe))
        recall = np.mean([len(_others(f, p) & _others(t, p)) / RECALL_K for f, t, p in zip(found, truth, picks)])
        if recall >= RECALL_TARGET or nprobe == index.nlist:
            return nprobe, float(recall)
        nprobe = min(2 * nprobe, index.nlist)


def _others(positions: np.ndarray, query_position: int) -> set[int]:
    return set(positions[positions != query_position][:RECALL_K].tolist())


def _meta_read(path: Path, space: str) -> dict | None:
    """The meta file, or None when it is absent or not one that `save` wrote."""
    try:
        meta = json.loads((path / f"{space}.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if _meta_valid(meta) else None


def _meta_valid(meta) -> bool:
    try:
        files = [meta["files"][part] for part in ("index", "arrays")]
        # A data file's name is a bare file name, so a published meta cannot point outside the folder.
        return META_KEYS <= meta.keys() and all(
            file.keys() >= {"name", "sha256"} and Path(file["name"]).name == file["name"] for file in files)
    except (TypeError, KeyError, AttributeError):
        return False


def version_files(*metas: dict | None) -> set[str]:
    """The data files these versions' metas name (None: no version): what a clean-up keeps."""
    return {file["name"] for meta in metas if meta for file in meta.get("files", {}).values()}


def _meta_replace(path: Path, *, space: str, meta: dict, previous: dict | None) -> None:
    """Write the meta last, then drop data files that neither it nor the previous version names (a reader
    of the previous meta keeps working)."""
    _write_atomic(path / f"{space}.json", lambda t: t.write_text(json.dumps(meta, indent=1)))
    kept = version_files(meta, previous)
    for stale in set(path.glob(f"{space}.*.faiss")) | set(path.glob(f"{space}.*.npz")):
        if stale.name not in kept:
            stale.unlink(missing_ok=True)


def _fetch_checked(target: Path, *, sha256: str, fetch: Callable[[str, BinaryIO], None]) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    os.close(handle)
    temporary = Path(temporary)
    try:
        with open(temporary, "wb") as out:
            fetch(target.name, out)
        if _sha256(temporary) != sha256:
            raise IndexMissing(f"{target.name} arrived truncated or corrupt")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _write_atomic(target: Path, write: Callable[[Path], None]) -> dict:
    """Write through a temporary file in the same directory, fsync, then rename over `target`."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    os.close(handle)
    temporary = Path(temporary)
    try:
        write(temporary)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        digest = _sha256(temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return {"name": target.name, "sha256": digest}


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()
