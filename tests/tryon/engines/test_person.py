"""The person photo for try-on: its analysis (engines/person.py) and region masks (engines/body.py).

What the people photos show (who has hips or knees in frame, who has no head) is a fact about the
photos, from the data README and a look at them, not a model output. Region masks are checked for
geometry that any right answer has, and on a drawn figure whose joints are placed by hand.
"""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from tryon.engines.base import PersonAnalysis
from tryon.engines.body import arms_front_mask, region_mask
from tryon.engines.person import PhotoUnusable, person_analyse, usable_for
from vision.pose import HIPS, KNEES, NOSE, SHOULDERS

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
PEOPLE = DATA / "people"
SHOULDERS_AND_HIPS = ["omnitry_person_bag.jpg", "omnitry_person_bottom_cloth.jpg", "omnitry_person_bowtie.jpg",
                      "omnitry_person_tie.jpg", "omnitry_person_top_cloth.jpg", "fashn_model.webp"]
WITH_KNEES = ["omnitry_person_bag.jpg", "omnitry_person_bottom_cloth.jpg", "omnitry_person_tie.jpg",
              "fashn_model.webp"]

needs_people = pytest.mark.skipif(not PEOPLE.is_dir(), reason=f"no shared data at {DATA}")
_analysed: dict[str, PersonAnalysis | PhotoUnusable] = {}


def photo(name: str) -> Image.Image:
    return Image.open(PEOPLE / name).convert("RGB")


def analysed(name: str) -> PersonAnalysis:
    """Each photo is analysed once per run (about 0.3 s each)."""
    if name not in _analysed:
        try:
            _analysed[name] = person_analyse(photo(name))
        except PhotoUnusable as refusal:
            _analysed[name] = refusal
    if isinstance(_analysed[name], PhotoUnusable):
        raise _analysed[name]
    return _analysed[name]


def side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    height = min(left.height, right.height)
    left, right = (im.resize((round(im.width * height / im.height), height)) for im in (left, right))
    both = Image.new("RGB", (left.width + right.width, height))
    both.paste(left, (0, 0))
    both.paste(right, (left.width, 0))
    return both


def centroid_row(mask: np.ndarray) -> float:
    return float(np.nonzero(mask)[0].mean())


def at(mask: np.ndarray, point) -> bool:
    return bool(mask[int(point[1]), int(point[0])])


# People photos.

@needs_people
@pytest.mark.parametrize("name", SHOULDERS_AND_HIPS)
def test_photos_showing_shoulders_and_hips_serve_a_top(name):
    analysis = analysed(name)
    assert usable_for(analysis, "upper") is None
    assert len(analysis.landmarks) == 33 and all(len(point) == 3 for point in analysis.landmarks)
    assert analysis.person_mask.dtype == bool and analysis.person_mask.shape == (analysis.height, analysis.width)
    for joint in SHOULDERS + HIPS:  # seen joints lie on the person, in pixels
        x, y, _ = analysis.landmarks[joint]
        assert 0 <= x < analysis.width and 0 <= y < analysis.height


@needs_people
def test_head_and_shoulders_photo_is_refused_for_every_garment():
    analysis = analysed("omnitry_person_glasses.jpg")
    assert usable_for(analysis, "upper") == "Your shoulders and hips need to be visible to try on a top."
    assert usable_for(analysis, "lower") == "Your knees need to be visible to try on a bottom."
    assert usable_for(analysis, "full") == "Your knees need to be visible to try on a dress."


@needs_people
def test_photos_cut_above_the_knees_serve_a_top_but_not_a_bottom():
    analysis = analysed("omnitry_person_top_cloth.jpg")
    assert usable_for(analysis, "upper") is None
    assert usable_for(analysis, "lower") == "Your knees need to be visible to try on a bottom."


@needs_people
def test_legs_without_a_head_are_no_person():
    with pytest.raises(PhotoUnusable) as refusal:
        analysed("omnitry_person_belt.jpg")
    assert refusal.value.message == "We could not find a person in this photo."


@needs_people
@pytest.mark.parametrize("left, right", [
    ("omnitry_person_bag.jpg", "omnitry_person_bottom_cloth.jpg"),
    ("omnitry_person_bottom_cloth.jpg", "omnitry_person_tie.jpg"),  # full length: faces too small to count
    ("omnitry_person_glasses.jpg", "omnitry_person_bowtie.jpg"),
])
def test_two_people_side_by_side_are_refused(left, right):
    with pytest.raises(PhotoUnusable) as refusal:
        person_analyse(side_by_side(photo(left), photo(right)))
    assert refusal.value.message == "This photo shows more than one person. Please upload a photo of just you."


@needs_people
def test_a_second_person_in_front_of_the_first_is_refused():
    """Pasted over her legs, inside the first person's box: only the faces tell."""
    scene, other = photo("omnitry_person_bag.jpg"), photo("omnitry_person_glasses.jpg")
    scene.paste(other.resize((round(other.width * 0.3), round(other.height * 0.3))), (300, 500))
    with pytest.raises(PhotoUnusable) as refusal:
        person_analyse(scene)
    assert refusal.value.message == "This photo shows more than one person. Please upload a photo of just you."


