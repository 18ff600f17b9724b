from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalog.models import ClothingItem
from jobs.services import bulk_task_enqueue
from search.encoders import get_encoder
from search.enrichment import search_index_rebuild


class Command(BaseCommand):
    help = ("Analyse items that were never enriched, encode what changed, and rebuild the search index. "
            "Resumable: work already stored is not redone. Across machines the new index is published to the "
            "bucket, and every web process fetches it.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=64)
        parser.add_argument("--queue", action="store_true",
                            help="Queue the rebuild for a bulk worker (Q_BULK_CLUSTER) instead of running it here.")

    def handle(self, *args, batch_size: int, queue: bool, **options):
        quiet = options["verbosity"] == 0
        if queue:
            bulk_task_enqueue(task="search.tasks.search_index_rebuild", args=(batch_size,))
            if not quiet:
                self.stdout.write(self.style.SUCCESS("The rebuild is queued for a bulk worker."))
            return
        encoder_name = get_encoder().name
        total = ClothingItem.objects.filter(is_active=True).count()
        with tqdm(total=total, desc=f"Encoding ({encoder_name})", unit="item", disable=quiet) as bar:
            encoded, sizes = search_index_rebuild(batch_size=batch_size, progress=bar.update)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(
                f"Encoded {encoded} new vectors; index holds {sizes['image']} items ({encoder_name})."))
