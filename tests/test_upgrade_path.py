"""The upgrade path: data written under the last released schema survives migrating to today's.

Issue 10 moves models between apps (Job: tryon -> jobs, PhotoAnalysis: accounts -> tryon) through
state-only migrations that keep their tables. This test rolls a fresh database back to the released
migrations, writes one of everything through the historical models of that state (the code of the
release is gone; its migration state is what a production database is in), migrates forward to every
leaf and checks with the current models that each row keeps its values, each file it names is still
there and each schedule still names a callable. MariaDB only, as in production.
"""

from decimal import Decimal

import numpy as np
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.module_loading import import_string

from tests.factories import image_bytes

# The leaf migration of each of our apps in the release before issue 10.
RELEASED = {
    "accounts": "0002_photoanalysis",
    "catalog": "0003_clothingitem_enrichment",
    "closet": "0001_initial",
    "recommend": "0003_remove_trendingitem_recommend_t_score_a1da81_idx_and_more",
    "search": "0001_initial",
    "tryon": "0003_reap_stale_jobs_schedule",
}
BORN_SINCE = ("jobs",)  # our apps the release did not have: all their migrations unapplied
# Models that changed app since the release, by (app_label, model_name).
MOVED = {("tryon", "job"): ("jobs", "job"), ("accounts", "photoanalysis"): ("tryon", "photoanalysis")}


def _released_targets(graph) -> list[tuple[str, str | None]]:
    """Ours at the release, apps born since at zero, contrib and third-party apps at their latest."""
    apps_in_graph = {app_label for app_label, _ in graph.leaf_nodes()}
    return [
        *RELEASED.items(),
        *((app_label, None) for app_label in BORN_SINCE if app_label in apps_in_graph),
        *(node for node in graph.leaf_nodes() if node[0] not in RELEASED and node[0] not in BORN_SINCE),
    ]


def _current_model(app_label: str, model_name: str) -> type[models.Model]:
    """The model's class now: under its new label once the move is merged, its old one before."""
    new_label = MOVED.get((app_label, model_name))
    try:
        return apps.get_model(*(new_label or (app_label, model_name)))
    except LookupError:
        return apps.get_model(app_label, model_name)


def _file(name: str) -> str:
    return default_storage.save(name, ContentFile(image_bytes()))


def _fill_people(old):
    User, Photo = old.get_model("accounts", "User"), old.get_model("accounts", "Photo")
    shopper = User.objects.create(username="released-shopper", email="shopper@example.com",
                                  password="pbkdf2_sha256$1$salt$hash", first_name="Ada")
    User.objects.create(username="Released-Curator", email="curator@example.com", is_staff=True)
    photo = Photo.objects.create(owner=shopper, image=_file("private/photos/me.jpg"), width=60, height=80)
    shopper.primary_photo = photo
    shopper.save()
    old.get_model("accounts", "PhotoAnalysis").objects.create(
        photo=photo, data={"landmarks": [[0.5, 0.2, 0.99]], "size": [60, 80]},
        person_mask=_file("private/analysis/mask.png"), problems={"lower": "Your legs are not visible."})
    return shopper, photo


def _fill_catalog(old, now) -> dict:
    Category, Item = old.get_model("catalog", "Category"), old.get_model("catalog", "ClothingItem")
    items = {slug: Item.objects.create(
        title=f"Released {slug}", category=Category.objects.get(slug=slug), source_id=f"released/{slug}",
        image=_file(f"catalog/garments/{slug}.jpg"), mask=_file(f"catalog/masks/{slug}.png"),
        attributes={"type": slug, "color": "red"}, price=Decimal("19.90"), rating=Decimal("4.50"),
        tags=["summer"], sizes=["S", "M"], season="summer", on_sale=True, enrichment={"colors": ["red"]},
        closet_users=1) for slug in ("tops", "bottoms", "dresses")}
    old.get_model("search", "ItemEmbedding").objects.create(
        item=items["tops"], encoder="default", space="image", source="fingerprint",
        vector=np.arange(8, dtype=np.float32).tobytes())
    old.get_model("recommend", "TrendingItem").objects.create(item=items["tops"], score=1.25, computed_at=now)
    return items


def _fill_activity(old, now, shopper, photo, items) -> None:
    top, bottom = items["tops"], items["bottoms"]
    old.get_model("closet", "ClosetItem").objects.create(user=shopper, item=top)
    old.get_model("closet", "HistoryEntry").objects.create(user=shopper, item=bottom, viewed_at=now)
    old.get_model("tryon", "Combination").objects.create(
        user=shopper, top=top, bottom=bottom, result_image=_file("private/combinations/outfit.jpg"))
    Job = old.get_model("tryon", "Job")
    tryon = Job.objects.create(
        owner=shopper, kind="tryon", status="succeeded", progress=100, attempts=1, stage="Done",
        params={"photo_id": photo.pk, "top_id": top.pk, "engine": "warp"}, result={"image": "result.jpg"},
        cache_key="c" * 64, started_at=now, finished_at=now)
    Job.objects.create(owner=shopper, kind="image_search", status="failed", error="No garment found.",
                       params={"photo_id": photo.pk}, result={"results": []}, started_at=now)
    old.get_model("tryon", "Share").objects.create(user=shopper, job=tryon, email="friend@example.com")
    for kind in ("view", "closet", "outfit"):
        old.get_model("recommend", "Interaction").objects.create(user=shopper, item=top, kind=kind, created_at=now)


def _rows(old) -> dict[tuple[str, str], list[dict]]:
    """Every row of our apps' models, by label, as the historical models read them."""
    return {(model._meta.app_label, model._meta.model_name): list(model._default_manager.order_by("pk").values())
            for model in old.get_models() if model._meta.app_label in RELEASED}


def _files_missing(model) -> list[str]:
    fields = [field.name for field in model._meta.fields if isinstance(field, models.FileField)]
    rows = model._default_manager.values_list(*fields) if fields else []
    return [name for row in rows for name in row if name and not default_storage.exists(name)]


@pytest.mark.mariadb
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_released_data_survives_migrating_to_the_latest_schema():
    if connection.vendor != "mysql":
        pytest.skip("the upgrade path is checked on MariaDB/MySQL, as in production (make test does)")
    executor = MigrationExecutor(connection)
    targets = _released_targets(executor.loader.graph)
    try:
        executor.migrate(targets)
        old = executor.loader.project_state([node for node in targets if node[1]]).apps
        now = timezone.now()
        shopper, photo = _fill_people(old)
        _fill_activity(old, now, shopper, photo, _fill_catalog(old, now))
        before = _rows(old)
    finally:  # later tests need the latest schema whatever happened here
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert all(before[label] for label in MOVED), "the moved models were filled"
    for label, rows in before.items():
        model = _current_model(*label)
        now_rows = list(model._default_manager.order_by("pk").values())
        assert [{key: new[key] for key in old} for old, new in zip(rows, now_rows)] == rows, label
        assert len(now_rows) == len(rows), label
        assert _files_missing(model) == [], label
    # catalog 0006 gave released items the garment type their type words name ("dresses" -> dress)
    garment_types = apps.get_model("catalog", "ClothingItem").objects.values_list("attributes__type", "garment_type")
    assert dict(garment_types) == {"tops": "", "bottoms": "", "dresses": "dress"}
    schedules = apps.get_model("django_q", "Schedule").objects.values_list("func", flat=True)
    assert schedules and [import_string(func) for func in schedules]
