"""all-MiniLM-L6-v2 (the bundled sentence model) run in numpy: the same vectors as
sentence-transformers (tests/search/test_minilm.py compares them), without torch and transformers
in the process. A web worker holds about 90 MiB of weights instead of ~450 MiB of libraries.

The model is a 6-layer BERT (hidden 384, 12 heads, exact GELU), mean-pooled over its tokens, as the
folder's sentence-transformers config says. Texts are encoded one at a time, so no padding or
attention mask is needed; a query is one text, and item texts are few and short.
"""

from pathlib import Path
from typing import Sequence

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
HEADS = 12
LAYER_NORM_EPS = 1e-12


class MiniLM:
    def __init__(self, folder: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.w = load_file(str(folder / "model.safetensors"))
        self.layers = 1 + max(int(name.split(".")[2]) for name in self.w if name.startswith("encoder.layer."))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One mean-pooled vector per text (not normalised), float32."""
        return np.stack([self._encode_one(text) for text in texts]).astype(np.float32)

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.asarray(self.tokenizer.encode(text).ids)
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:len(ids)]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}."
            x = self._norm(x + self._attention(x, prefix + "attention."), prefix + "attention.output.LayerNorm")
            hidden = self._dense(x, prefix + "intermediate.dense")
            hidden = 0.5 * hidden * (1.0 + erf(hidden / np.sqrt(2.0)))  # BERT's exact GELU
            x = self._norm(x + self._dense(hidden, prefix + "output.dense"), prefix + "output.LayerNorm")
        return x.mean(axis=0)

    def _attention(self, x: np.ndarray, prefix: str) -> np.ndarray:
        tokens, width = x.shape
        head = width // HEADS

        def heads(name: str) -> np.ndarray:  # (heads, tokens, head width)
            return self._dense(x, prefix + f"self.{name}").reshape(tokens, HEADS, head).transpose(1, 0, 2)

        scores = heads("query") @ heads("key").transpose(0, 2, 1) / np.sqrt(head)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        context = (scores / scores.sum(axis=-1, keepdims=True)) @ heads("value")
        return self._dense(context.transpose(1, 0, 2).reshape(tokens, width), prefix + "output.dense")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + LAYER_NORM_EPS) * self.w[name + ".weight"] + self.w[name + ".bias"]
