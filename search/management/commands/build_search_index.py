from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalog.models import ClothingItem
from search.encoders import get_encoder
from search.encoders.base import SPACES
from search.enrichment import item_analyse, items_embed
from search.store import index_build


class Command(BaseCommand):
    help = ("Analyse items that were never enriched, encode what changed, and rebuild the search index. "
            "Resumable: work already stored is not redone.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args, batch_size: int, **options):
        encoder = get_encoder()
        items = ClothingItem.objects.filter(is_active=True).select_related("category").order_by("pk")
        quiet = options["verbosity"] == 0
        encoded = 0
        with tqdm(total=items.count(), desc=f"Encoding ({encoder.name})", unit="item", disable=quiet) as bar:
            for start in range(0, items.count(), batch_size):
                batch = list(items[start:start + batch_size])
                for item in batch:
                    if not item.enrichment:
                        item_analyse(item=item, encoder=encoder)
                encoded += items_embed(encoder=encoder, items=batch)
                bar.update(len(batch))
        sizes = {space: len(index_build(encoder=encoder, space=space)) for space in SPACES}
        if not quiet:
            self.stdout.write(self.style.SUCCESS(
                f"Encoded {encoded} new vectors; index holds {sizes['image']} items ({encoder.name})."))
