from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from recommend.management.evaluation import evaluation_run, evaluation_table
from recommend.management.simulation import holdout_apply, simulation_run
from recommend.models import Interaction

TRAIN = Path(settings.BASE_DIR).parent / "shared" / "data" / "clothing" / "train"


class Command(BaseCommand):
    help = ("Import and index a catalog, simulate shoppers with hidden tastes on it, hold out each one's "
            "last event and print HR@10 / NDCG@10 per recommender. Writes users and interactions: "
            "run it on a scratch database only.")

    def add_arguments(self, parser):
        parser.add_argument("--shoppers", type=int, default=200)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--limit-per-class", type=int, default=0, help="import at most N images per class (0: all)")
        parser.add_argument("--data", type=Path, default=TRAIN, help="catalog folder (default: the train split)")

    def handle(self, *args, shoppers: int, seed: int, limit_per_class: int, data: Path, **options):
        if User.objects.exists() or Interaction.objects.exists():
            raise CommandError("This database already has users or interactions; the simulation needs a scratch "
                               "database (point DATABASE_URL at a fresh one and migrate it).")
        quiet = {"verbosity": min(options["verbosity"], 1)}
        call_command("import_catalog", data, limit=limit_per_class, **quiet)
        call_command("build_search_index", **quiet)
        simulation = simulation_run(shoppers=shoppers, seed=seed)
        holdout_apply(simulation=simulation)
        results = evaluation_run(simulation=simulation, seed=seed)
        self.stdout.write(evaluation_table(results=results, simulation=simulation))
