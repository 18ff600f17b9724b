from django.apps import AppConfig
from django.urls import register_converter


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from core.ids import IdConverter

        register_converter(IdConverter, "id")  # before any URLconf is loaded
