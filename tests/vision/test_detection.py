"""Garment detection (pose regions, OWL-ViT) on the real people and product photos in /work/shared/data.

Which photos show legs, or only a head and shoulders, is a fact about the photos (see the data
README and a look at them), not a model output; boxes and masks are checked for consistency.
"""

import os
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vision import owlvit
from vision.detection import DetectedGarment, bounding_box, garment_crop, garments_detect, pose_regions
from vision.owlvit import non_max_suppressed, owlvit_regions

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PEOPLE = DATA / "people"
WITH_LEGS = ["omnitry_person_bag.jpg", "omnitry_person_bottom_cloth.jpg", "omnitry_person_tie.jpg", "fashn_model.webp"]
LEGS_OUT_OF_FRAME = ["omnitry_person_bowtie.jpg", "omnitry_person_top_cloth.jpg"]
REGIONS = {"upper", "lower", "full", None}

pytestmark = pytest.mark.skipif(not PEOPLE.is_dir(), reason=f"no shared data at {DATA}")
detect_garments = partial(garments_detect, find_regions=pose_regions)

_detected: dict[str, tuple[Image.Image, list[DetectedGarment]]] = {}


def detected(name: str) -> tuple[Image.Image, list[DetectedGarment]]:
    """Each photo is detected once per run: the file stays fast however many tests look at it."""
    if name not in _detected:
        image = Image.open(PEOPLE / name).convert("RGB")
        _detected[name] = image, detect_garments(image)
    return _detected[name]


def by_region(garments: list[DetectedGarment]) -> dict[str | None, DetectedGarment]:
    regions = [garment.region for garment in garments]
    assert len(regions) == len(set(regions)), f"one garment per region, got {regions}"
    return {garment.region: garment for garment in garments}


def assert_well_formed(image: Image.Image, garment: DetectedGarment) -> None:
    x0, y0, x1, y1 = garment.box
    assert 0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height
    assert garment.region in REGIONS
    if garment.mask is not None:
        assert garment.mask.dtype == bool and garment.mask.shape == (image.height, image.width)
        inside = np.zeros_like(garment.mask)
        inside[y0:y1, x0:x1] = True
        assert garment.mask.any() and not (garment.mask & ~inside).any()


def person_top_row(image: Image.Image) -> int:
    import mediapipe as mp

    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as segmenter:
        person = segmenter.process(np.asarray(image)).segmentation_mask > 0.5
    return int(np.flatnonzero(person.any(axis=1))[0])


@pytest.mark.parametrize("name", WITH_LEGS + LEGS_OUT_OF_FRAME)
def test_person_with_shoulders_and_hips_yields_an_upper_garment_below_the_head(name):
    image, garments = detected(name)
    for garment in garments:
        assert_well_formed(image, garment)
    upper = by_region(garments)["upper"]
    assert upper.mask is not None
    # The head is part of the person silhouette but not of the top: the box starts well below it.
    assert upper.box[1] - person_top_row(image) > 0.05 * image.height


@pytest.mark.parametrize("name", WITH_LEGS)
def test_visible_legs_yield_a_lower_garment_below_the_upper_and_a_full_one_around_both(name):
    image, garments = detected(name)
    regions = by_region(garments)
    upper, lower, full = regions["upper"].box, regions["lower"].box, regions["full"].box
    assert upper[1] < lower[1] and upper[3] < lower[3]
    assert (upper[1] + upper[3]) / 2 < (lower[1] + lower[3]) / 2
    assert full[1] <= upper[1] and full[3] >= lower[3] - 1
    assert lower[3] - lower[1] > 0.25 * image.height


@pytest.mark.parametrize("name", LEGS_OUT_OF_FRAME + ["omnitry_person_glasses.jpg"])
def test_legs_out_of_frame_yield_no_lower_or_full_garment(name):
    image, garments = detected(name)
    assert set(by_region(garments)) == {"upper"}
    assert_well_formed(image, garments[0])


def test_legs_only_photo_with_no_pose_is_searched_as_one_garment_of_unknown_region():
    image, garments = detected("omnitry_person_belt.jpg")
    assert len(garments) == 1
    (garment,) = garments
    assert garment.region is None and garment.mask is not None
    assert_well_formed(image, garment)
    assert garment.box == bounding_box(garment.mask)


