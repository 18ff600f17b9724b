"""The load bench's own bookkeeping: a cap refusal is expected only when the shopper's category is full.

bench/load_shoppers.py exits non-zero on errors and cap violations, so it must classify closet
answers exactly; these run without a server (a stub answers the requests) in well under a second.
"""

import importlib
import random
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
TOPS, BOTTOMS = 1, 2


class StubClient:
    def __init__(self, status: int):
        self.status = status

    def call(self, method, path, payload=None):
        return self.status, 0.01, b"{}"


@pytest.fixture
def load_shoppers(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    module = importlib.import_module("load_shoppers")
    monkeypatch.setattr(module, "REMOVE_SHARE", 0.0)  # every closet action is an add...
    monkeypatch.setattr(module, "FAVOURITE_SHARE", 0.0)  # ...of any item outside the closet
    return module


def shopper_adding(load_shoppers, *, closet: set, free_item_category: int, answer: int):
    """A shopper whose only item outside the closet is item 99, answered with `answer`."""
    harness = importlib.import_module("harness")  # on the path once load_shoppers is imported
    item_ids = [*sorted(closet), 99]
    stack = harness.Stack(server=None, db_name="unused", db_version="", item_ids=item_ids,
                          item_categories=[TOPS] * len(closet) + [free_item_category])
    shopper = load_shoppers.Shopper(0, "token", random.Random(1), stack, ["shirt"])
    shopper.client = StubClient(answer)
    shopper.closet = set(closet)
    shopper.closet_change()
    return shopper


def test_refusal_for_a_full_category_is_counted_apart_and_is_not_an_error(load_shoppers):
    shopper = shopper_adding(load_shoppers, closet={1, 2, 3, 4, 5}, free_item_category=TOPS, answer=400)

    assert len(shopper.stats["closet add: cap 400"].latencies) == 1
    assert shopper.stats["closet add: cap 400"].errors == 0
    assert shopper.stats["closet add"].errors == 0
    assert shopper.closet == {1, 2, 3, 4, 5}


def test_add_accepted_past_the_cap_is_a_violation_and_an_error(load_shoppers):
    shopper = shopper_adding(load_shoppers, closet={1, 2, 3, 4, 5}, free_item_category=TOPS, answer=201)

    assert shopper.accepted_past_cap == 1
    assert shopper.stats["closet add"].errors == 1


def test_refusal_below_the_cap_is_an_error(load_shoppers):
    shopper = shopper_adding(load_shoppers, closet={1, 2, 3, 4, 5}, free_item_category=BOTTOMS, answer=400)

    assert shopper.stats["closet add"].errors == 1
    assert len(shopper.stats["closet add: cap 400"].latencies) == 0


def test_accepted_add_below_the_cap_joins_the_closet(load_shoppers):
    shopper = shopper_adding(load_shoppers, closet={1, 2, 3, 4, 5}, free_item_category=BOTTOMS, answer=201)

    assert shopper.closet == {1, 2, 3, 4, 5, 99}
    assert shopper.stats["closet add"].errors == 0
    assert shopper.accepted_past_cap == 0


def test_search_queries_are_what_a_shopper_types_from_the_titles(load_shoppers):
    queries = load_shoppers.search_queries(["Red Striped Cotton T-Shirt with crew neckline and short sleeves",
                                            "Blue Denim Jeans (long length)"])

    assert queries == ["blue denim jeans", "blue jeans", "jeans", "red striped cotton t-shirt", "red t-shirt",
                       "t-shirt"]


def test_warm_up_fills_the_favourite_category_to_one_short_of_the_cap(load_shoppers):
    harness = importlib.import_module("harness")
    stack = harness.Stack(server=None, db_name="unused", db_version="", item_ids=list(range(1, 11)),
                          item_categories=[TOPS] * 10)
    shopper = load_shoppers.Shopper(0, "token", random.Random(1), stack, ["shirt"])
    shopper.client = StubClient(201)

    shopper.fill_closet(deadline=float("inf"))

    assert len(shopper.closet) == 4
    assert len(shopper.stats["closet add"].latencies) == 4
