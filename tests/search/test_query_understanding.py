"""Query understanding (search/query.py): the words of a search that are filters. Plain Python."""

from decimal import Decimal

import pytest

from search.query import query_understand

CATEGORY_WORDS = {"tops": "tops", "top": "tops", "bottoms": "bottoms", "bottom": "bottoms", "dresses": "dresses"}


def understand(text):
    return query_understand(text, category_words=CATEGORY_WORDS)


@pytest.mark.parametrize("text, low, high", [
    ("dress under 30", None, "30"), ("below €45.50 skirt", None, "45.50"), ("coat €50-80", "50", "80"),
    ("between 20 and 40 euros", "20", "40"), ("$80 to $50 jeans", "50", "80"), ("shirts over 25", "25", None),
    ("tops at least 10 eur", "10", None), ("red dress", None, None),
])
def test_prices_become_bounds_and_leave_the_words(text, low, high):
    found = understand(text)
    assert found.price_min == (Decimal(low) if low else None) and found.price_max == (Decimal(high) if high else None)
    assert not any(char.isdigit() for char in found.text + found.filter_words)


@pytest.mark.parametrize("text, filters, rest", [
    ("red dress", {"garment_type": "dress", "color": "red"}, ""),
    ("floral dress for a wedding", {"garment_type": "dress"}, "floral wedding"),
    ("grey wool jumper", {"garment_type": "knit", "color": "grey"}, "wool"),
    ("gray pants", {"garment_type": "trousers", "color": "grey"}, ""),
    ("light blue jeans on sale", {"garment_type": "jeans", "color": "light blue", "on_sale": "true"}, ""),
    ("summer tops", {"category": "tops"}, "summer"),
    ("denim jacket tops", {"garment_type": "coat"}, "denim"),  # the finer type wins over the category
    ("xyzzy qwerty", {}, "xyzzy qwerty"),
])
def test_types_colours_categories_and_sales_are_filters(text, filters, rest):
    found = understand(text)
    assert found.filters() == filters and found.text == rest


def test_cheap_is_understood_without_a_number():
    found = understand("cheap dress")
    assert found.cheap and found.filters() == {"garment_type": "dress"} and found.text == ""