def test_product_photo_is_one_garment_of_unknown_region():
    photo = sorted((DATA / "clothing" / "train" / "t-shirt").glob("*.jpg"))[0]
    image = Image.open(photo).convert("RGB")
    garments = detect_garments(image)
    assert [garment.region for garment in garments] == [None]
    assert_well_formed(image, garments[0])
    assert 0.05 < garments[0].mask.mean() < 0.95


def test_large_photo_is_detected_in_its_own_pixel_coordinates():
    image, garments = detected("omnitry_person_tie.jpg")
    large = image.resize((image.width * 2, image.height * 2))
    doubled = by_region(detect_garments(large))
    assert set(doubled) == {garment.region for garment in garments}
    for garment in garments:
        assert np.abs(np.array(doubled[garment.region].box) - 2 * np.array(garment.box)).max() < 0.03 * large.height
        assert doubled[garment.region].mask.shape == (large.height, large.width)


def test_garment_crop_cuts_the_image_and_its_mask_alike():
    image, garments = detected("omnitry_person_bag.jpg")
    for garment in garments:
        crop, mask = garment_crop(image, garment)
        x0, y0, x1, y1 = garment.box
        assert crop.size == (x1 - x0, y1 - y0) and mask.shape == (crop.height, crop.width)
        assert mask.sum() == garment.mask.sum()


def test_detections_from_concurrent_threads_match_a_serial_run():
    image, expected = detected("omnitry_person_bottom_cloth.jpg")
    results: list[list[DetectedGarment]] = []
    threads = [threading.Thread(target=lambda: results.append(detect_garments(image))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3
    for garments in results:
        assert [(g.region, g.box) for g in garments] == [(g.region, g.box) for g in expected]


def test_overlapping_boxes_of_one_region_are_suppressed_but_other_regions_kept():
    candidates = [(0.9, (0, 0, 100, 100), "upper"), (0.8, (5, 5, 100, 100), "upper"),
                  (0.7, (0, 0, 100, 100), "full"), (0.6, (200, 200, 300, 300), "upper")]
    kept = non_max_suppressed(candidates)
    assert kept == [((0, 0, 100, 100), "upper"), ((0, 0, 100, 100), "full"), ((200, 200, 300, 300), "upper")]


@pytest.fixture(scope="module")
def tiny_owlvit(tmp_path_factory) -> Path:
    """A randomly initialised OWL-ViT with a byte-level CLIP tokenizer, saved like a real one."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import (CLIPTokenizer, OwlViTConfig, OwlViTForObjectDetection, OwlViTImageProcessorPil,
                              OwlViTProcessor)

    letters = sorted(ByteLevel.alphabet())
    vocab = {token: index for index, token in enumerate(letters + [f"{c}</w>" for c in letters])}
    bos, eos = len(vocab), len(vocab) + 1
    vocab |= {"<|startoftext|>": bos, "<|endoftext|>": eos}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=16)
    layers = dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4)
    config = OwlViTConfig(
        text_config=dict(vocab_size=len(vocab), max_position_embeddings=16, bos_token_id=bos, eos_token_id=eos,
                         pad_token_id=eos, **layers),
        vision_config=dict(image_size=32, patch_size=8, **layers),
        projection_dim=32,  # OWL-ViT's class head compares image embeddings with text ones of this size
        initializer_range=0.02,  # unset, the box head starts at std 1 and predicts only degenerate boxes
    )
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("owlvit")
    OwlViTForObjectDetection(config).save_pretrained(path)
    side = {"height": 32, "width": 32}
    image_processor = OwlViTImageProcessorPil(size=side, crop_size=side)
    OwlViTProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(path)
    return path


@pytest.mark.parametrize("name", ["omnitry_person_tie.jpg", "omnitry_object_top_cloth.jpg"])
def test_owlvit_detector_returns_clamped_garments_of_known_regions(name, tiny_owlvit, monkeypatch):
    # Random weights score arbitrarily: with no threshold every box counts, so the detector path,
    # not the product fallback, is what produces the garments.
    monkeypatch.setattr(owlvit, "OWLVIT_THRESHOLD", 0.0)
    image = Image.open(PEOPLE / name).convert("RGB")
    # The model folder is an argument: no setting is read.
    garments = garments_detect(image, find_regions=partial(owlvit_regions, path=str(tiny_owlvit)))
    assert 1 <= len(garments) <= owlvit.MAX_DETECTIONS
    for garment in garments:
        assert garment.region in {"upper", "lower", "full"}
        assert_well_formed(image, garment)
