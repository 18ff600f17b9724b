"""Recommendation rows for other apps' pages, each a `recommend/_row.html` section (nothing when empty)."""

from django import template

from accounts.models import User
from catalog.models import ClothingItem
from recommend.outfits import complete_the_look
from recommend.personal import for_you, similar_items

register = template.Library()


@register.inclusion_tag("recommend/_row.html")
def complete_the_look_row(item: ClothingItem, limit: int = 4) -> dict:
    return {"pairs": complete_the_look(item=item, limit=limit), "heading": "Complete the look", "row_id": "complete"}


@register.inclusion_tag("recommend/_row.html")
def similar_items_row(item: ClothingItem, limit: int = 6) -> dict:
    return {"pairs": similar_items(item=item, limit=limit), "heading": "You may also like", "row_id": "similar"}


@register.inclusion_tag("recommend/_row.html")
def for_you_row(user: User, heading: str, limit: int = 6) -> dict:
    return {"pairs": for_you(user=user, limit=limit), "heading": heading, "row_id": "for-you"}
