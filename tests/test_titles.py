import pytest

from catalog.titles import clothing_title_build
from tests.factories import ClothingItemFactory, category


@pytest.mark.parametrize("attributes, noun, region, expected", [
    ({"color": "teal", "pattern": "floral", "material": "silk", "type": "blouse", "neckline": "stand-up",
      "sleeve": "long"}, "top", "upper", "Teal Floral Silk Blouse with stand-up neckline and long sleeves"),
    ({"color": "navy", "pattern": "solid", "type": "t-shirt", "sleeve": "short"}, "top", "upper",
     "Navy T-Shirt with short sleeves"),
    ({"color": "black", "type": "top", "neckline": "v-neck", "sleeve": "sleeveless"}, "top", "upper",
     "Black Top with v-neck neckline and no sleeves"),
    ({"color": "blue", "material": "denim", "type": "jeans", "length": "full", "sleeve": "long"},
     "bottom", "lower", "Blue Denim Jeans (full length)"),
    ({"color": "red", "type": "dress", "length": "midi", "neckline": "v-neck"}, "dress", "full",
     "Red Dress (midi length)"),
    ({}, "dress", "full", "Dress"),
])
def test_title_is_built_from_caption_attributes(attributes, noun, region, expected):
    assert clothing_title_build(attributes=attributes, item_noun=noun, body_region=region) == expected


def test_saving_an_item_without_title_generates_one(db):
    item = ClothingItemFactory(title="", category=category("bottoms"),
                               attributes={"color": "khaki", "type": "chinos", "length": "cropped"})
    assert item.title == "Khaki Chinos (cropped length)"


def test_a_curator_title_is_kept(db):
    assert ClothingItemFactory(title="The Perfect Tee").title == "The Perfect Tee"
