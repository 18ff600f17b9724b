"""Query understanding: the words of a search that are really filters.

"cheap red dress under 30" is a garment type (dress), a colour (red) and a price (at most 30, and
"cheap"); a sentence model ranks "red skirt" close to "red dress" because both are red, so these
words are taken out of the query and applied as filters, and only the rest ("floral", "for a
wedding") is ranked by meaning. Plain Python: the caller passes the shop's category words.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from catalog.garments import WORD_TYPES
from vision.colors import PALETTE

# Words shoppers use for the palette's colours.
COLOR_WORDS = {name: name for name in PALETTE} | {
    "gray": "grey", "maroon": "burgundy", "wine": "burgundy", "violet": "purple", "lilac": "lavender",
    "camel": "tan", "ivory": "cream", "sky blue": "light blue", "dark blue": "navy", "rose": "pink",
}
CHEAP_WORDS = {"cheap", "cheaper", "cheapest", "budget", "affordable", "inexpensive", "bargain", "bargains"}
SALE_PHRASES = {"on sale", "sale", "discount", "discounted", "reduced", "deal", "deals", "offer", "offers"}
STOPWORDS = {"a", "an", "the", "for", "in", "with", "and", "of", "some", "me", "i", "want", "looking", "show",
             "find", "something", "any", "to", "my", "on", "price", "priced", "costing", "cost"}
_NUMBER = r"(\d{1,6}(?:[.,]\d{1,2})?)"
_CURRENCY = r"(?:€|\$|£|(?:euros?|eur|usd|dollars?|pounds?|gbp)\b)"
_AMOUNT = rf"{_CURRENCY}?\s*{_NUMBER}\s*{_CURRENCY}?"
PRICE_PATTERNS = (  # (pattern, which bounds its numbers set), the first that matches wins
    (re.compile(rf"(?:between\s+)?{_AMOUNT}\s*(?:-|–|to|and)\s*{_AMOUNT}"), ("min", "max")),
    (re.compile(rf"(?:under|below|less than|cheaper than|up to|at most|max(?:imum)?|<)\s*{_AMOUNT}"), ("max",)),
    (re.compile(rf"(?:over|above|more than|at least|from|min(?:imum)?|>)\s*{_AMOUNT}"), ("min",)),
)
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_PHRASE_WORDS = 3


@dataclass(frozen=True)
class Understood:
    """What a query asks for: filters found in its words, and the words left to rank by meaning."""

    text: str  # the words left for the sentence model ("" when every word was a filter)
    filter_words: str = ""  # the garment and colour words taken out, in the shopper's order
    garment_type: str = ""
    category: str = ""  # a category slug, when the query names a category but no finer type
    color: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    cheap: bool = False
    on_sale: bool = False
    words: tuple[str, ...] = field(default=())  # every word of the query, for spelling and the relevance floor

    def filters(self) -> dict[str, str]:
        """The filters in ClothingFilter's terms (catalog/filters.py), as query parameters."""
        found = {"garment_type": self.garment_type, "category": self.category, "color": self.color,
                 "price_min": _plain(self.price_min), "price_max": _plain(self.price_max),
                 "on_sale": "true" if self.on_sale else ""}
        return {key: value for key, value in found.items() if value}


def _plain(amount: Decimal | None) -> str:
    return "" if amount is None else format(amount.normalize(), "f")


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _prices(query: str) -> tuple[str, dict[str, Decimal]]:
    """The query without its price phrase, and the bounds that phrase set."""
    for pattern, bounds in PRICE_PATTERNS:
        if match := pattern.search(query):
            found = dict(zip(bounds, (_amount(number) for number in match.groups() if number)))
            if "min" in found and "max" in found and found["min"] > found["max"]:
                found = {"min": found["max"], "max": found["min"]}
            return query[:match.start()] + " " + query[match.end():], found
    return query, {}


def query_understand(query: str, *, category_words: Mapping[str, str]) -> Understood:
    """Split a query into filters and the words left to rank by. `category_words` maps the words
    that name a category ("tops", "top") to its slug; a garment type word wins over a category word,
    being the finer of the two ("dress" is the type, not the whole dresses category)."""
    lowered = query.lower()
    words = tuple(_TOKEN.findall(lowered))
    rest, prices = _prices(lowered)
    tokens = _TOKEN.findall(rest)
    found: dict[str, str] = {}
    kept, taken, flags = [], [], set()
    position = 0
    while position < len(tokens):
        for size in range(min(MAX_PHRASE_WORDS, len(tokens) - position), 0, -1):
            phrase = " ".join(tokens[position:position + size])
            kind, value = _meaning(phrase, category_words)
            if kind:
                break
        if kind in ("garment_type", "color", "category"):
            found.setdefault(kind, value)
            taken.append(phrase)
        elif kind:
            flags.add(kind)
        else:
            kept.append(phrase)
        position += size
    if "garment_type" in found:
        found.pop("category", None)
    text = " ".join(word for word in kept if word not in STOPWORDS)
    return Understood(
        text=text, filter_words=" ".join(taken), garment_type=found.get("garment_type", ""),
        category=found.get("category", ""), color=found.get("color", ""), price_min=prices.get("min"),
        price_max=prices.get("max"), cheap="cheap" in flags, on_sale="sale" in flags, words=words)


def _meaning(phrase: str, category_words: Mapping[str, str]) -> tuple[str, str]:
    if phrase in WORD_TYPES:
        return "garment_type", WORD_TYPES[phrase]
    if phrase in COLOR_WORDS:
        return "color", COLOR_WORDS[phrase]
    if phrase in category_words:
        return "category", category_words[phrase]
    if phrase in CHEAP_WORDS:
        return "cheap", ""
    if phrase in SALE_PHRASES:
        return "sale", ""
    return "", ""
