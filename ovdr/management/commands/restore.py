from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ovdr.backups import BackupError
from ovdr.restore import backup_restore


class Command(BaseCommand):
    help = ("Replace the database rows and the media (MEDIA_ROOT or the bucket) with a backup archive's, all "
            "or nothing, after checking its checksums and that this database is migrated to the same version. Stop the web processes "
            "and workers first.")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="an archive written by `manage.py backup`")
        parser.add_argument("--yes", action="store_true", help="replace a database that already has data")

    def handle(self, *args, path: Path, yes: bool, **options):
        try:
            manifest = backup_restore(path=path, overwrite=yes)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Restored {sum(manifest['rows'].values())} rows and {manifest['media_files']} media files "
            f"from {path} (taken {manifest['created_at']}). Everyone signs in again."))
        # The index is derived data; rebuilding loads the encoders, which a restore should not need.
        self.stdout.write("Now rebuild the search index: manage.py build_search_index")
