from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_FOLDER = Path(settings.BASE_DIR) / "catalog" / "demo"


class Command(BaseCommand):
    help = "Import the bundled demo catalog and create the demo shopper and curator (idempotent)."

    def handle(self, *args, **options):
        call_command("import_catalog", str(DEMO_FOLDER), verbosity=options["verbosity"])
        call_command("build_search_index", verbosity=options["verbosity"])
        self._ensure_user("demo", "demo-shopper-2026", staff=False)
        self._ensure_user("curator", "demo-curator-2026", staff=True)
        self.stdout.write(self.style.SUCCESS(
            "Demo ready: shopper demo / demo-shopper-2026, curator (admin) curator / demo-curator-2026."))

    def _ensure_user(self, username: str, password: str, *, staff: bool) -> None:
        if User.objects.filter(username=username).exists():
            return
        user = User(username=username, is_staff=staff, is_superuser=staff)
        user.set_password(password)
        user.save()
