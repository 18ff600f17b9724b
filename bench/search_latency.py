#!/usr/bin/env python3
"""Search latency: OVDR's VectorIndex beside the brute-force numpy scan it replaced.

    .venv/bin/python bench/search_latency.py [--max-n 1000000] [--queries 300]

For each case it builds a VectorIndex (exact up to 50k vectors, IVF above) over synthetic unit
vectors in three categories (45/40/15%), then times single queries with k=10: our search
unfiltered, our search within the 15% category (the filter runs inside faiss), and numpy
`vectors @ q` plus argpartition over every embedding, as the original OVDR did. Recall@10 is
measured against exact results for the same queries, within the category for the filtered column.
Each index is also saved and loaded once (VectorIndex.save/load, checksums included), and its
files' size stands for its memory.

Data. "clustered" vectors imitate a catalog: 64 broad styles, products near a style, and items
(~20 a product: colours, sizes, near-duplicates) near a product; queries are fresh items near
existing products. "uniform" vectors are random directions: no neighbourhood structure at all, the
worst case for any approximate index, included to show what calibration does then. The IVF index
calibrates nprobe at build time until recall@10 on its own vectors reaches 0.95.

Nothing here needs Django; it imports search/index.py directly. The whole run takes ~5 minutes
on 2 cores and peaks near 6 GB of memory (the 1M case holds the vectors twice: numpy and faiss).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from search.index import VectorIndex  # noqa: E402

K = 10
SHARES = {1: 0.45, 2: 0.40, 3: 0.15}
FILTERED = 3  # the 15% category
STYLES, ITEMS_PER_PRODUCT = 64, 20
CHUNK = 100_000


@dataclass(frozen=True)
class Case:
    n: int
    dim: int = 384  # the default text encoder's
    data: str = "clustered"
    exact_max: int = 50_000


CASES = [
    Case(10_000),
    Case(100_000),
    Case(100_000, exact_max=10**9),  # what keeping exact search at this size would cost
    Case(100_000, data="uniform"),
    Case(100_000, dim=512),  # the CLIP encoder's image space
    Case(1_000_000),
]


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def near(rng: np.random.Generator, centres: np.ndarray, count: int) -> np.ndarray:
    """`count` unit vectors, each near a random centre (expected cosine to it ~0.7)."""
    out = np.empty((count, centres.shape[1]), np.float32)
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        noise = rng.standard_normal((size, centres.shape[1]), dtype=np.float32) / np.sqrt(centres.shape[1])
        out[start:start + size] = unit(centres[rng.integers(len(centres), size=size)] + noise)
    return out


def vectors_and_queries(case: Case, queries: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    if case.data == "uniform":
        everything = near(rng, np.zeros((1, case.dim), np.float32), case.n + queries)
        return everything[:case.n], everything[case.n:]
    styles = unit(rng.standard_normal((STYLES, case.dim), dtype=np.float32))
    products = near(rng, styles, max(1, case.n // ITEMS_PER_PRODUCT))
    return near(rng, products, case.n), near(rng, products, queries)


def round_trip(index: VectorIndex, dim: int) -> tuple[float, float, float]:
    """Seconds to save and to load the index, and its size on disk in MB (~ its memory)."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        index.save(Path(folder), encoder_name="bench", space="text")
        saved = time.perf_counter()
        VectorIndex.load(Path(folder), encoder_name="bench", space="text", dim=dim)
        size = sum(file.stat().st_size for file in Path(folder).iterdir()) / 2**20
        return saved - start, time.perf_counter() - saved, size


def timed(search, queries: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Results and per-query milliseconds, after a short unrecorded warm-up."""
    for query in queries[:5]:
        search(query)
    results, times = [], []
    for query in queries:
        start = time.perf_counter()
        results.append(search(query))
        times.append((time.perf_counter() - start) * 1000)
    return results, np.array(times)


def numpy_top(vectors: np.ndarray):
    def search(query: np.ndarray) -> np.ndarray:
        scores = vectors @ query
        top = np.argpartition(-scores, K)[:K]
        return top[np.argsort(-scores[top])]
    return search


def recall(found: list, truth: list) -> float:
    return float(np.mean([len(set(f) & set(t)) / K for f, t in zip(found, truth)]))


def measure(case: Case, queries: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    vectors, query_vectors = vectors_and_queries(case, queries, rng)
    categories = rng.choice(list(SHARES), size=case.n, p=list(SHARES.values())).astype(np.int64)
    start = time.perf_counter()
    index = VectorIndex.build(ids=np.arange(case.n), categories=categories, vectors=vectors,
                              exact_max=case.exact_max)
    build_s = time.perf_counter() - start
    save_s, load_s, size_mb = round_trip(index, case.dim)

    truth, numpy_ms = timed(numpy_top(vectors), query_vectors)
    in_category = np.flatnonzero(categories == FILTERED)
    category_vectors = vectors[in_category]
    truth_filtered = [in_category[np.argsort(-(category_vectors @ q))[:K]] for q in query_vectors]
    del category_vectors
    found, ours_ms = timed(lambda q: [i for i, _ in index.search(q, k=K)], query_vectors)
    found_filtered, filtered_ms = timed(lambda q: [i for i, _ in index.search(q, k=K, category=FILTERED)],
                                        query_vectors)
    return {
        "case": case, "kind": index.kind, "build_s": build_s, "save_s": save_s, "load_s": load_s, "size_mb": size_mb,
        "probe": "all" if index.probes is None else "{}/{}".format(*index.probes),
        "ours": ours_ms, "filtered": filtered_ms, "numpy": numpy_ms,
        "recall": recall(found, truth), "recall_filtered": recall(found_filtered, truth_filtered),
        "calibrated": None if index.probes is None else index.recall,
    }


def ms(times: np.ndarray) -> str:
    return f"{np.percentile(times, 50):.2f} / {np.percentile(times, 99, method='inverted_cdf'):.2f}"


def table(rows: list[dict]) -> str:
    lines = [
        "| vectors | dim | data | index | nprobe/lists | build s | save / load s | index MB | ours p50/p99 ms "
        "| ours, 15% category p50/p99 ms | numpy scan p50/p99 ms | recall@10 | recall@10 in category "
        "| calibrated recall@10 |",
        "|" + "---:|" * 14,
    ]
    for row in rows:
        case = row["case"]
        calibrated = "" if row["calibrated"] is None else f"{row['calibrated']:.3f}"
        lines.append(
            f"| {case.n:,} | {case.dim} | {case.data} | {row['kind']} | {row['probe']} | {row['build_s']:.1f} "
            f"| {row['save_s']:.1f} / {row['load_s']:.1f} | {row['size_mb']:.0f} "
            f"| {ms(row['ours'])} | {ms(row['filtered'])} | {ms(row['numpy'])} "
            f"| {row['recall']:.3f} | {row['recall_filtered']:.3f} | {calibrated} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-n", type=int, default=1_000_000, help="skip cases with more vectors")
    parser.add_argument("--queries", type=int, default=300, help="timed queries per case and column")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    print(f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, faiss {faiss.__version__}, "
          f"numpy {np.__version__}; k={K}, {args.queries} single queries per column", file=sys.stderr)
    rows = []
    for case in (case for case in CASES if case.n <= args.max_n):
        start = time.perf_counter()
        rows.append(measure(case, args.queries, args.seed))
        print(f"  {case}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
        gc.collect()
    print(table(rows))


if __name__ == "__main__":
    main()
