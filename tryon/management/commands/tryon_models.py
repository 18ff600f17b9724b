from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tryon.engines import tryon_models


class Command(BaseCommand):
    help = ("Fetch the diffusion engine's weights into TRYON_MODELS_DIR (licences first: --accept-licence), "
            "or check two weight folders by loading them and rendering one picture.")

    def add_arguments(self, parser):
        tryon_models.arguments_add(parser, models_dir=settings.TRYON_MODELS_DIR)

    def handle(self, *args, **options):
        try:
            tryon_models.run(options, echo=self.stdout.write)
        except tryon_models.FAILURES as error:
            raise CommandError(str(error)) from error
