"""Races that only a real server shows: many requests for one shopper at the same moment."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from catalog.models import ClothingItem
from closet.models import HISTORY_LENGTH, ClosetItem, HistoryEntry
from closet.services import closet_add, closet_remove, history_record
from tests.factories import ClothingItemFactory, UserFactory

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _needs_mariadb():
    if connection.vendor != "mysql":
        pytest.skip("race tests need MariaDB/MySQL: run with DATABASE_URL=mysql://... (make test does)")


def _race(calls) -> list:
    """Run every call in its own thread and DB connection, all released at once."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ValidationError as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_fifty_concurrent_adds_for_one_shopper_end_with_exactly_five():
    user = UserFactory()
    items = ClothingItemFactory.create_batch(50)
    outcomes = _race([lambda item=item: closet_add(user=user, item=item) for item in items])
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert ClosetItem.objects.filter(user=user).count() == 5
    assert len(refused) == 45
    assert {o.messages[0] for o in refused} == {"Max 5 tops items allowed. Remove one to add new."}
    assert ClothingItem.objects.aggregate(total=Sum("closet_users"))["total"] == 5


def test_concurrent_adds_of_the_same_item_store_it_once():
    user, item = UserFactory(), ClothingItemFactory()
    _race([lambda: closet_add(user=user, item=item)] * 20)
    assert ClosetItem.objects.filter(user=user).count() == 1
    item.refresh_from_db()
    assert item.closet_users == 1


def test_many_shoppers_adding_one_item_at_once_all_keep_it_without_a_deadlock():
    """Each add inserts a closet row (whose foreign key takes a shared lock on the item's row) and then
    counts it on the item's row (an exclusive lock): two adds holding the shared lock would deadlock."""
    item, users = ClothingItemFactory(), UserFactory.create_batch(24)
    outcomes = _race([lambda user=user: closet_add(user=user, item=item) for user in users])
    assert all(isinstance(o, ClosetItem) for o in outcomes), outcomes
    item.refresh_from_db()
    assert item.closet_users == ClosetItem.objects.filter(item=item).count() == 24


def test_adds_and_removes_of_one_item_at_once_keep_its_count_exact_without_a_deadlock():
    """A remove counts out only what its DELETE deleted (Django's collector sent post_delete for an entry
    that a concurrent remove had deleted first: the count went one too low), and it locks the item's row
    before the entry's, in the order an add takes them."""
    user, item = UserFactory(), ClothingItemFactory()
    for _ in range(5):
        outcomes = _race([lambda: closet_add(user=user, item=item)] * 4
                         + [lambda: closet_remove(user=user, item_id=item.pk)] * 4)
        assert all(isinstance(o, (ClosetItem, bool, ValidationError)) for o in outcomes), outcomes
        item.refresh_from_db()
        assert item.closet_users == ClosetItem.objects.filter(item=item).count() <= 1


def test_concurrent_views_keep_history_unique_and_capped():
    user = UserFactory()
    items = ClothingItemFactory.create_batch(HISTORY_LENGTH + 10)
    _race([lambda item=item: history_record(user=user, item=item) for item in items]
          + [lambda: history_record(user=user, item=items[0])] * 10)
    entries = HistoryEntry.objects.filter(user=user)
    assert entries.count() == HISTORY_LENGTH
    assert entries.values("item").distinct().count() == HISTORY_LENGTH


def test_a_burst_of_jobs_for_one_shopper_stops_at_the_active_limit(settings, monkeypatch):
    from core.limits import LimitReached
    from jobs import services as job_services
    from jobs.models import Job

    settings.JOBS_ACTIVE_PER_KIND = 3
    monkeypatch.setattr(job_services, "async_task", lambda *args, **kwargs: None)  # the jobs stay queued
    user = UserFactory()
    outcomes = _race([lambda: job_services.job_create(owner=user, kind=Job.Kind.TRYON, params={})] * 30)
    assert Job.objects.filter(owner=user).count() == 3
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 27


def test_saving_one_try_on_result_from_many_requests_at_once_keeps_one_outfit_with_one_image(settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from jobs.models import Job
    from tests.factories import image_bytes
    from tryon.models import Combination
    from tryon.services import combination_from_job

    user, top = UserFactory(), ClothingItemFactory()
    job = Job.objects.create(owner=user, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED, params={"top_id": top.pk})
    default_storage.save(job.files_prefix + "result.jpg", ContentFile(image_bytes()))
    outcomes = _race([lambda: combination_from_job(user=user, job=job)] * 20)
    assert [created for _, created in outcomes].count(True) == 1
    assert len({combination.pk for combination, _ in outcomes}) == 1
    [combination] = Combination.objects.filter(user=user)
    assert combination.result_image
    # One picture on disk: nobody attached a second copy to an outfit saved a moment before.
    assert len(list((settings.MEDIA_ROOT / "private" / "combinations").iterdir())) == 1
