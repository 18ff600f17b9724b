from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "search"

    def ready(self) -> None:
        from search import jobs, signals  # noqa: F401  (registers the image-search job, catalog hooks)
