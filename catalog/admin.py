from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from catalog.models import CAPTION_KEYS, Category, ClothingItem
from catalog.previews import cutout_preview
from catalog.services import clothing_set_active
from core.uploads import image_normalise
from jobs.services import bulk_task_enqueue
from vision.colors import PALETTE


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "body_region", "item_noun", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


class ImagePreviewWidget(AdminFileWidget):
    """The file input with the current photo above it: one "Image" row on the change page, not a preview row
    and an upload row of the same name."""

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if not getattr(value, "url", None):  # no photo yet, or a refused upload being shown again
            return field
        return format_html('<img src="{}" alt="The current photo" class="ovdr-preview">{}', value.url, field)


class ClothingItemRowForm(forms.ModelForm):
    """One row of the item list: its "active" checkbox is named after the item, so a screen reader does not
    announce 50 bare checkboxes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_active" in self.fields:
            self.fields["is_active"].widget.attrs["aria-label"] = f"Active: {self.instance.title}"


class WordListField(forms.CharField):
    """A JSON list of short words (tags, sizes) edited as one comma-separated line, not as raw JSON:
    each word trimmed, blanks and repeats dropped, order kept."""

    def __init__(self, *, max_words: int, max_word_length: int, **kwargs):
        self.max_words, self.max_word_length = max_words, max_word_length
        super().__init__(required=False, widget=forms.TextInput(attrs={"class": "vTextField"}), **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        words = [word.strip() for word in super().to_python(value).split(",")]
        return list(dict.fromkeys(word for word in words if word))

    def validate(self, value: list[str]) -> None:
        if len(value) > self.max_words:
            raise ValidationError(f"At most {self.max_words} entries, separated by commas.")
        if long := [word for word in value if len(word) > self.max_word_length]:
            raise ValidationError(f"Each entry has at most {self.max_word_length} characters: {long[0]!r} is longer.")


class _ClothingItemFormBase(forms.ModelForm):
    """Caption attributes edited as plain fields (colour from the palette enrichment names colours with),
    stored in the `attributes` JSON; tags and sizes as comma-separated lists."""

    tags = WordListField(max_words=20, max_word_length=30, help_text="Separated by commas: casual, summer.")
    sizes = WordListField(max_words=20, max_word_length=10, help_text="Separated by commas: S, M, L or 38, 40.")

    class Meta:
        model = ClothingItem
        exclude = ["attributes"]
        # Plain file fields: core.uploads validates them, with the same messages as on every other
        # upload route (Django's ImageField would open them with Pillow first, with its own message).
        field_classes = {"image": forms.FileField, "mask": forms.FileField, "model_image": forms.FileField}
        widgets = {name: (ImagePreviewWidget if name == "image" else AdminFileWidget)(
            attrs={"accept": "image/jpeg,image/png,image/webp"}) for name in ("image", "mask", "model_image")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in CAPTION_KEYS:
            self.initial.setdefault(f"attr_{key}", self.instance.attributes.get(key, ""))
        # A colour stored before the palette (or typed by hand) stays selectable, so saving keeps it.
        if (color := self.instance.attributes.get("color")) and color not in PALETTE:
            self.fields["attr_color"].choices = [*self.fields["attr_color"].choices, (color, f"{color} (not in the palette)")]

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


def _caption_field(key: str) -> forms.Field:
    if key == "color":  # the words shoppers search and filter by: vision.colors names them
        return forms.ChoiceField(label="Colour", required=False,
                                 choices=[("", "—"), *((name, name) for name in PALETTE)])
    return forms.CharField(label=key.capitalize(), required=False, max_length=50)


# Declared (not added in __init__) so the admin's fieldsets can name them.
ClothingItemForm = type("ClothingItemForm", (_ClothingItemFormBase,), {
    f"attr_{key}": _caption_field(key) for key in CAPTION_KEYS
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
    list_display = ["thumbnail", "title", "category", "brand", "price", "in_closets", "cutout_flag", "is_active",
                    "updated"]
    list_display_links = ["title"]  # a thumbnail link would be a second, nameless link to the same page
    list_filter = ["category", "garment_type", "is_active", "featured", "on_sale", "cutout_problem", "cutout_style",
                   *(_attribute_filter(key) for key in ("type", "color", "pattern", "material"))]
    list_editable = ["is_active"]
    search_fields = ["title", "brand", "product_name", "description"]
    readonly_fields = ["on_sale", "mask_preview", "cutout_check", "cutout_landmarks", "enrichment_found",
                       "closet_users", "source_id", "created_at", "updated_at"]
    actions = ["activate", "deactivate", "enrich_again"]
    list_per_page = 50

    class Media:
        css = {"all": ["css/admin.css"]}  # the thumbnails' sizes: the CSP refuses style attributes
    fieldsets = [
        (None, {"fields": ["title", "category", "garment_type", "is_active", "featured", "image", "mask_preview",
                           "mask",
                           "model_image"]}),
        ("Cut-out", {"fields": ["cutout_check", "cutout_landmarks"]}),
        ("Caption attributes", {"fields": [f"attr_{key}" for key in CAPTION_KEYS]}),
        ("Product details", {"fields": ["brand", "product_name", "store", "description", "url", "price",
                                        "compare_at_price", "on_sale", "rating", "tags", "sizes", "season"]}),
        ("Bookkeeping", {"fields": ["enrichment_found", "closet_users", "source_id", "created_at", "updated_at"]}),
    ]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=ClothingItemRowForm, **kwargs)

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

    # Short headers and a compact date: with the admin's menu and filters beside it, the list fits a laptop
    # screen (the last column, "Updated at", was clipped).
    @admin.display(description="In closets", ordering="closet_users")
    def in_closets(self, item: ClothingItem) -> int:
        return item.closet_users

    @admin.display(description="Updated", ordering="updated_at")
    def updated(self, item: ClothingItem):
        updated = localtime(item.updated_at)
        return format_html("{}<br>{}", date_format(updated, "j M Y"), date_format(updated, "H:i"))

    @admin.display(description="Enrichment found")
    def enrichment_found(self, item: ClothingItem) -> str:
        """What the analysis found, in words rather than its JSON."""
        colors = ", ".join(f"{name} {share:.0%}" for name, share in item.enrichment.get("colors", []))
        guesses = ", ".join(f"{key}: {value} ({confidence:.0%} sure)"
                            for key, (value, confidence) in item.enrichment.get("zero_shot", {}).items())
        if not colors and not guesses:
            return "— (computed in the background after saving)"
        return format_html("Colours: {}<br>Attributes guessed: {}", colors or "none found", guesses or "none")

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
            # force: redo even an analysis of this very photo
            bulk_task_enqueue(task="search.tasks.item_enrich", args=(item_id,), kwargs={"force": True})
        self.message_user(request, f"{len(ids)} items queued for enrichment.", messages.SUCCESS)

    @admin.action(description="Activate selected items")
    def activate(self, request, queryset):
        count = clothing_set_active(item_ids=queryset.values_list("pk", flat=True), active=True)
        self.message_user(request, f"{count} items activated.", messages.SUCCESS)

    @admin.action(description="Deactivate selected items")
    def deactivate(self, request, queryset):
        count = clothing_set_active(item_ids=queryset.values_list("pk", flat=True), active=False)
        self.message_user(request, f"{count} items deactivated.", messages.SUCCESS)
