from django.apps import AppConfig


class ClosetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "closet"

    def ready(self) -> None:
        from closet import receivers  # noqa: F401  (records viewed items in the history)
        from closet import signals  # noqa: F401  (connects the closet rules)
