from django.apps import AppConfig


class TryonConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'tryon'
