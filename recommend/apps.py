from django.apps import AppConfig


class RecommendConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recommend"

    def ready(self) -> None:
        from recommend import signals  # noqa: F401  (logs interactions)
