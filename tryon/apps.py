from django.apps import AppConfig


class TryonConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tryon"

    def ready(self) -> None:
        from tryon import tasks  # noqa: F401  (registers the try-on job handler)
        from tryon import receivers  # noqa: F401  (analyses uploaded photos)
        from core.files import files_follow_rows
        from tryon.models import PhotoAnalysis

        files_follow_rows(PhotoAnalysis, "person_mask")  # goes with its photo
