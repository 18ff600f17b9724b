"""When two usernames name the same account, in Python, whatever the database's collation.

`username_fold` is what a shopper means by their name: NFKC (full-width "ＤＥＭＯ" is "DEMO") and
casefold ("ÉMILE" is "émile" on every backend, where SQLite's LOWER() knows only ASCII).
`username_skeleton` is what a reader cannot tell apart: the folded name with every character
replaced by a representative of its class in Unicode's confusables (UTS #39, data from
confusable-homoglyphs), so "admin" and "аdmin" (Cyrillic а), "bill" and "bi11" share a skeleton.
The User table keeps a digest of the skeleton under a unique constraint: one account per skeleton.
"""

import hashlib
import unicodedata
from functools import cache

from confusable_homoglyphs.confusables import confusables_data

_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")  # the data wraps right-to-left characters in them


def username_fold(username: str) -> str:
    return unicodedata.normalize("NFKC", username.strip()).casefold()


@cache
def _representatives() -> dict[str, str]:
    """Each confusable character → one member of its class (classes joined through the data's pairs,
    which list both directions); a character confusable with a sequence ("m" with "rn") → it."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.get(char, char) != char:
            parent[char] = parent.get(parent[char], parent[char])  # path halving
            char = parent[char]
        return char

    sequences = {}
    for char, homoglyphs in confusables_data.items():
        for homoglyph in homoglyphs:
            other = homoglyph["c"].translate(_DIRECTION_MARKS)
            if len(other) == 1:
                first, second = sorted((root(char), root(other)))
                parent[second] = first
            elif other:
                sequences[char] = other
    classes = {char: root(char) for char in list(parent)}
    return {**classes, **{char: "".join(classes.get(c, c) for c in seq) for char, seq in sequences.items()}}


def username_skeleton(username: str) -> str:
    """A sha256 digest of the name's skeleton: a fixed-size value no collation can reinterpret."""
    representatives = _representatives()
    decomposed = unicodedata.normalize("NFD", username_fold(username))
    skeleton = unicodedata.normalize("NFD", "".join(representatives.get(c, c) for c in decomposed))
    return hashlib.sha256(skeleton.encode()).hexdigest()
