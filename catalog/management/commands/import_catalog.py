import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.services import category_for_folder, clothing_import

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


class Command(BaseCommand):
    help = (
        "Import FOLDER/<category-or-class>/*.jpg into the catalog. Re-running adds nothing twice. "
        "Captions JSON maps '<class>/<file>' to attributes and product details."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--captions", type=Path, help="JSON file; default FOLDER/captions.json if present")
        parser.add_argument("--limit", type=int, default=0, help="import at most N images per folder")

    def handle(self, *args, folder: Path, captions: Path | None, limit: int, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        captions_data = self._load_captions(captions or folder / "captions.json", explicit=bool(captions))
        files = self._collect(folder, limit)
        created = skipped = failed = 0
        for category, path in tqdm(files, desc="Importing", unit="img", disable=options["verbosity"] == 0):
            key = f"{path.parent.name}/{path.name}"
            try:
                item = clothing_import(path=path, category=category, source_id=key,
                                       caption=captions_data.get(key, {}))
            except ValidationError as exc:
                failed += 1
                self.stderr.write(f"{key}: {'; '.join(exc.messages)}")
                continue
            created, skipped = (created + 1, skipped) if item else (created, skipped + 1)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(
                f"Imported {created} new items; {skipped} were already there; {failed} failed."))

    def _load_captions(self, path: Path, *, explicit: bool) -> dict:
        if not path.exists():
            if explicit:
                raise CommandError(f"Captions file {path} does not exist.")
            return {}
        try:
            return json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise CommandError(f"Captions file {path} is not valid JSON: {exc}")

    def _collect(self, folder: Path, limit: int) -> list:
        files = []
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            category = category_for_folder(name=sub.name)
            if category is None:
                self.stderr.write(f"Skipping {sub.name}/: no category or class of that name.")
                continue
            images = sorted(p for p in sub.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            files += [(category, p) for p in (images[:limit] if limit else images)]
        if not files:
            raise CommandError(f"No images found under {folder}/<category>/.")
        return files
