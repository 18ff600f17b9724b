"""Encoders: the CLIP path on a tiny random model built here, the default path on the real bundled
sentence model and the weight-free descriptor, and the settings that choose between them."""

from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageDraw

from search.descriptor import DESCRIPTOR_DIM, image_descriptor
from search.encoders import get_encoder, reset_encoder_cache
from search.encoders.clip import ClipEncoder
from search.encoders.default import DefaultEncoder

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "clothing"
TEE = [(30, 20), (70, 20), (95, 45), (80, 55), (75, 50), (75, 120), (25, 120), (25, 50), (20, 55), (5, 45)]


@pytest.fixture(autouse=True)
def _fresh_encoder_cache():
    reset_encoder_cache()
    yield
    reset_encoder_cache()


@pytest.fixture(scope="module")
def clip(tiny_clip_dir) -> ClipEncoder:
    return ClipEncoder(str(tiny_clip_dir), batch_size=2)


@pytest.fixture(scope="module")
def default() -> DefaultEncoder:
    return DefaultEncoder()


def garment_photo(*, colour, background, offset=(0, 0), size=(100, 130)) -> tuple[Image.Image, np.ndarray]:
    """A t-shirt silhouette on a plain background, and its mask."""
    outline = [(x + offset[0], y + offset[1]) for x, y in TEE]
    image = Image.new("RGB", size, background)
    ImageDraw.Draw(image).polygon(outline, fill=colour)
    stencil = Image.new("L", size, 0)
    ImageDraw.Draw(stencil).polygon(outline, fill=255)
    return image, np.asarray(stencil) > 0


def unit_norms(vectors: np.ndarray) -> np.ndarray:
    return np.linalg.norm(vectors, axis=1)


# --- CLIP ---------------------------------------------------------------------------------------


def test_clip_text_and_image_vectors_are_unit_rows_in_one_space(clip):
    photos = [garment_photo(colour=c, background=(200, 200, 190))[0] for c in ("red", "navy", "olive")]
    texts = clip.encode_texts(["red tee", "navy tee"])
    images = clip.encode_images(photos, [None] * 3)
    assert texts.shape == (2, 16) and images.shape == (3, 16)
    assert texts.dtype == images.dtype == np.float32
    assert np.allclose(unit_norms(texts), 1, atol=1e-5) and np.allclose(unit_norms(images), 1, atol=1e-5)
    assert clip.dim("image") == clip.dim("text") == 16 and clip.text_query_space == "image"
    assert np.array_equal(clip.encode_item_texts(["red tee"]), clip.encode_texts(["red tee"]))


def test_clip_is_deterministic_and_batches_match_single_images(clip):
    pairs = [garment_photo(colour=(40 * i, 90, 200 - 30 * i), background="white", offset=(i, i)) for i in range(5)]
    photos, masks = [p for p, _ in pairs], [m for _, m in pairs]
    batched = clip.encode_images(photos, masks)  # batch_size=2: three chunks, the last one short
    one_by_one = np.concatenate([clip.encode_images([p], [m]) for p, m in zip(photos, masks)])
    assert np.allclose(batched, one_by_one, atol=1e-5)
    assert np.array_equal(batched, clip.encode_images(photos, masks))


def test_clip_mask_cuts_the_garment_out_of_its_background(clip):
    photo, mask = garment_photo(colour="red", background=(30, 140, 60))
    masked, whole = clip.encode_images([photo, photo], [mask, None])
    assert not np.allclose(masked, whole, atol=1e-3)


def test_clip_zero_shot_scores_are_cosines_of_images_and_prompts(clip):
    photos = [garment_photo(colour=c, background="white")[0] for c in ("red", "blue")]
    prompts = ["a red shirt", "a blue shirt", "a dress"]
    scores = clip.zero_shot_scores(photos, [None, None], prompts)
    assert scores.shape == (2, 3)
    expected = clip.encode_images(photos, [None, None]) @ clip.encode_texts(prompts).T
    assert np.allclose(scores, expected, atol=1e-5)


def test_get_encoder_builds_clip_once_from_settings(settings, tiny_clip_dir):
    settings.SEARCH_ENCODER, settings.SEARCH_MODEL_PATH = "clip", str(tiny_clip_dir)
    encoder = get_encoder()
    assert isinstance(encoder, ClipEncoder) and encoder.name == "clip:tiny-clip"
    assert get_encoder() is encoder
    assert encoder.encode_texts(["tee"]).shape == (1, encoder.dim("image"))


