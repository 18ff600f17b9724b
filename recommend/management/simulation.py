"""Offline evaluation of the recommenders on a SIMULATED interaction log.

OVDR has no real shoppers yet, so the log is simulated: shoppers with hidden tastes (one or two
garment types, one to three colour families among the colours enrichment detected, a little noise
and a bias towards popular items) view items, keep some in their closet and save outfits, each
through the real services (clothing_view_announce, closet_add, combination_create), so the signals write
the Interaction log exactly as in production. Each event is then backdated to its simulated time.

Each shopper's last event is held out (leave-last-out) and every recommender is asked for ten
items; HR@10 and NDCG@10 say how often, and how high, the held-out item comes back. Every held-out
item is one its shopper had not met before. Two approximations, both small: other shoppers' events
after a held-out one stay visible (leave-last-out over one shared timeline), and a history entry that
the held-out view pushed past the 20 kept is not restored. The figures show how well the
recommenders recover tastes that we planted, not how real shoppers behave.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from catalog.services import clothing_view_announce
from closet.models import ClosetItem, HistoryEntry
from closet.services import closet_add
from recommend.models import Interaction
from recommend.outfits import item_color
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
    clothing_view_announce(user=user, item=item)
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
