from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import transaction
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'catalog'

    def ready(self) -> None:
        from catalog.models import ClothingItem
        from core.files import files_follow_rows

        files_follow_rows(ClothingItem, "image", "mask", "model_image")  # a replaced photo leaves no orphan
        post_migrate.connect(catalog_migrated, sender=self, dispatch_uid="catalog_version_after_migrate")


def catalog_migrated(sender, using: str, apps=global_apps, **kwargs) -> None:
    """Data migrations write through historical models, which move no version, and a deploy may change
    what a page shows: cached pages start afresh after every migrate (and the version row exists)."""
    from catalog.models import CatalogVersion

    try:
        apps.get_model("catalog", "CatalogVersion")
    except LookupError:  # migrated back to before the table
        return
    with transaction.atomic(using=using):
        CatalogVersion.bump()
