"""Scoring of the recommenders on a simulated log (see simulation.py): HR@10 and NDCG@10 with Wilson intervals."""

from collections import Counter

import numpy as np
from django.db.models import Count

from catalog.selectors import clothing_list
from recommend.management.simulation import K, PARTNER_REGION, Shopper, Simulation
from recommend.models import Interaction
from recommend.outfits import complete_the_look
from recommend.personal import for_you, similar_items
from recommend.trending import trending_list, trending_refresh


def _ids(pairs) -> list[int]:
    return [item.pk for item, _ in pairs]


def _recommenders(simulation: Simulation, seed: int) -> dict:
    """name -> shopper -> top-K item ids, or None where the recommender does not apply."""
    rng = np.random.default_rng(seed)
    trending_refresh()
    active = list(clothing_list().order_by("pk").values_list("pk", flat=True))
    trending = _ids(trending_list(limit=K))
    counts = (Interaction.objects.filter(item__is_active=True).values("item_id").annotate(n=Count("id"))
              .order_by("-n", "item_id")[:K])
    popular = [row["item_id"] for row in counts]

    def complete(shopper: Shopper) -> list[int] | None:
        region = PARTNER_REGION.get(shopper.seed_item.category.body_region)
        if region is None or shopper.held_out.item.category.body_region != region:
            return None  # a look is only completed with the other half of it
        return _ids(complete_the_look(item=shopper.seed_item, limit=K))

    return {
        "for you": lambda shopper: _ids(for_you(user=shopper.user, limit=K)),
        "trending": lambda shopper: trending,
        "similar items": lambda shopper: _ids(similar_items(item=shopper.seed_item, limit=K)),
        "complete the look": complete,
        "popularity (baseline)": lambda shopper: popular,
        "random (baseline)": lambda shopper: rng.choice(active, size=min(K, len(active)), replace=False).tolist(),
        "oracle (knows the hidden tastes)": simulation.catalog.oracle,
    }


def _hit(ranked: list[int], target: int) -> tuple[float, float]:
    """(hit, NDCG) for one held-out item: the ideal DCG of a single relevant item is 1."""
    if target not in ranked[:K]:
        return 0.0, 0.0
    return 1.0, 1.0 / np.log2(ranked.index(target) + 2)


def _wilson(hits: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a hit rate; unlike rate +- 1.96 se it is not zero-wide at zero hits."""
    if n == 0:
        return 0.0, 0.0
    rate, spread = hits / n, z * z / n
    centre = (rate + spread / 2) / (1 + spread)
    half = z * np.sqrt(rate * (1 - rate) / n + spread / (4 * n)) / (1 + spread)
    return max(0.0, centre - half), min(1.0, centre + half)


def evaluation_run(*, simulation: Simulation, seed: int) -> dict[str, dict]:
    """name -> {"hr": HR@10, "hr_ci": its 95% interval, "ndcg": NDCG@10, "shoppers": how many were
    evaluated}, on the held-out log."""
    results = {}
    for name, recommend in _recommenders(simulation, seed).items():
        scored = np.array([_hit(ranked, shopper.held_out.item.pk) for shopper in simulation.shoppers
                           if (ranked := recommend(shopper)) is not None]).reshape(-1, 2)
        hr, ndcg = scored.mean(axis=0) if len(scored) else (0.0, 0.0)
        results[name] = {"hr": float(hr), "hr_ci": _wilson(scored[:, 0].sum(), len(scored)),
                         "ndcg": float(ndcg), "shoppers": len(scored)}
    return results


def evaluation_table(*, results: dict[str, dict], simulation: Simulation) -> str:
    """A Markdown table, headed by what the simulated log held."""
    shoppers = simulation.shoppers
    kinds = Counter(event.kind for shopper in shoppers for event in shopper.events)
    held_out = Counter(shopper.held_out.kind for shopper in shoppers)
    lines = [
        f"SIMULATED interaction log (not real shoppers): {len(shoppers)} shoppers, "
        f"{sum(kinds.values())} events ({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}) "
        f"over {clothing_list().count()} active items; held out: each shopper's last event "
        f"({', '.join(f'{n} {kind}' for kind, n in sorted(held_out.items()))}).",
        "",
        f"| recommender | HR@{K} | HR@{K} 95% interval | NDCG@{K} | evaluated shoppers |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {name} | {row['hr']:.3f} | {row['hr_ci'][0]:.3f}-{row['hr_ci'][1]:.3f} | {row['ndcg']:.3f} "
              f"| {row['shoppers']} |" for name, row in results.items()]
    return "\n".join(lines) + "\n"
