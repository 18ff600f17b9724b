"""Zero-shot attribute logic, with a fake scorer whose preferences are known (the garment mask and
colour parts of enrichment are vision's: tests/vision/)."""

import numpy as np
import pytest
from PIL import Image

from search.attributes import TEMPLATES, VOCABULARY, prompt_phrase, zero_shot_attributes


class FakeScorer:
    """Stands in for the CLIP encoder: a prompt's score is a base plus a bonus for each
    (condition, bonus) rule it meets."""

    def __init__(self, *rules):
        self.rules = rules
        self.calls = []

    def zero_shot_scores(self, images, masks, prompts):
        self.calls.append((list(images), list(masks), list(prompts)))
        row = [0.2 + sum(bonus for matches, bonus in self.rules if matches(p)) for p in prompts]
        return np.array([row] * len(images))


def _mentions(word):
    return lambda prompt: f" {word} " in f" {prompt.rstrip('.').replace(',', '')} "


def _attributes(scorer, category_slug="tops"):
    image = Image.new("RGB", (64, 64))
    return zero_shot_attributes(scorer=scorer, image=image, mask=np.ones((64, 64), bool),
                                category_slug=category_slug)


def test_clear_preference_gives_that_value_with_high_confidence():
    scorer = FakeScorer((_mentions("striped"), 0.05))
    found = _attributes(scorer)
    assert found["pattern"][0] == "striped" and found["pattern"][1] > 0.9
    images, masks, prompts = scorer.calls[0]
    assert len(images) == len(masks) == 1 and masks[0] is not None
    assert len(prompts) == len(set(prompts))


def test_flat_scores_give_no_attributes():
    assert _attributes(FakeScorer()) == {}


def test_weak_preference_is_left_out_rather_than_guessed():
    assert "pattern" not in _attributes(FakeScorer((_mentions("striped"), 0.005)))


def test_ensemble_outvotes_a_single_template():
    """'checked' wins one template by far; 'plaid' wins every template by a little."""
    one_template = TEMPLATES[0].split("{")[0]
    assert not any(t.startswith(one_template) for t in TEMPLATES[1:])
    scorer = FakeScorer((_mentions("plaid"), 0.04),
                        (lambda p: p.startswith(one_template) and _mentions("checked")(p), 0.1))
    assert _attributes(scorer)["pattern"][0] == "plaid"


@pytest.mark.parametrize("category_slug, word, key, expected", [
    ("dresses", "midi", "length", True),
    ("tops", "midi", "length", False),
    ("dresses", "v-neck", "neckline", True),
    ("bottoms", "v-neck", "neckline", False),
    ("bottoms", "long-sleeved", "sleeve", False),
    ("tops", "long-sleeved", "sleeve", True),
    ("curator-made", "denim", "material", True),
    ("curator-made", "long-sleeved", "sleeve", False),
])
def test_keys_follow_the_category(category_slug, word, key, expected):
    found = _attributes(FakeScorer((_mentions(word), 0.05)), category_slug)
    assert (key in found) is expected
    if expected:
        assert VOCABULARY[key][found[key][0]] == word


def test_prompt_phrases_read_as_english():
    assert prompt_phrase("off-the-shoulder", "dress") == "an off-the-shoulder dress"
    assert prompt_phrase("striped", "trousers") == "striped trousers"
    assert prompt_phrase("short-sleeved", "top") == "a short-sleeved top"
