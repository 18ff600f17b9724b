"""The closet's parts of other apps' pages."""

from django import template

from catalog.models import ClothingItem
from closet.selectors import closet_list

register = template.Library()


@register.inclusion_tag("closet/_toggle.html", takes_context=True)
def closet_toggle(context, item: ClothingItem) -> dict:
    """The signed-in shopper's "Add to closet" or "Remove from closet" button for the item.
    (Django hands the CSRF token to inclusion tags; the request, for coming back here, is passed.)"""
    request = context["request"]
    in_closet = closet_list(user=request.user).filter(item=item).exists()
    return {"item": item, "in_closet": in_closet, "request": request}
