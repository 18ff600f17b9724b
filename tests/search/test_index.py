"""VectorIndex against numpy brute force: exact and approximate kinds, filters, changes, files."""

import numpy as np
import pytest

from search.index import IndexMismatch, IndexMissing, VectorIndex

DIM = 64
RARE = 3  # 1% of the items


def unit(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def catalog(n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    # Ids far from positions, so a mix-up between the two cannot pass.
    ids = rng.permutation(np.arange(n, dtype=np.int64) * 7 + 1000)
    categories = rng.choice([1, 2, RARE], size=n, p=[0.5, 0.49, 0.01]).astype(np.int64)
    return {"ids": ids, "categories": categories, "vectors": unit(rng, n)}


def brute_force(items: dict, query: np.ndarray, k: int, category: int | None = None) -> list[tuple[int, float]]:
    scores = items["vectors"] @ query
    keep = np.ones(len(scores), bool) if category is None else items["categories"] == category
    best = np.flatnonzero(keep)[np.argsort(-scores[keep], kind="stable")[:k]]
    return [(int(items["ids"][i]), float(scores[i])) for i in best]


def recall_at_10(index: VectorIndex, items: dict, queries: np.ndarray) -> float:
    hits = [len({i for i, _ in index.search(q, k=10)} & {i for i, _ in brute_force(items, q, 10)})
            for q in queries]
    return sum(hits) / (10 * len(queries))


@pytest.fixture(scope="module")
def small():
    return catalog(600)


@pytest.fixture(scope="module")
def large():
    return catalog(2000, seed=1)


def built(items: dict, kind: str) -> VectorIndex:
    index = VectorIndex.build(**items, exact_max=1_000 if kind == "ivf" else 50_000)
    assert index.kind == kind
    return index


def test_exact_search_returns_the_true_top_k_and_scores(small):
    index = VectorIndex.build(**small)
    for query in unit(np.random.default_rng(9), 20):
        found = index.search(query, k=10)
        expected = brute_force(small, query, 10)
        assert [i for i, _ in found] == [i for i, _ in expected]
        np.testing.assert_allclose([s for _, s in found], [s for _, s in expected], rtol=1e-5)


@pytest.mark.parametrize("kind", ["exact", "ivf"])
@pytest.mark.parametrize("category", [1, RARE])
def test_category_filter_returns_k_items_of_that_category_only(large, kind, category):
    index = built(large, kind)
    assert (large["categories"] == RARE).sum() >= 10
    in_category = set(large["ids"][large["categories"] == category].tolist())
    for query in unit(np.random.default_rng(5), 10):
        found = index.search(query, k=10, category=category)
        assert len(found) == 10 and {i for i, _ in found} <= in_category
        if category == RARE:  # 1%: an over-fetch-and-drop of 10 would find almost none
            assert [i for i, _ in found] == [i for i, _ in brute_force(large, query, 10, category)]


def test_filter_on_a_small_or_unknown_category_returns_what_there_is(small):
    index = VectorIndex.build(**small)
    query = small["vectors"][0]
    assert len(index.search(query, k=500, category=RARE)) == (small["categories"] == RARE).sum()
    assert index.search(query, k=10, category=999) == []


def test_approximate_kind_above_exact_max_keeps_recall_at_10(large):
    index = built(large, "ivf")
    measured = recall_at_10(index, large, unit(np.random.default_rng(3), 100))
    assert measured >= 0.9
    assert index.recall >= 0.9  # the figure calibrated at build time agrees
    assert len(index) == 2000 and index.dim == DIM


@pytest.mark.parametrize("kind", ["exact", "ivf"])
def test_upsert_replaces_vector_and_category(large, kind):
    index = built(large, kind)
    target, query = int(large["ids"][0]), unit(np.random.default_rng(7), 1)[0]
    new_category = 2 if large["categories"][0] != 2 else 1
    index.upsert(ids=[target], categories=[new_category], vectors=query[None])
    assert len(index) == 2000
    found = index.search(query, k=10)
    assert found[0][0] == target and found[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [i for i, _ in found].count(target) == 1
    assert index.search(query, k=1, category=new_category)[0][0] == target
    old = [i for c in (1, 2, RARE) if c != new_category for i, _ in index.search(query, k=50, category=c)]
    assert target not in old


@pytest.mark.parametrize("kind", ["exact", "ivf"])
def test_remove_takes_effect_at_once(large, kind):
    index = built(large, kind)
    query = large["vectors"][5]
    gone = [i for i, _ in index.search(query, k=3)]
    index.remove(ids=gone)
    assert len(index) == 2000 - 3
    for category in (None, int(large["categories"][5])):
        assert not set(gone) & {i for i, _ in index.search(query, k=20, category=category)}


def test_many_removals_rebuild_and_keep_results_right(large):
    index = built(large, "ivf")
    gone = large["ids"][:700]
    index.remove(ids=gone)
    rest = {key: value[700:] for key, value in large.items()}
    assert len(index) == 1300 and index.kind == "ivf"
    assert recall_at_10(index, rest, unit(np.random.default_rng(4), 50)) >= 0.9


def test_growing_past_exact_max_switches_to_the_approximate_kind(large):
    first = {key: value[:900] for key, value in large.items()}
    index = VectorIndex.build(**first, exact_max=1_000)
    assert index.kind == "exact"
    index.upsert(**{key: value[900:] for key, value in large.items()})
    assert index.kind == "ivf" and len(index) == 2000
    assert recall_at_10(index, large, unit(np.random.default_rng(8), 50)) >= 0.9


@pytest.mark.parametrize("kind", ["exact", "ivf"])
def test_save_load_round_trip_keeps_results(large, kind, tmp_path):
    index = built(large, kind)
    index.remove(ids=large["ids"][:10])
    index.save(tmp_path, encoder_name="enc", space="text")
    loaded = VectorIndex.load(tmp_path, encoder_name="enc", space="text", dim=DIM)
    assert (loaded.kind, len(loaded), loaded.dim, loaded.recall) == (kind, 1990, DIM, index.recall)
    for query in unit(np.random.default_rng(2), 10):
        for category in (None, RARE):
            assert loaded.search(query, k=10, category=category) == index.search(query, k=10, category=category)


@pytest.mark.parametrize("wanted", [{"encoder_name": "other"}, {"dim": DIM + 1}])
def test_load_refuses_another_encoder_or_dimension(small, tmp_path, wanted):
    VectorIndex.build(**small).save(tmp_path, encoder_name="enc", space="text")
    with pytest.raises(IndexMismatch):
        VectorIndex.load(tmp_path, **{"encoder_name": "enc", "space": "text", "dim": DIM, **wanted})


def test_load_of_an_absent_index_raises_index_missing(tmp_path):
    with pytest.raises(IndexMissing):
        VectorIndex.load(tmp_path / "nowhere", encoder_name="enc", space="text", dim=DIM)
    assert VectorIndex.stored_version(tmp_path / "nowhere", space="text") is None


@pytest.mark.parametrize("suffix", [".faiss", ".npz", ".json"])
@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_files_raise_index_missing(small, tmp_path, suffix, damage):
    VectorIndex.build(**small).save(tmp_path, encoder_name="enc", space="text")
    [file] = tmp_path.glob(f"text*{suffix}")
    content = file.read_bytes()
    file.write_bytes(content[: len(content) // 2] if damage == "truncate" else b"\x07garbage" * 100)
    with pytest.raises(IndexMissing):
        VectorIndex.load(tmp_path, encoder_name="enc", space="text", dim=DIM)


def test_each_save_makes_a_new_version_and_old_files_do_not_pile_up(small, tmp_path):
    index = VectorIndex.build(**small)
    versions = [index.save(tmp_path, encoder_name="enc", space="image") for _ in range(4)]
    assert len(set(versions)) == 4
    assert VectorIndex.stored_version(tmp_path, space="image") == versions[-1]
    assert VectorIndex.stored_version(tmp_path, space="text") is None
    kept = sorted(path.name.split(".")[1] for path in tmp_path.glob("image.*.faiss"))
    assert kept == sorted(versions[-2:])  # the previous version stays for readers of its meta
    assert not list(tmp_path.glob(".tmp-*"))


def test_bad_input_is_refused(small):
    index = VectorIndex.build(**small)
    with pytest.raises(ValueError):
        index.search(np.zeros(DIM + 1, np.float32), k=3)
    with pytest.raises(ValueError):
        index.upsert(ids=[1, 1], categories=[1, 1], vectors=unit(np.random.default_rng(0), 2))


@pytest.mark.parametrize("kind", ["exact", "ivf"])
def test_search_among_given_items_returns_their_true_best_only(large, kind):
    """What search_catalog asks when the shop's filters (type, colour, price…) let some items through."""
    index = built(large, kind)
    chosen = large["ids"][::37]
    keep = np.isin(large["ids"], chosen)
    subset = {key: values[keep] for key, values in large.items()}
    for query in unit(np.random.default_rng(11), 5):
        found = index.search(query, k=10, among=chosen)
        assert [i for i, _ in found] == [i for i, _ in brute_force(subset, query, 10)]
        in_category = index.search(query, k=100, category=1, among=chosen)
        assert {i for i, _ in in_category} == set(subset["ids"][subset["categories"] == 1].tolist())
    assert index.search(large["vectors"][0], k=10, among=np.array([], dtype=np.int64)) == []
