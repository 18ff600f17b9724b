"""Zero-shot garment attributes (pattern, material, sleeve, neckline, length) from a CLIP encoder.

A curator types these words when they know them; for the rest of the catalog a CLIP-family model
can guess them by comparing the photo with a sentence per candidate value. One sentence is
brittle (CLIP is sensitive to wording), so each value is described by several templates and nouns
and its score is the mean over them: a prompt ensemble. Scores become probabilities by a softmax
at CLIP's own temperature, and a value is kept only when its probability clears the key's
threshold: a missing attribute costs a shopper less than a wrong one, which misleads filters.
"""

from typing import Protocol, Sequence

import numpy as np
from PIL import Image

# Each value with the words that describe it in front of a noun ("a short-sleeved top").
VOCABULARY: dict[str, dict[str, str]] = {
    "pattern": {"solid": "plain solid-colour", "striped": "striped", "checked": "checked", "plaid": "plaid",
                "floral": "floral", "polka-dot": "polka-dot", "printed": "printed",
                "graphic": "graphic print", "camouflage": "camouflage"},
    "material": {value: value for value in ("cotton", "denim", "knit", "wool", "linen", "silk", "satin",
                                            "leather", "fleece", "jersey", "chiffon", "corduroy", "polyester")},
    "neckline": {"crew": "crew-neck", "v-neck": "v-neck", "scoop": "scoop-neck", "collared": "collared",
                 "hooded": "hooded", "turtleneck": "turtleneck", "boat": "boat-neck",
                 "square": "square-neck", "off-shoulder": "off-the-shoulder"},
    "sleeve": {"sleeveless": "sleeveless", "short": "short-sleeved", "three-quarter": "three-quarter-sleeved",
               "long": "long-sleeved"},
    "length": {"mini": "mini", "above-knee": "above-the-knee", "knee": "knee-length", "midi": "midi",
               "maxi": "maxi", "cropped": "cropped", "full": "full-length"},
}
# Keys that make sense for a category; an unknown (curator-made) category gets the general ones.
CATEGORY_KEYS = {
    "tops": ("pattern", "material", "sleeve", "neckline"),
    "bottoms": ("pattern", "material", "length"),
    "dresses": ("pattern", "material", "sleeve", "neckline", "length"),
}
GENERAL_KEYS = ("pattern", "material")
CATEGORY_NOUNS = {"tops": ("top", "shirt"), "bottoms": ("trousers", "shorts", "skirt"), "dresses": ("dress",)}
GENERAL_NOUNS = ("garment",)
PLURAL_NOUNS = {"trousers", "shorts"}
TEMPLATES = (
    "a photo of {}.",
    "{}, product photo.",
    "a flat-lay photo of {}.",
    "a close-up photo of {}.",
)
LOGIT_SCALE = 100.0  # CLIP's learned temperature, so probabilities are as sharp as in training
# Least softmax probability to keep a value: well above chance (1 / number of values), higher
# for keys with few values, where a wrong guess easily clears a low bar.
THRESHOLDS = {"pattern": 0.5, "material": 0.4, "neckline": 0.45, "sleeve": 0.6, "length": 0.5}


class ZeroShotScorer(Protocol):
    def zero_shot_scores(
        self, images: Sequence[Image.Image], masks: Sequence[np.ndarray | None], prompts: list[str]
    ) -> np.ndarray:
        """(n_images, n_prompts) cosine similarities."""


def zero_shot_attributes(
    *, scorer: ZeroShotScorer, image: Image.Image, mask: np.ndarray | None, category_slug: str
) -> dict[str, tuple[str, float]]:
    """{key: (value, probability)} for the confident keys of the category; others are left out."""
    keys = CATEGORY_KEYS.get(category_slug, GENERAL_KEYS)
    nouns = CATEGORY_NOUNS.get(category_slug, GENERAL_NOUNS)
    prompts, owners = _prompts(keys, nouns)
    scores = np.asarray(scorer.zero_shot_scores([image], [mask], prompts), np.float64)[0]
    found = {}
    for key in keys:
        values = list(VOCABULARY[key])
        means = np.array([scores[owners == f"{key}={value}"].mean() for value in values])
        probabilities = _softmax(LOGIT_SCALE * means)
        best = int(probabilities.argmax())
        if probabilities[best] >= THRESHOLDS[key]:
            found[key] = (values[best], float(probabilities[best]))
    return found


def prompt_phrase(words: str, noun: str) -> str:
    """'a short-sleeved top', 'an off-the-shoulder dress', 'striped trousers'."""
    if noun in PLURAL_NOUNS:
        return f"{words} {noun}"
    article = "an" if words[0] in "aeiou" else "a"
    return f"{article} {words} {noun}"


def _prompts(keys: Sequence[str], nouns: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every prompt for the keys, and beside each the 'key=value' it speaks for."""
    prompts, owners = [], []
    for key in keys:
        for value, words in VOCABULARY[key].items():
            for noun in nouns:
                phrase = prompt_phrase(words, noun)
                prompts += [template.format(phrase) for template in TEMPLATES]
                owners += [f"{key}={value}"] * len(TEMPLATES)
    return prompts, np.array(owners)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()
