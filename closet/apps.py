from django.apps import AppConfig


class ClosetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "closet"

    def ready(self) -> None:
        from closet import signals  # noqa: F401  (connects the closet rules)
