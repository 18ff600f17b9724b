from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from search import signals, tasks  # noqa: F401  (catalog hooks; registers the image-search job handler)
