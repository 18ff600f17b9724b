from django import forms

from catalog.models import Category, ClothingItem
from core.ids import MAX_ID


def _slot_field(label: str, items, region: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=items.filter(category__body_region=region), required=False, label=label,
        empty_label="— none —",
    )


class StudioQuery(forms.Form):
    """The studio's query string: `?item=<id>`, the item the shopper came from."""

    item = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class OutfitForm(forms.Form):
    """Pick an outfit from the shopper's own closet."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        items = ClothingItem.objects.filter(closet_entries__user=user, is_active=True).select_related("category")
        self.fields["top"] = _slot_field("Top", items, Category.BodyRegion.UPPER)
        self.fields["bottom"] = _slot_field("Bottom", items, Category.BodyRegion.LOWER)
        self.fields["dress"] = _slot_field("Dress", items, Category.BodyRegion.FULL)