@pytest.mark.parametrize(("kind", "path", "message"), [("clip", "", "SEARCH_MODEL_PATH"), ("bert", "", "bert")])
def test_get_encoder_refuses_an_unusable_configuration(settings, kind, path, message):
    settings.SEARCH_ENCODER, settings.SEARCH_MODEL_PATH = kind, path
    with pytest.raises(ImproperlyConfigured, match=message):
        get_encoder()


# --- default: sentence model ----------------------------------------------------------------------


def test_get_encoder_defaults_to_one_default_encoder(settings):
    del settings.SEARCH_ENCODER  # an unset setting means the default encoder
    encoder = get_encoder()
    assert isinstance(encoder, DefaultEncoder) and encoder.name == "default-v1"
    assert get_encoder() is encoder


def test_default_text_vectors_are_unit_384_rows(default):
    vectors = default.encode_texts(["a red dress", "blue denim jeans", "white cotton t-shirt"])
    assert vectors.shape == (3, 384) == (3, default.dim("text")) and vectors.dtype == np.float32
    assert np.allclose(unit_norms(vectors), 1, atol=1e-5)
    assert np.allclose(default.encode_item_texts(["a red dress"]), vectors[:1], atol=1e-6)


def test_default_text_vectors_follow_meaning(default):
    query, near, far = default.encode_texts(["red summer dress", "a red dress", "black leather boots"])
    assert query @ near > query @ far


def test_default_images_need_no_text_model():
    encoder = DefaultEncoder()
    photo, mask = garment_photo(colour="red", background="white")
    vectors = encoder.encode_images([photo, photo], [mask, None])
    assert vectors.shape == (2, DESCRIPTOR_DIM) == (2, encoder.dim("image"))
    assert encoder._model is None  # the sentence model loads on the first text call only


# --- default: descriptor --------------------------------------------------------------------------


def test_descriptor_is_a_deterministic_unit_vector():
    photo, mask = garment_photo(colour=(120, 60, 200), background=(230, 220, 200))
    first, second = image_descriptor(photo, mask), image_descriptor(photo.copy(), mask.copy())
    assert first.shape == (DESCRIPTOR_DIM,) and first.dtype == np.float32
    assert np.isclose(np.linalg.norm(first), 1, atol=1e-5) and np.array_equal(first, second)
    assert np.isclose(np.linalg.norm(image_descriptor(photo, None)), 1, atol=1e-5)


def test_descriptor_ranks_a_red_garment_nearer_another_red_than_a_blue():
    red = image_descriptor(*garment_photo(colour=(200, 30, 35), background=(210, 210, 210)))
    other_red = image_descriptor(*garment_photo(colour=(175, 40, 45), background=(225, 205, 170), offset=(3, 4)))
    blue = image_descriptor(*garment_photo(colour=(35, 50, 190), background=(210, 210, 210)))
    assert red @ other_red > red @ blue


def test_descriptor_ignores_the_background_under_a_mask():
    on_green, mask = garment_photo(colour=(200, 30, 35), background=(40, 160, 60))
    on_cream, _ = garment_photo(colour=(200, 30, 35), background=(240, 230, 200))
    masked = image_descriptor(on_green, mask) @ image_descriptor(on_cream, mask)
    unmasked = image_descriptor(on_green, None) @ image_descriptor(on_cream, None)
    assert masked > 0.99 and masked > unmasked


@pytest.mark.skipif(not DATA.is_dir(), reason="shared clothing data is not present")
def test_descriptor_finds_same_class_garments_far_above_chance():
    """Every validation photo against half the train photos, without masks (GrabCut would take a
    minute here): with masks the figure is higher still. A small catalogue makes the top ten
    noisy, hence this size."""
    queries = sorted(DATA.glob("validation/*/*.jpg"))
    catalog = sorted(DATA.glob("train/*/*.jpg"))[::2]
    query_classes, catalog_classes = (np.array([p.parent.name for p in paths]) for paths in (queries, catalog))
    query_vectors, catalog_vectors = (np.stack([_descriptor_of(p) for p in paths]) for paths in (queries, catalog))
    top10 = np.argsort(-(query_vectors @ catalog_vectors.T), axis=1)[:, :10]
    precision = (catalog_classes[top10] == query_classes[:, None]).mean()
    chance = sum((query_classes == c).mean() * (catalog_classes == c).mean() for c in set(query_classes))
    assert precision > 2 * chance, (precision, chance)


def _descriptor_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        image.draft("RGB", (100, 133))  # JPEG decodes at a quarter size: the descriptor works at 96 x 128
        return image_descriptor(image.convert("RGB"), None)
