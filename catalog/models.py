import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from catalog.garments import GARMENT_TYPES, garment_type_for
from catalog.titles import clothing_title_build
from vision import regions
from vision.garment_problems import PROBLEMS, STYLES

# The caption keys of the original OVDR captions; "type" is the garment type ("blouse").
CAPTION_KEYS = ("type", "color", "pattern", "material", "neckline", "sleeve", "length")
# Columns whose writes leave the catalog's version alone: closet signals count `closet_users` on every
# closet add and remove, so cached pages read it fresh (catalog/pages.py) rather than being dropped.
UNVERSIONED_FIELDS = frozenset({"closet_users"})


class CatalogVersion(models.Model):
    """One row whose token every change to what shoppers see of the catalog replaces, in the change's own
    transaction: a cached catalog page is good while the token it was built under is still the row's
    (catalog/pages.py). A random token, not a counter: a counter would count again from where a flushed
    or restored table left it and meet keys cached for other contents."""

    ROW = 1
    token = models.CharField(max_length=32)

    @classmethod
    def bump(cls) -> None:
        """Replace the token; call inside the transaction of the change (the hooks below do)."""
        token = secrets.token_hex(16)
        if not cls.objects.filter(pk=cls.ROW).update(token=token):
            cls.objects.update_or_create(pk=cls.ROW, defaults={"token": token})  # the row was flushed


class CatalogQuerySet(models.QuerySet):
    """Bulk writes move the catalog's version like save() and delete() do (VersionedModel), in the same
    transaction, so that no process serves a cached page from before a change once it is committed;
    update() moves `updated_at` as save() does, which keys each item's cached payload (catalog/payloads.py)."""

    def update(self, **kwargs):
        if kwargs.keys() <= UNVERSIONED_FIELDS:
            return super().update(**kwargs)
        now = timezone.now()
        kwargs = {**{field.name: now for field in self.model._meta.concrete_fields
                     if getattr(field, "auto_now", False)}, **kwargs}
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().update(**kwargs)
            if count:
                CatalogVersion.bump()
        return count

    def delete(self):
        with transaction.atomic(using=self.db, savepoint=False):
            deleted = super().delete()
            if deleted[0]:
                CatalogVersion.bump()
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            if created:
                CatalogVersion.bump()
        return created


class VersionedModel(models.Model):
    """A model shoppers see in catalog pages: every write of it moves the catalog's version. (bulk_update
    goes through CatalogQuerySet.update; migrations' historical models bypass both, so the catalog's
    post_migrate handler moves it once more.)"""

    objects = CatalogQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            CatalogVersion.bump()

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            deleted = super().delete(*args, **kwargs)
            CatalogVersion.bump()
        return deleted


class Category(VersionedModel):
    class BodyRegion(models.TextChoices):
        UPPER = regions.UPPER, "Upper body"
        LOWER = regions.LOWER, "Lower body"
        FULL = regions.FULL, "Full body"

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    item_noun = models.CharField(max_length=30, help_text="One item of this category: top, bottom, dress.")
    body_region = models.CharField(max_length=10, choices=BodyRegion.choices)
    # Dataset class names that import into this category ("t-shirt" -> tops).
    source_classes = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ClothingItem(VersionedModel):
    title = models.CharField(max_length=200, blank=True, help_text="Generated from the attributes when empty.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    image = models.ImageField(upload_to="catalog/garments/")
    mask = models.ImageField(upload_to="catalog/masks/", blank=True)
    model_image = models.ImageField(upload_to="catalog/on_model/", blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    brand = models.CharField(max_length=100, blank=True)
    product_name = models.CharField(max_length=200, blank=True)
    store = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                validators=[MinValueValidator(0)])
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(0), MaxValueValidator(5)])
    tags = models.JSONField(default=list, blank=True)
    sizes = models.JSONField(default=list, blank=True)
    # The price before the sale, shown struck through; an item is on sale exactly when it has one.
    compare_at_price = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="The original price, when the item is reduced: more than the price. Empty when not on sale.")
    season = models.CharField(max_length=20, blank=True)
    on_sale = models.BooleanField(default=False, editable=False, help_text="Set from the compare-at price.")
    garment_type = models.CharField(
        max_length=20, blank=True, choices=list(GARMENT_TYPES.items()), db_index=True,
        help_text="The finer kind of garment (coat, knit, jeans…). Derived from the type attribute when empty.")
    featured = models.BooleanField(default=False, help_text="A curator's pick: shown to new shoppers and on a "
                                                           "new shop's home page before anyone has interacted.")

    # What enrichment found: {"colors": [[name, share], ...], "zero_shot": {key: [value, confidence]}}.
    enrichment = models.JSONField(default=dict, blank=True, editable=False)
    # The cut-out enrichment made of the photo: its style, why it cannot be trusted ("" when clean),
    # and the garment's landmarks on the mask (tryon/engines/keypoints.py: garment_landmarks).
    cutout_style = models.CharField(max_length=10, blank=True, editable=False, choices=list(STYLES.items()))
    cutout_problem = models.CharField(max_length=20, blank=True, editable=False, db_index=True,
                                      choices=[(code, code.replace("_", " ")) for code in PROBLEMS])
    landmarks = models.JSONField(default=dict, blank=True, editable=False)
    closet_users = models.PositiveIntegerField(default=0, editable=False)
    source_id = models.CharField(max_length=200, unique=True, null=True, blank=True, editable=False,
                                 help_text="Key of the imported file, so imports never add an item twice.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["category", "is_active", "-created_at"]),
            # The catalog list (active, newest first) reads pages in index order: no filesort of all rows.
            models.Index(fields=["is_active", "-created_at", "-id"], name="catalog_item_active_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=0, rating__lte=5) | models.Q(rating=None),
                                   name="catalog_item_rating_0_5"),
            models.CheckConstraint(condition=models.Q(compare_at_price=None)
                                   | models.Q(compare_at_price__gt=models.F("price")),
                                   name="catalog_item_compare_at_above_price"),
        ]

    def __str__(self) -> str:
        return self.title or f"Item {self.pk}"

    @property
    def cutout_refusal(self) -> str:
        """Why try-on cannot use this garment's cut-out, in a curator's or shopper's words; "" when it can."""
        return PROBLEMS.get(self.cutout_problem, "")

    def clean(self):
        super().clean()
        if self.compare_at_price is not None and (self.price is None or self.compare_at_price <= self.price):
            raise ValidationError({"compare_at_price": "The compare-at price must be more than the price: it is "
                                                       "the original price of a reduced item."})

    def save(self, *args, **kwargs):
        self.on_sale = self.compare_at_price is not None
        if not self.garment_type:
            self.garment_type = garment_type_for(str(self.attributes.get("type", "")))
        if not self.title:
            self.title = clothing_title_build(
                attributes=self.attributes,
                item_noun=self.category.item_noun,
                body_region=self.category.body_region,
            )
        super().save(*args, **kwargs)
