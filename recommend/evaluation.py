"""Offline evaluation of the recommenders on a SIMULATED interaction log.

OVDR has no real shoppers yet, so the log is simulated: shoppers with hidden tastes (one or two
garment types, one to three colour families among the colours enrichment detected, a little noise
and a bias towards popular items) view items, keep some in their closet and save outfits, each
through the real services (history_record, closet_add, combination_create), so the signals write
the Interaction log exactly as in production. Each event is then backdated to its simulated time.

Each shopper's last event is held out (leave-last-out) and every recommender is asked for ten
items; HR@10 and NDCG@10 say how often, and how high, the held-out item comes back. Every held-out
item is one its shopper had not met before. Two approximations, both small: other shoppers' events
after a held-out one stay visible (leave-last-out over one shared timeline), and a history entry that
the held-out view pushed past the 20 kept is not restored. The figures show how well the
recommenders recover tastes that we planted, not how real shoppers behave.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from closet.models import ClosetItem, HistoryEntry
from closet.services import closet_add, history_record
from recommend.models import Interaction
from recommend.outfits import complete_the_look, item_color
from recommend.personal import for_you, similar_items
from recommend.trending import trending_list, trending_refresh
from tryon.models import Combination
from tryon.services import combination_create

K = 10
FAMILIES = {
    "dark": ("black", "charcoal", "navy"), "light": ("white", "cream", "beige"), "grey": ("grey",),
    "blue": ("blue", "light blue", "teal"), "green": ("green", "olive", "mint"),
    "red": ("red", "burgundy", "pink", "orange"), "purple": ("purple", "lavender"),
    "yellow": ("yellow", "mustard"), "brown": ("brown", "tan", "khaki"),
}
FAMILY_OF = {colour: family for family, colours in FAMILIES.items() for colour in colours}
PARTNER_REGION = {Category.BodyRegion.UPPER: Category.BodyRegion.LOWER,
                  Category.BodyRegion.LOWER: Category.BodyRegion.UPPER}
CLOSET_RATE, OUTFIT_RATE = 0.2, 0.15
# Every row an event writes, and its time field: backdating and holding out touch exactly these.
EVENT_ROWS = ((Interaction, "created_at"), (HistoryEntry, "viewed_at"), (ClosetItem, "added_at"),
              (Combination, "created_at"))


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # an Interaction.Kind; an outfit event's item is the partner chosen for the previous item
    item: ClothingItem


@dataclass
class Shopper:
    user: User
    types: list[str]
    families: list[str]
    events: list[Event] = field(default_factory=list)

    @property
    def held_out(self) -> Event:
        return self.events[-1]

    @property
    def seed_item(self) -> ClothingItem:
        """The item of the event before the held-out one: what "similar" and "complete" start from."""
        return self.events[-2].item


class Catalog:
    """The active items as arrays, so that each simulated pick is one weighted draw."""

    def __init__(self, rng: np.random.Generator, appeal_sigma: float):
        self.items = list(clothing_list().order_by("pk"))
        self.ids = np.array([item.pk for item in self.items])
        self.types = np.array([str(item.attributes.get("type", "")) for item in self.items])
        self.families = np.array([FAMILY_OF.get(item_color(item), "") for item in self.items])
        self.regions = np.array([item.category.body_region for item in self.items])
        self.appeal = rng.lognormal(0.0, appeal_sigma, len(self.items))  # some items are simply popular

    def taste(self, rng: np.random.Generator) -> tuple[list[str], list[str]]:
        """1-2 types, then 1-3 colour families that those types come in, both as common as in the catalog."""
        types = _draw(rng, self.types, rng.integers(1, 3))
        families = self.families[np.isin(self.types, types) & (self.families != "")]
        return types, _draw(rng, families, rng.integers(1, 4))

    def _unseen(self, events: list[Event], region) -> np.ndarray:
        allowed = ~np.isin(self.ids, [event.item.pk for event in events])
        return allowed if region is None else allowed & (self.regions == region)

    def _fitting(self, shopper: Shopper, allowed: np.ndarray) -> np.ndarray:
        """Items of a liked type and colour family; failing that, of a liked family; failing that, any."""
        liked = allowed & np.isin(self.families, shopper.families)
        typed = liked & np.isin(self.types, shopper.types)
        return next(pool for pool in (typed, liked, allowed) if pool.any()) if allowed.any() else allowed

    def pick(self, rng: np.random.Generator, shopper: Shopper, *, noise: float, region=None) -> ClothingItem | None:
        """A weighted draw among unseen items that fit the taste, or among all unseen ones as noise."""
        allowed = self._unseen(shopper.events, region)
        pool = self._fitting(shopper, allowed) if rng.random() >= noise else allowed
        if not pool.any():
            return None
        weights = self.appeal * pool
        return self.items[rng.choice(len(self.items), p=weights / weights.sum())]

    def oracle(self, shopper: Shopper) -> list[int]:
        """The ceiling: what knowing the hidden taste and every item's appeal would recommend."""
        pool = self._fitting(shopper, self._unseen(shopper.events[:-1], None))
        return self.ids[np.argsort(-(self.appeal * pool), kind="stable")[:K]].tolist()


