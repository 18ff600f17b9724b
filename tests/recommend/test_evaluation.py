import io
import itertools

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from closet.models import ClosetItem, HistoryEntry
from recommend.management.evaluation import evaluation_run, evaluation_table
from recommend.management.simulation import holdout_apply, simulation_run
from recommend.models import Interaction
from recommend.personal import _taste
from search.encoders.base import l2_normalise
from search.encoders.default import TEXT_DIM, DefaultEncoder
from search.store import forget_loaded_indexes
from tests.factories import garment, image_bytes
from tryon.models import Combination
from vision.garment import Cutout

pytestmark = pytest.mark.django_db

COLOURS = {"red": (195, 30, 40), "navy": (32, 40, 72), "green": (45, 135, 65), "yellow": (245, 215, 55),
           "white": (242, 242, 240)}
TYPES = {"t-shirt": "tops", "shirt": "tops", "pants": "bottoms", "skirt": "bottoms", "dress": "dresses"}


def _block_cutout(image, *, region=None):
    """The factories' garment is a block in a known place; the cut-out finds it too, more slowly."""
    width, height = image.size
    mask = np.zeros((height, width), dtype=bool)
    mask[height // 6:5 * height // 6, width // 4:3 * width // 4] = True
    return Cutout(mask=mask, style="product", problem="")


def _flat_texts(self, texts):
    """The recommenders read only the image space; this spares loading the sentence model."""
    return l2_normalise(np.ones((len(texts), TEXT_DIM)))


@pytest.fixture
def indexed(db, monkeypatch):
    """Two items of each garment type and colour, enriched (colours detected) and indexed."""
    monkeypatch.setattr("vision.garment.garment_cutout", _block_cutout)
    monkeypatch.setattr(DefaultEncoder, "encode_item_texts", _flat_texts)
    forget_loaded_indexes()
    for (kind, slug), (colour, rgb), copy in itertools.product(TYPES.items(), COLOURS.items(), (1, 2)):
        garment(slug=slug, title=f"{colour} {kind} {copy}", color=rgb, attributes={"type": kind})
    call_command("build_search_index", verbosity=0)


def _simulate(seed: int = 3, **options):
    simulation = simulation_run(shoppers=12, seed=seed, events=(5, 12), **options)
    holdout_apply(simulation=simulation)
    return simulation, evaluation_run(simulation=simulation, seed=seed)


def _log(simulation) -> list:
    return [[(event.kind, event.item.pk) for event in shopper.events] for shopper in simulation.shoppers]


def test_metrics_are_rates_and_every_recommender_is_evaluated(indexed):
    simulation, results = _simulate()
    assert set(results) >= {"for you", "trending", "similar items", "complete the look", "random (baseline)"}
    for row in results.values():
        assert 0.0 <= row["ndcg"] <= row["hr"] <= 1.0
        assert 0.0 <= row["hr_ci"][0] <= row["hr"] <= row["hr_ci"][1] <= 1.0
    assert results["for you"]["shoppers"] == len(simulation.shoppers) == 12
    assert 0 < results["complete the look"]["shoppers"] < 12  # only where the next item completes a look
    table = evaluation_table(results=results, simulation=simulation)
    assert "SIMULATED" in table and table.count("\n| ") == len(results) + 1


def test_tastes_use_the_detected_colours(indexed):
    simulation, _ = _simulate()
    families = {family for shopper in simulation.shoppers for family in shopper.families}
    assert families and families <= {"red", "dark", "green", "yellow", "light"}


def test_the_same_seed_gives_the_same_log_and_figures(indexed):
    first, first_results = _simulate()
    User.objects.filter(username__startswith="sim-").delete()
    again, again_results = _simulate()
    assert _log(again) == _log(first) and again_results == first_results
    User.objects.filter(username__startswith="sim-").delete()
    assert _log(_simulate(seed=4)[0]) != _log(first)


def test_the_held_out_event_is_gone_from_everything_the_recommenders_read(indexed):
    simulation, _ = _simulate()
    for shopper in simulation.shoppers:
        user, held_out = shopper.user, shopper.held_out
        assert not Interaction.objects.filter(user=user, item=held_out.item).exists()
        assert not HistoryEntry.objects.filter(user=user, item=held_out.item).exists()
        assert not ClosetItem.objects.filter(user=user, item=held_out.item).exists()
        assert not Combination.objects.filter(user=user, created_at__gte=held_out.when).exists()
        assert held_out.item.pk not in _taste(user)
        # ...while the event before it is still there, at its simulated time
        assert Interaction.objects.filter(user=user, item=shopper.seed_item, created_at__lt=held_out.when).exists()
    assert {event.kind for shopper in simulation.shoppers for event in shopper.events} == {"view", "closet", "outfit"}


def test_events_are_backdated_in_order_over_the_simulated_month(indexed):
    simulation, _ = _simulate()
    times = sorted(Interaction.objects.values_list("created_at", flat=True))
    assert (times[-1] - times[0]).days >= 20
    for shopper in simulation.shoppers:
        whens = [event.when for event in shopper.events]
        assert whens == sorted(whens)
        logged = Interaction.objects.filter(user=shopper.user).values_list("created_at", flat=True)
        assert set(logged) <= set(whens[:-1])


def test_for_you_beats_random_when_tastes_are_strong(indexed):
    _, results = _simulate(seed=5, noise=0.0, appeal_sigma=0.0)
    assert results["for you"]["hr"] > results["random (baseline)"]["hr"]
    assert results["oracle (knows the hidden tastes)"]["hr"] >= results["for you"]["hr"]


def test_the_command_imports_indexes_simulates_and_prints_the_table(tmp_path, monkeypatch, db):
    monkeypatch.setattr("vision.garment.garment_cutout", _block_cutout)
    monkeypatch.setattr(DefaultEncoder, "encode_item_texts", _flat_texts)
    forget_loaded_indexes()
    for (kind, _), (colour, rgb) in itertools.product(TYPES.items(), COLOURS.items()):
        (tmp_path / kind).mkdir(exist_ok=True)
        (tmp_path / kind / f"{colour}.jpg").write_bytes(image_bytes(size=(120, 160), color=rgb, garment=True))
    out = io.StringIO()
    call_command("evaluate_recommendations", data=tmp_path, shoppers=8, stdout=out, verbosity=0)
    assert "SIMULATED" in out.getvalue() and "| for you |" in out.getvalue()
    with pytest.raises(CommandError, match="scratch database"):
        call_command("evaluate_recommendations", data=tmp_path, shoppers=8, verbosity=0)
