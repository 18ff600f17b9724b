"""CLIP-family encoders: one space for words and pictures, so a text query searches garment images.

Any checkpoint in the Hugging Face CLIP format loads (openai/clip-vit-base-patch32, -large-patch14,
fashion-tuned CLIPs). A garment is shown to the model cut out onto white and padded to a square:
the processor centre-crops, which would otherwise cut the legs off trousers, and a sofa behind a
shirt is not what a shopper searches for.
"""

import threading
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from PIL import Image

from search.encoders.base import l2_normalise

WHITE = (255, 255, 255)
CROP_MARGIN = 0.05  # of the mask's box on each side, so the garment's edge is not touched
PROMPT_CACHE_SIZE = 64


def model_label(path_or_id: str) -> str:
    """A stable name for a checkpoint: a local folder's name, or the hub id as given."""
    path = Path(path_or_id)
    return path.resolve().name if path.exists() else path_or_id.strip("/")


def garment_on_white(image: Image.Image, mask: np.ndarray | None) -> Image.Image:
    """The garment composited onto white, cropped to its box (with a margin) and padded square."""
    rgb = image.convert("RGB")
    if mask is not None and np.asarray(mask).any():
        stencil = Image.fromarray(np.asarray(mask).astype(bool).astype(np.uint8) * 255, mode="L")
        stencil = stencil.resize(rgb.size, Image.Resampling.NEAREST)  # a no-op when sizes agree
        rgb = Image.composite(rgb, Image.new("RGB", rgb.size, WHITE), stencil)
        rgb = rgb.crop(_box_with_margin(np.asarray(stencil) > 0))
    side = max(rgb.size)
    square = Image.new("RGB", (side, side), WHITE)
    square.paste(rgb, ((side - rgb.width) // 2, (side - rgb.height) // 2))
    return square


def _box_with_margin(garment: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero(garment.any(axis=1)), np.flatnonzero(garment.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    dy, dx = round((bottom - top) * CROP_MARGIN), round((right - left) * CROP_MARGIN)
    height, width = garment.shape
    return max(0, left - dx), max(0, top - dy), min(width, right + dx), min(height, bottom + dy)


class ClipEncoder:
    text_query_space = "image"
    # CLIP's text-image cosines sit lower than text-text ones (a matching photo scores ~0.25-0.35).
    # Not measured here (no CLIP weights offline): a cautious floor that keeps real matches.
    text_score_floor = 0.20

    def __init__(self, path_or_id: str, device: str | None = None, batch_size: int = 32) -> None:
        # Imported here: transformers takes seconds to import, and the default encoder never needs it
        from transformers import AutoModel, AutoProcessor

        self.name = f"clip:{model_label(path_or_id)}"
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        on_cuda = self.device.startswith("cuda")
        self._dtype = torch.float16 if on_cuda else torch.float32
        extra = {"attn_implementation": "sdpa"} if on_cuda else {}
        model = AutoModel.from_pretrained(path_or_id, dtype=self._dtype, **extra)
        self._model = model.to(self.device).eval()
        self._processor = AutoProcessor.from_pretrained(path_or_id)
        self._dim = int(model.config.projection_dim)
        self._prompts: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    def dim(self, space: str) -> int:
        if space not in ("image", "text"):
            raise ValueError(f"Unknown space {space!r}: expected 'image' or 'text'.")
        return self._dim

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_item_texts(texts)

    def encode_item_texts(self, texts: Sequence[str]) -> np.ndarray:
        chunks = [self._text_batch(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, self._dim), dtype=np.float32)

    def encode_images(self, images: Sequence[Image.Image], masks: Sequence[np.ndarray | None]) -> np.ndarray:
        if len(images) != len(masks):
            raise ValueError(f"{len(images)} images but {len(masks)} masks.")
        prepared = [garment_on_white(image, mask) for image, mask in zip(images, masks)]
        chunks = [self._image_batch(prepared[i : i + self.batch_size]) for i in range(0, len(prepared), self.batch_size)]
        return np.concatenate(chunks) if chunks else np.zeros((0, self._dim), dtype=np.float32)

    def zero_shot_scores(
        self, images: Sequence[Image.Image], masks: Sequence[np.ndarray | None], prompts: list[str]
    ) -> np.ndarray:
        """Cosine similarity of each image with each prompt, (n_images, n_prompts), no softmax:
        the caller picks its own temperature and thresholds."""
        return self.encode_images(images, masks) @ self._prompt_vectors(tuple(prompts)).T

    def _prompt_vectors(self, prompts: tuple[str, ...]) -> np.ndarray:
        # Attribute prompts repeat for every catalogue item: encode each set once
        with self._lock:
            if prompts not in self._prompts:
                if len(self._prompts) >= PROMPT_CACHE_SIZE:
                    self._prompts.clear()
                self._prompts[prompts] = self.encode_item_texts(prompts)
            return self._prompts[prompts]

    def _text_batch(self, texts: list[str]) -> np.ndarray:
        inputs = self._processor(text=texts, padding=True, truncation=True, return_tensors="pt")
        with torch.inference_mode():
            features = self._model.get_text_features(**inputs.to(self.device))
        return _unit_rows(features)

    def _image_batch(self, images: list[Image.Image]) -> np.ndarray:
        pixels = self._processor(images=images, return_tensors="pt")["pixel_values"]
        with torch.inference_mode():
            features = self._model.get_image_features(pixel_values=pixels.to(self.device, self._dtype))
        return _unit_rows(features)


def _unit_rows(features) -> np.ndarray:
    # transformers 5 wraps the projected vectors in an output object; 4.x returned the tensor
    tensor = features if isinstance(features, torch.Tensor) else features.pooler_output
    return l2_normalise(tensor.float().cpu().numpy())
