from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django_q.tasks import async_task

from catalog.models import CAPTION_KEYS, Category, ClothingItem
from catalog.previews import cutout_preview
from catalog.services import clothing_set_active
from core.uploads import image_normalise


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "body_region", "item_noun", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class _ClothingItemFormBase(forms.ModelForm):
    """Caption attributes edited as plain fields; stored in the `attributes` JSON."""

    class Meta:
        model = ClothingItem
        exclude = ["attributes"]
        # Plain file fields: core.uploads validates them, with the same messages as on every other
        # upload route (Django's ImageField would open them with Pillow first, with its own message).
        field_classes = {"image": forms.FileField, "mask": forms.FileField, "model_image": forms.FileField}
        widgets = {name: AdminFileWidget(attrs={"accept": "image/jpeg,image/png,image/webp"})
                   for name in ("image", "mask", "model_image")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in CAPTION_KEYS:
            self.initial.setdefault(f"attr_{key}", self.instance.attributes.get(key, ""))

    def _normalised(self, name: str, *, mask: bool = False):
        """Curators' uploads pass the same checks as shoppers': validated, re-encoded, renamed (the
        replaced file is removed on save: core.files)."""
        upload = self.cleaned_data.get(name)
        if not upload or upload == getattr(self.instance, name):  # unchanged or cleared
            return upload
        try:
            return image_normalise(upload=upload, mask=mask).content
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages)

    def clean_image(self):
        return self._normalised("image")

    def clean_mask(self):
        return self._normalised("mask", mask=True)

    def clean_model_image(self):
        return self._normalised("model_image")

    def save(self, commit=True):
        attributes = dict(self.instance.attributes or {})
        for key in CAPTION_KEYS:
            attributes.pop(key, None)
            if value := self.cleaned_data.get(f"attr_{key}", "").strip():
                attributes[key] = value
        self.instance.attributes = attributes
        if "attr_type" in self.changed_data and "garment_type" not in self.changed_data:
            self.instance.garment_type = ""  # derived again from the new type words (ClothingItem.save)
        return super().save(commit)


# Declared (not added in __init__) so the admin's fieldsets can name them.
ClothingItemForm = type("ClothingItemForm", (_ClothingItemFormBase,), {
    f"attr_{key}": forms.CharField(label=key.capitalize(), required=False, max_length=50) for key in CAPTION_KEYS
})


class AttributeFilter(admin.SimpleListFilter):
    """Filter by one caption attribute; subclasses name the key."""

    key = ""

    def lookups(self, request, model_admin):
        values = {item.get(self.key) for item in ClothingItem.objects.values_list("attributes", flat=True)}
        return sorted((value, value) for value in values if value)

    def queryset(self, request, queryset):
        return queryset.filter(**{f"attributes__{self.key}": self.value()}) if self.value() else queryset


def _attribute_filter(key: str) -> type[AttributeFilter]:
    return type(f"{key.capitalize()}Filter", (AttributeFilter,),
                {"key": key, "title": key, "parameter_name": key})


@admin.register(ClothingItem)
class ClothingItemAdmin(admin.ModelAdmin):
    form = ClothingItemForm
    list_display = ["thumbnail", "title", "category", "brand", "price", "closet_users", "cutout_flag", "is_active",
                    "updated_at"]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["category", "garment_type", "is_active", "featured", "on_sale", "cutout_problem", "cutout_style",
                   *(_attribute_filter(key) for key in ("type", "color", "pattern", "material"))]
    list_editable = ["is_active"]
    search_fields = ["title", "brand", "product_name", "description"]
    readonly_fields = ["on_sale", "thumbnail", "mask_preview", "cutout_check", "cutout_landmarks", "enrichment", "closet_users", "source_id", "created_at",
                       "updated_at"]
    actions = ["activate", "deactivate", "enrich_again"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}  # the thumbnails' sizes: the CSP refuses style attributes
    fieldsets = [
        (None, {"fields": ["title", "category", "garment_type", "is_active", "featured", "thumbnail", "image",
                           "mask_preview", "mask",
                           "model_image"]}),
        ("Cut-out", {"fields": ["cutout_check", "cutout_landmarks"]}),
        ("Caption attributes", {"fields": [f"attr_{key}" for key in CAPTION_KEYS]}),
        ("Product details", {"fields": ["brand", "product_name", "store", "description", "url", "price",
                                        "compare_at_price", "on_sale", "rating", "tags", "sizes", "season"]}),
        ("Bookkeeping", {"fields": ["enrichment", "closet_users", "source_id", "created_at", "updated_at"]}),
    ]

    def render_change_form(self, request, context, *args, **kwargs):
        """A refused form (a bad upload above all) answers 400, as on the shoppers' upload pages."""
        response = super().render_change_form(request, context, *args, **kwargs)
        if context.get("errors"):
            response.status_code = 400
        return response

    @admin.display(description="Image")
    def thumbnail(self, item: ClothingItem):
        if not item.image:
            return "—"
        return format_html('<img src="{}" alt="" class="ovdr-thumbnail">', item.image.url)

    @admin.display(description="Garment mask")
    def mask_preview(self, item: ClothingItem):
        if not item.mask:
            return "— (computed in the background after saving)"
        return format_html('<img src="{}" alt="" class="ovdr-mask">', item.mask.url)

    @admin.display(description="Cut-out", ordering="cutout_problem")
    def cutout_flag(self, item: ClothingItem):
        if not item.cutout_style:
            return "—"
        return format_html('<span title="{}">⚠ {}</span>', item.cutout_refusal, item.get_cutout_problem_display()) \
            if item.cutout_problem else "ok"

    @admin.display(description="Cut-out check")
    def cutout_check(self, item: ClothingItem):
        if not item.cutout_style:
            return "— (computed in the background after saving)"
        if item.cutout_problem:
            return format_html("<strong>Flagged: try-on refuses this garment.</strong> {} (photo style: {})",
                               item.cutout_refusal, item.get_cutout_style_display())
        return f"Clean cut-out (photo style: {item.get_cutout_style_display()})."

    @admin.display(description="Cut-out and landmarks")
    def cutout_landmarks(self, item: ClothingItem):
        return cutout_preview(item) or "—"

    @admin.action(description="Enrich again: cut-out, landmarks, colours, attributes, search vectors")
    def enrich_again(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for item_id in ids:
            async_task("search.tasks.item_enrich", item_id)
        self.message_user(request, f"{len(ids)} items queued for enrichment.", messages.SUCCESS)

    @admin.action(description="Activate selected items")
    def activate(self, request, queryset):
        count = clothing_set_active(item_ids=queryset.values_list("pk", flat=True), active=True)
        self.message_user(request, f"{count} items activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected items")
    def deactivate(self, request, queryset):
        count = clothing_set_active(item_ids=queryset.values_list("pk", flat=True), active=False)
        self.message_user(request, f"{count} items deactivated.", messages.SUCCESS)
