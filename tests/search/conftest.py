import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported: nothing may download
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import string  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from django.core.management import call_command  # noqa: E402

from search.services import query_vectors_forget  # noqa: E402
from search.store import forget_loaded_indexes  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_index_cache():
    """The root conftest gives each test its own index folder; forget what earlier tests loaded,
    and the query vectors of models that earlier tests built under the same name."""
    forget_loaded_indexes()
    query_vectors_forget()
    yield
    forget_loaded_indexes()


@pytest.fixture
def indexed(small_catalog):
    """The small catalog, analysed and in the search index."""
    call_command("build_search_index", verbosity=0)
    return small_catalog


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory) -> Path:
    """A randomly initialised CLIP small enough to build in a second, saved like a hub checkpoint."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor, CLIPTokenizer

    specials = ["<|startoftext|>", "<|endoftext|>"]
    chars = list(string.ascii_lowercase + string.digits)
    vocab = {token: i for i, token in enumerate(specials + chars + [c + "</w>" for c in chars])}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=16)
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    layers = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4)
    config = CLIPConfig(
        text_config=dict(vocab_size=len(vocab), max_position_embeddings=16, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1, **layers),
        vision_config=dict(image_size=32, patch_size=8, **layers),
        projection_dim=16,
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("checkpoints") / "tiny-clip"
    CLIPModel(config).save_pretrained(folder)
    CLIPProcessor(image_processor=images, tokenizer=tokenizer).save_pretrained(folder)
    return folder
