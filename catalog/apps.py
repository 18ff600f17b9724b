from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'catalog'

    def ready(self) -> None:
        from catalog.models import ClothingItem
        from core.files import files_follow_rows

        files_follow_rows(ClothingItem, "image", "mask", "model_image")  # a replaced photo leaves no orphan
