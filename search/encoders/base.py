"""The encoder interface: everything the rest of OVDR knows about a model.

An encoder turns query text and garment images into L2-normalised float32 vectors. Items are
indexed in two spaces: `image` (what image queries search) and `text` (the item's words).
`text_query_space` says which space a text query is compared with: a CLIP-family encoder puts text
and images in one space, so text queries search garment *image* vectors; the default encoder
compares a query sentence with each item's descriptive text.
"""

from typing import Protocol, Sequence

import numpy as np
from PIL import Image

SPACES = ("image", "text")


class Encoder(Protocol):
    name: str  # stored with the index: a different name forces a rebuild
    text_query_space: str  # "image" or "text"
    # The least score a text query's hit needs when no word of the query is one the catalog uses:
    # below it, a made-up query would "match" the whole catalog (search.services.search_catalog).
    text_score_floor: float

    def dim(self, space: str) -> int: ...

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim(text_query_space)) float32, rows of unit length: for text queries."""

    def encode_item_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim("text")) float32, unit rows: item descriptions for the text space."""

    def encode_images(self, images: Sequence[Image.Image], masks: Sequence[np.ndarray | None]) -> np.ndarray:
        """(n, dim("image")) float32, unit rows. A mask (H x W bool/uint8, same size as its
        image) marks the garment; None means the whole image."""


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
