"""The garment type vocabulary: the finer kind of a garment within its category ("coat" among tops).

A type is derived from the words of an item's `type` attribute (captions say "jacket", "jeans",
"sweater"), and curators may set it by hand from the same list. Search reads the words too, so that
a shopper typing "jumper" or "pants" finds the knits or the trousers.
"""

GARMENT_TYPES: dict[str, str] = {
    "t-shirt": "T-shirt",
    "shirt": "Shirt",
    "top": "Top",
    "knit": "Knit",
    "hoodie": "Hoodie / sweatshirt",
    "coat": "Coat / jacket",
    "trousers": "Trousers",
    "jeans": "Jeans",
    "shorts": "Shorts",
    "skirt": "Skirt",
    "dress": "Dress",
}

# Words (singular and plural, lower case) that name each type; the type's own key names it too.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "t-shirt": ("t-shirts", "tshirt", "tshirts", "tee", "tees"),
    "shirt": ("shirts", "blouse", "blouses"),
    "top": ("longsleeve", "long sleeve top", "tank top", "camisole", "cami"),
    "knit": ("knits", "knitwear", "sweater", "sweaters", "jumper", "jumpers", "cardigan", "cardigans",
             "pullover", "pullovers"),
    "hoodie": ("hoodies", "sweatshirt", "sweatshirts"),
    "coat": ("coats", "jacket", "jackets", "outwear", "outerwear", "parka", "parkas", "blazer", "blazers",
             "vest", "vests", "gilet"),
    "trousers": ("pants", "trouser", "joggers", "chinos", "slacks", "leggings"),
    "jeans": ("jean", "denims"),
    "shorts": ("short pants",),
    "skirt": ("skirts",),
    "dress": ("dresses", "gown", "gowns", "sundress"),
}
WORD_TYPES: dict[str, str] = {word: key for key, words in TYPE_WORDS.items() for word in (key, *words)}


def garment_type_for(words: str) -> str:
    """The type named by a caption's `type` words ("Denim jacket" -> "coat"); "" when none is.
    The last matching word wins, as the noun comes last in English ("sweater dress" is a dress)."""
    tokens = words.lower().replace("_", " ").split()
    found = ""
    for start in range(len(tokens)):
        for end in range(len(tokens), start, -1):
            if (phrase := " ".join(tokens[start:end])) in WORD_TYPES:
                found = WORD_TYPES[phrase]
                break
    return found
