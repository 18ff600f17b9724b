"""Complete the look: what others wore with this item, else what goes with its colours."""

import colorsys

from django.db.models import Count

from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from vision.colors import PALETTE
from tryon.models import Combination

PARTNER_SLOTS = {Category.BodyRegion.UPPER: ("top", "bottom"), Category.BodyRegion.LOWER: ("bottom", "top")}
NEUTRALS = {"black", "white", "grey", "charcoal", "navy", "beige", "cream", "khaki", "tan", "brown"}
Scored = list[tuple[ClothingItem, float]]


def item_color(item: ClothingItem) -> str | None:
    colors = item.enrichment.get("colors") or []
    return item.attributes.get("color") or (colors[0][0] if colors else None)


def color_harmony(a: str | None, b: str | None) -> float:
    """0..1: neutrals go with anything; tonal, analogous and complementary pairs beat clashes."""
    if not a or not b or a not in PALETTE or b not in PALETTE:
        return 0.3
    if a in NEUTRALS or b in NEUTRALS:
        return 0.8 if a != b or a in {"black", "white"} else 0.6
    (hue_a, _, sat_a), (hue_b, _, sat_b) = (colorsys.rgb_to_hls(*(c / 255 for c in PALETTE[name])) for name in (a, b))
    gap = abs(hue_a - hue_b) * 360
    gap = min(gap, 360 - gap)
    if gap < 30:
        return 0.6  # tonal / analogous
    if gap >= 120:
        return 0.7  # complementary, split-complementary or triadic
    return 0.2  # hues close enough to clash


def _saved_together(item: ClothingItem, slot: str, partner: str, limit: int) -> Scored:
    counts = (Combination.objects.filter(**{slot: item}, **{f"{partner}__is_active": True})
              .values(f"{partner}_id").annotate(n=Count("id")).order_by("-n", f"{partner}_id")[:limit])
    total = sum(row["n"] for row in counts) or 1
    items = ClothingItem.objects.select_related("category").in_bulk([row[f"{partner}_id"] for row in counts])
    return [(items[row[f"{partner}_id"]], 1.0 + row["n"] / total) for row in counts]


def _by_colour(item: ClothingItem, region: str, exclude: set[int], limit: int) -> Scored:
    colour = item_color(item)
    candidates = clothing_list().filter(category__body_region=region).exclude(pk__in=exclude)
    scored = [(other, color_harmony(colour, item_color(other))) for other in candidates.order_by("-closet_users", "pk")[:500]]
    return sorted(scored, key=lambda pair: -pair[1])[:limit]


def complete_the_look(*, item: ClothingItem, limit: int = 8) -> Scored:
    """For a top, bottoms (and for a bottom, tops); a dress is complete on its own."""
    slots = PARTNER_SLOTS.get(item.category.body_region)
    if slots is None:
        return []
    slot, partner = slots
    saved = _saved_together(item, slot, partner, limit)
    if len(saved) >= limit:
        return saved
    partner_region = Category.BodyRegion.LOWER if partner == "bottom" else Category.BodyRegion.UPPER
    taken = {other.pk for other, _ in saved} | {item.pk}
    return saved + _by_colour(item, partner_region, taken, limit - len(saved))