@needs_people
@pytest.mark.parametrize("name", WITH_KNEES)
def test_region_masks_cover_their_part_of_the_person(name):
    analysis = analysed(name)
    upper, lower, full = (region_mask(analysis, region) for region in ("upper", "lower", "full"))
    near_person = cv2.dilate(analysis.person_mask.astype(np.uint8), np.ones((15, 15), np.uint8)).astype(bool)
    for mask in (upper, lower, full):
        assert mask.dtype == bool and mask.shape == analysis.person_mask.shape
        assert mask.sum() > 0.05 * analysis.person_mask.sum()
        assert not (mask & ~near_person).any()
        assert not at(mask, analysis.landmarks[NOSE])
    assert centroid_row(upper) < centroid_row(lower)
    long_dress = region_mask(analysis, "full", length="maxi")
    assert (long_dress & (upper | lower)).sum() >= 0.9 * (upper | lower).sum()


@needs_people
def test_a_dress_or_bottom_covers_less_the_shorter_it_is():
    analysis = analysed("omnitry_person_bottom_cloth.jpg")
    dresses = [region_mask(analysis, "full", length=length).sum() for length in ("mini", "knee", "midi", "maxi")]
    assert dresses == sorted(dresses) and dresses[0] < dresses[-1]
    assert region_mask(analysis, "lower", length="mini").sum() < region_mask(analysis, "lower").sum()
    assert region_mask(analysis, "full").sum() == region_mask(analysis, "full", length="knee").sum()


@needs_people
def test_a_forearm_across_the_torso_is_in_front():
    analysis = analysed("omnitry_person_bag.jpg")  # her right forearm lies across her waist
    front = arms_front_mask(analysis)
    assert front.sum() > 0 and not (front & ~analysis.person_mask).any()


def test_unknown_region_is_an_error():
    analysis = standing_figure()
    with pytest.raises(ValueError):
        usable_for(analysis, "hat")
    with pytest.raises(ValueError):
        region_mask(analysis, "hat")


# A drawn figure: joints placed by hand, the whole image counted as person.

def standing_figure(*, arms_across: bool = False) -> PersonAnalysis:
    """A 400 x 800 figure facing the camera: the person's left is the image's right."""
    joints = {0: (200, 100), 11: (250, 200), 12: (150, 200), 23: (230, 400), 24: (170, 400),
              25: (230, 550), 26: (170, 550), 27: (230, 700), 28: (170, 700)}
    if arms_across:  # elbows at the waist's sides, hands meeting in front of the belly
        joints |= {13: (290, 330), 14: (110, 330), 15: (215, 350), 16: (185, 350)}
        joints |= {i: (205, 355) for i in (17, 19, 21)} | {i: (195, 355) for i in (18, 20, 22)}
    else:  # arms held out sideways, away from the body
        joints |= {13: (330, 200), 14: (70, 200), 15: (380, 200), 16: (20, 200)}
        joints |= {i: (390, 200) for i in (17, 19, 21)} | {i: (10, 200) for i in (18, 20, 22)}
    for face in range(1, 11):
        joints[face] = (200 + (face % 2) * 10 - 5, 100)
    for foot in range(29, 33):
        joints[foot] = (230 if foot % 2 else 170, 720)
    landmarks = [(*joints[i], 1.0) for i in range(33)]
    return PersonAnalysis(width=400, height=800, landmarks=landmarks, person_mask=np.ones((800, 400), bool))


def test_drawn_figure_top_region_spares_head_and_hands_and_ends_near_the_hips():
    figure = standing_figure()
    upper = region_mask(figure, "upper")
    assert at(upper, (200, 300)) and at(upper, (300, 200))  # chest, upper arm
    assert not at(upper, (200, 100)) and not at(upper, (395, 200))  # face, fingers
    assert not upper[480:].any()


def test_drawn_figure_bottom_region_spans_waist_to_ankles():
    lower = region_mask(standing_figure(), "lower")
    rows = np.flatnonzero(lower.any(axis=1))
    assert 330 <= rows[0] <= 400 and 680 <= rows[-1] <= 720
    assert not lower[:300].any()


def test_drawn_arms_count_as_in_front_only_across_the_torso():
    assert not arms_front_mask(standing_figure()).any()
    front = arms_front_mask(standing_figure(arms_across=True))
    assert at(front, (200, 352))
    assert not region_mask(standing_figure(arms_across=True), "lower")[345:360, 190:210].any()


def test_usable_for_reads_the_visibility_of_the_joints():
    figure = standing_figure()
    assert usable_for(figure, "full") is None
    figure.landmarks[KNEES[0]] = (*figure.landmarks[KNEES[0]][:2], 0.0)
    assert usable_for(figure, "lower") == "Your knees need to be visible to try on a bottom."
    assert usable_for(figure, "upper") is None
