from pathlib import Path

from django.core.management.base import BaseCommand

from ovdr.backups import backup_create, backup_default_path


class Command(BaseCommand):
    help = ("Write the database (a Django fixture, from one consistent snapshot) and every media file "
            "(MEDIA_ROOT or the bucket) into one tar.gz archive with a checksummed manifest. "
            "Default: BACKUP_DIR/ovdr-<UTC time>.tar.gz.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="where to write the archive")

    def handle(self, *args, path: Path | None, **options):
        path = path or backup_default_path()
        manifest = backup_create(path=path)
        rows, files = sum(manifest["rows"].values()), manifest["media_files"]
        self.stdout.write(self.style.SUCCESS(f"Backed up {rows} rows and {files} media files to {path}"))