@dataclass(frozen=True)
class Simulation:
    catalog: Catalog
    shoppers: list[Shopper]


def _draw(rng: np.random.Generator, values: np.ndarray, count: int) -> list[str]:
    """`count` distinct values, each as likely as it is frequent."""
    unique, counts = np.unique(values, return_counts=True)
    if not len(unique):
        return []
    chosen = rng.choice(len(unique), size=min(count, len(unique)), replace=False, p=counts / counts.sum())
    return sorted(unique[chosen].tolist())


def _act(rng: np.random.Generator, catalog: Catalog, shopper: Shopper, *, noise: float) -> tuple[str, ClothingItem]:
    """One event through the real services: an outfit with the previous top or bottom, a closet add
    (a view when the category is full) or a view."""
    user, previous = shopper.user, shopper.events[-1].item if shopper.events else None
    partner_region = PARTNER_REGION.get(previous.category.body_region) if previous else None
    if partner_region and rng.random() < OUTFIT_RATE:
        partner = catalog.pick(rng, shopper, noise=noise, region=partner_region)
        if partner is not None:
            top, bottom = (previous, partner) if partner_region == Category.BodyRegion.LOWER else (partner, previous)
            combination_create(user=user, top=top, bottom=bottom)
            return Interaction.Kind.OUTFIT, partner
    item = catalog.pick(rng, shopper, noise=noise)
    if rng.random() < CLOSET_RATE:
        try:
            closet_add(user=user, item=item)
            return Interaction.Kind.CLOSET, item
        except ValidationError:  # five of that category already: the shopper only looks
            pass
    history_record(user=user, item=item)
    return Interaction.Kind.VIEW, item


def _backdate(user: User, when: datetime) -> None:
    """Services stamp rows with the real time, later than every simulated one: move them to `when`."""
    for model, time_field in EVENT_ROWS:
        model.objects.filter(user=user, **{f"{time_field}__gt": when}).update(**{time_field: when})


def simulation_run(*, shoppers: int, seed: int, days: int = 30, events: tuple[int, int] = (6, 25),
                   noise: float = 0.15, appeal_sigma: float = 0.75) -> Simulation:
    """Create `shoppers` users and their events (between events[0] and events[1] each, spread over
    the last `days` days) in the configured database; the same seed gives the same log."""
    rng = np.random.default_rng(seed)
    catalog, now = Catalog(rng, appeal_sigma), timezone.now()
    simulated = []
    for number in range(shoppers):
        count = min(rng.integers(events[0], events[1] + 1), len(catalog.items))  # each event, a new item
        whens = [now - timedelta(seconds=float(age)) for age in np.sort(rng.uniform(0, days * 86400, count))[::-1]]
        with transaction.atomic():  # one commit per shopper rather than one per row: minutes saved
            shopper = Shopper(User.objects.create_user(username=f"sim-{seed}-{number:05d}"), *catalog.taste(rng))
            for when in whens:
                kind, item = _act(rng, catalog, shopper, noise=noise)
                _backdate(shopper.user, when)
                shopper.events.append(Event(when, kind, item))
        simulated.append(shopper)
    return Simulation(catalog, simulated)


def holdout_apply(*, simulation: Simulation) -> None:
    """Delete what each shopper's last event wrote (log rows, history entry, closet item, outfit):
    being the latest, they are exactly that shopper's rows stamped at or after its time."""
    for shopper in simulation.shoppers:
        for model, time_field in EVENT_ROWS:
            model.objects.filter(user=shopper.user, **{f"{time_field}__gte": shopper.held_out.when}).delete()


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
