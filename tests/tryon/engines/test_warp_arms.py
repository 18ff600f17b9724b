"""The arms under a replaced top, on the drawn figure of test_warp_engine (a blue long shirt whose
straight sleeve, on the image's right, runs down to the wrist; a red T-shirt with short sleeves
replaces it): the forearm the old sleeve covered is painted back as an arm, not as a sleeve-wide
smear of skin."""

import cv2
import numpy as np
from PIL import Image

from tests.tryon.engines.test_warp_engine import (BACKGROUND, JOINTS, SHIRT, SKIN, _analysis, _figure, _garment,
                                                  _grown)
from tryon.engines.base import GarmentInput
from tryon.engines.body import FOREARM_WIDTHS, arm_ends, arm_limbs, region_mask
from tryon.engines.compositing import _painted_out, _sleeve_light
from tryon.engines.keypoints import garment_keypoints
from tryon.engines.skin import bare_pieces, bare_skin, sleeve_ends
from tryon.engines.warp import WarpEngine

GRAIN = 6.0  # the drawn skin's grain: the standard deviation of the noise added to its lightness
ROWS = slice(180, 206)  # the straight forearm, below the new short sleeve and above the wrist (218, 218)


def _textured_figure() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The drawn figure with grain on its skin, as a photo's skin has."""
    image, masks = _figure()
    skin = np.all(image == SKIN, axis=2)
    noise = np.random.default_rng(3).normal(0, GRAIN, image.shape[:2])
    image = image.astype(float)
    image[skin] += noise[skin][:, None]
    return np.clip(np.rint(image), 0, 255).astype(np.uint8), masks


def _rendered(image: np.ndarray, masks) -> np.ndarray:
    return np.asarray(WarpEngine().render(person=Image.fromarray(image), analysis=_analysis(masks),
                                          garment=_garment(), report=lambda *args: None, options={}))


def _near(pixels: np.ndarray, colour, tolerance: float) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.array(colour)).max(axis=-1) < tolerance


def _sleeve(image: np.ndarray) -> np.ndarray:
    """The old straight sleeve's pixels in ROWS (image right half)."""
    sleeve = np.zeros(image.shape[:2], bool)
    sleeve[ROWS, 190:] = _near(image[ROWS, 190:], SHIRT, 5)
    return sleeve


def test_a_repainted_forearm_is_narrower_than_the_old_sleeve_with_background_beside_it():
    image, masks = _textured_figure()
    sleeve = _sleeve(image)
    result = _rendered(image, masks)
    skin = sleeve & _near(result, SKIN, 40)
    behind = sleeve & _near(result, BACKGROUND, 25)
    assert (skin[ROWS].sum(axis=1) < 0.85 * sleeve[ROWS].sum(axis=1)).all()  # every row of arm is narrower
    assert skin.sum() > 0.4 * sleeve.sum()  # yet there is an arm
    assert behind.sum() > 0.15 * sleeve.sum()  # and beside it, what was behind the sleeve


def test_a_repainted_forearm_has_the_grain_of_the_person_skin_and_a_limb_shading():
    image, masks = _textured_figure()
    sleeve = _sleeve(image)
    result = _rendered(image, masks)
    lightness = _lightness(result)
    arm = cv2.erode((sleeve & _near(result, SKIN, 40)).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    fine = lightness - cv2.GaussianBlur(lightness, (0, 0), 1.0)
    assert fine[arm].std() > 1.0  # not a flat fill
    centre, edges = [], []  # each row's middle third against its outer pixels
    for row in range(ROWS.start, ROWS.stop):
        columns = np.flatnonzero(arm[row])
        if len(columns) >= 6:
            third = len(columns) // 3
            centre.append(lightness[row, columns[third:-third]].mean())
            edges.append(lightness[row, np.r_[columns[:2], columns[-2:]]].mean())
    assert len(centre) > 10 and np.mean(centre) > np.mean(edges) + 3  # rounded: darker at its sides


def test_arm_limbs_taper_from_elbow_to_wrist_and_skip_an_arm_whose_elbow_is_hidden():
    _, masks = _figure()
    analysis = _analysis(masks)
    limbs = arm_limbs(analysis)
    torso = JOINTS[23][1] - JOINTS[11][1]  # the drawn figure stands upright: shoulders to hips
    near_elbow, near_wrist = limbs.cover[165, 190:240] > 0.5, limbs.cover[210, 190:240] > 0.5
    assert abs(near_elbow.sum() - 2 * FOREARM_WIDTHS[0][1] * torso) <= 3
    assert near_wrist.sum() < near_elbow.sum() - 2
    assert np.all(np.abs(limbs.across) <= 1)
    hidden = _analysis(masks)
    hidden.landmarks[13] = (*hidden.landmarks[13][:2], 0.1)  # the left elbow, on the image's right
    assert not (arm_limbs(hidden).cover[150:215, 195:240] > 0).any()


def test_old_sleeve_beside_the_arm_is_painted_from_what_is_behind_the_person():
    photo = np.full((80, 120, 3), BACKGROUND, np.uint8)
    person = np.zeros((80, 120), bool)
    person[:, 40:] = True
    photo[person] = (90, 60, 40)  # a brown coat in the person, on the hole's other side
    hole = np.zeros((80, 120), bool)
    hole[:, 40:70] = True  # the old sleeve, inside the person
    photo[hole] = SHIRT
    nothing = np.zeros_like(hole)
    beside = _painted_out(photo, hole, nothing, nothing, person, hole, radius=2)
    assert _near(beside[10:70, 45:65], BACKGROUND, 20).all()
    around = _painted_out(photo, hole, nothing, nothing, person, nothing, radius=2)
    assert not _near(around[10:70, 60:65], BACKGROUND, 20).any()  # without it, the coat spreads in


def test_a_skin_coloured_textured_jacket_is_not_skin_but_the_face_colour_is():
    image, masks = _figure()
    jacket, skin = np.all(image == SHIRT, axis=2), np.all(image == SKIN, axis=2)
    photo = image.astype(float)
    photo[jacket] = (224, 182, 142)  # beige: as light and as red as the skin, but yellower (CIELab hue 76 to 58)
    textured = jacket | skin
    photo[textured] += np.random.default_rng(5).normal(0, 5, (int(textured.sum()), 3))
    photo = np.clip(np.rint(photo), 0, 255).astype(np.uint8)
    found = bare_skin(photo, _analysis(masks))
    assert found[jacket].mean() < 0.2
    assert found[skin].mean() > 0.7


def test_a_bare_arm_whose_highlight_fails_the_colour_test_stays_as_photographed():
    image, masks = _textured_figure()
    sleeve = np.all(image == SHIRT, axis=2)
    arm = np.zeros(sleeve.shape, bool)
    arm[:, 196:] = sleeve[:, 196:]  # the straight arm on the image's right (the shirt reaches x 192) is bare
    photo = image.copy()
    photo[arm] = SKIN
    lit = arm & (np.arange(photo.shape[1]) >= 216)[None, :]  # its outer side in a highlight: nearly white
    photo[lit] = (250, 242, 236)
    narrow = GarmentInput(image=Image.fromarray(np.full((240, 200, 3), (215, 30, 35), np.uint8)),
                          mask=_box_mask(), region="upper", keypoints=garment_keypoints(_box_mask(), "upper"))
    result = np.asarray(WarpEngine().render(person=Image.fromarray(photo), analysis=_analysis(masks), garment=narrow,
                                            report=lambda *args: None, options={}))
    forearm = arm.copy()
    forearm[:165] = False  # below the shoulder, where a sleeveless top does not reach
    assert lit[forearm].any()
    assert np.array_equal(result[forearm], photo[forearm])


def _box_mask() -> np.ndarray:
    """A slim sleeveless top's mask on a 200 x 240 photo."""
    mask = np.zeros((240, 200), bool)
    mask[40:150, 70:130] = True
    return mask


def test_an_arm_is_bare_from_its_mostly_skin_pieces_on_along_the_arm_but_never_from_weak_ones_alone():
    assert bare_pieces([0.05, 0.7, 0.8, 0.25]) == [False, True, True, True]  # a short sleeve, then a bare arm
    assert bare_pieces([0.3, 0.25, 0.3, 0.3]) == [False] * 4  # a skin-coloured sleeve's stray matches
    assert bare_pieces([0.25, 0.3, 0.5, 0.1]) == [True, True, True, False]  # a hand's cuff stays cloth


def test_an_old_cuff_the_person_mask_misses_is_replaced_along_the_forearm():
    image, masks = _textured_figure()
    cuff = np.zeros(masks["person"].shape, bool)
    cuff[192:214] = _near(image[192:214], SHIRT, 5)  # the long sleeve's last 20 px above the hand
    cuff[:, :196] = False  # on the straight arm only
    assert cuff.sum() > 200
    masks = {**masks, "person": masks["person"] & ~cuff}  # the mask misses it, as it misses white on white
    result = _rendered(image, masks)
    assert not _near(result[cuff], SHIRT, 60).any()  # gone: the arm and what is behind it show
    assert _near(result[cuff], SKIN, 40).mean() > 0.3  # and the forearm runs on down to the hand


def test_a_short_sleeve_hem_below_the_middle_of_the_upper_arm_is_not_taken_for_bare_arm():
    image, masks = _textured_figure()
    sleeve = np.all(image == SHIRT, axis=2)
    arm = np.zeros(sleeve.shape, bool)
    arm[:, 196:] = sleeve[:, 196:]  # the straight arm on the image's right
    photo = image.copy()
    photo[arm] = SKIN  # bare below a short white sleeve whose hem lies past the upper arm's middle (y 130)
    hem = arm & (np.arange(photo.shape[0]) < 138)[:, None]
    photo[hem] = (245, 245, 245)
    hem[:130] = False
    found = bare_skin(photo, _analysis(masks))
    forearm = arm & (np.arange(photo.shape[0]) >= 165)[:, None]
    assert found[forearm].mean() > 0.9  # the arm below is bare, all of it
    assert found[hem].mean() < 0.1  # its sleeve's hem is not


def test_trousers_of_the_old_sleeve_colour_beside_the_hand_are_not_taken_for_its_end():
    image, masks = _textured_figure()
    analysis = _analysis(masks)
    for hip in (23, 24):  # hips raised to y 190: the forearm across the body (y 158-180) lies by the waist
        analysis.landmarks[hip] = (analysis.landmarks[hip][0], 190.0, 1.0)
    # A suit: the trousers' waist has the shirt's colour.
    waist = region_mask(analysis, "lower") & masks["person"] & _near(image, SHIRT, 5)
    region = region_mask(analysis, "upper") & ~waist  # a top's region that stops at the waistband
    zone = np.any([bone for bones in arm_ends(analysis) for bone in bones[:2]], axis=0)
    assert (waist & zone).sum() > 50  # where a sleeve's end is looked for
    ends = sleeve_ends(image, analysis, region, bare_skin(image, analysis))
    assert not ends[waist].any()


def test_a_puffed_shoulder_past_the_region_is_taken_but_a_backdrop_of_its_colour_is_not():
    image, masks = _textured_figure()
    person = masks["person"].copy()
    puff = np.zeros(person.shape, np.uint8)
    cv2.circle(puff, (212, 118), 16, 1, -1)  # the straight arm's sleeve puffs out at the shoulder
    backdrop = np.zeros(person.shape, bool)
    backdrop[105:135, 70:88] = True  # and beside the other upper arm, a patch of backdrop in the shirt's colour
    backdrop &= ~person
    photo = image.copy()
    photo[(puff > 0) | backdrop] = SHIRT
    person |= puff > 0
    analysis = _analysis({**masks, "person": person})
    region = region_mask(analysis, "upper")
    zone = np.any([bone for bones in arm_ends(analysis) for bone in bones[:2]], axis=0)
    missed = (puff > 0) & zone & ~region
    assert missed.sum() > 20
    ends = sleeve_ends(photo, analysis, region, bare_skin(photo, analysis))
    assert ends[missed].mean() > 0.8
    assert (backdrop & zone & ~region).sum() > 20 and not ends[backdrop].any()


def test_a_bare_forearm_has_no_sleeve_end_to_take():
    image, masks = _textured_figure()
    photo = image.copy()
    forearm = np.zeros(masks["person"].shape, bool)
    forearm[165:, 196:] = _near(image[165:, 196:], SHIRT, 5)
    photo[forearm] = SKIN  # the straight arm's sleeve is rolled up above the elbow
    rim = forearm & ~cv2.erode(forearm.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    photo[rim] = BACKGROUND  # its outline blends into the backdrop, as a soft edge does
    analysis = _analysis(masks)
    ends = sleeve_ends(photo, analysis, region_mask(analysis, "upper"), bare_skin(photo, analysis))
    assert not ends[165:, 190:].any()


def test_backdrop_of_the_sleeve_colour_past_a_sleeve_width_from_the_forearm_is_not_taken():
    image, masks = _textured_figure()
    photo = image.copy()
    patch = np.zeros(masks["person"].shape, bool)
    patch[180:200, 226:245] = True  # off the person, right beside the straight forearm (bone near x 216)
    patch &= ~masks["person"]
    photo[patch] = SHIRT
    analysis = _analysis(masks)
    region = region_mask(analysis, "upper")
    _, forearm, sleeve_band = arm_ends(analysis)[0]  # the person's left arm: the straight one on the image's right
    far = patch & forearm & ~sleeve_band & ~region
    assert far.sum() > 20  # where a sleeve's end is looked for, but wider than a sleeve
    ends = sleeve_ends(photo, analysis, region, bare_skin(photo, analysis))
    assert not ends[far].any()


def _sleeveless_render(photo: np.ndarray, masks) -> np.ndarray:
    narrow = GarmentInput(image=Image.fromarray(np.full((240, 200, 3), (215, 30, 35), np.uint8)),
                          mask=_box_mask(), region="upper", keypoints=garment_keypoints(_box_mask(), "upper"))
    return np.asarray(WarpEngine().render(person=Image.fromarray(photo), analysis=_analysis(masks), garment=narrow,
                                          report=lambda *args: None, options={}))


def _painted_skin(result: np.ndarray) -> np.ndarray:
    """Pixels of a skin colour, lit or shaded (not the pale green backdrop, as close to the skin)."""
    return _near(result, SKIN, 70) & ~_near(result, BACKGROUND, 20)


def _lightness(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2LAB)[..., 0].astype(float)


def test_a_repainted_arm_is_lit_along_its_length_as_its_old_sleeve_was():
    image, masks = _textured_figure()
    sleeve = np.all(image == SHIRT, axis=2) & (np.arange(image.shape[1]) >= 196)[None, :]  # the straight arm's
    upper_arm = sleeve & (np.arange(image.shape[0]) < 150)[:, None]
    lightness = {}
    for name, (top, bottom) in {"from above": (1.3, 0.7), "from below": (0.7, 1.3)}.items():
        photo = image.astype(float)
        light = np.linspace(top, bottom, photo.shape[0])[:, None].repeat(photo.shape[1], axis=1)
        photo[sleeve] *= light[sleeve][:, None]  # the old sleeve lit more at one end than the other
        result = _sleeveless_render(np.clip(photo, 0, 255).astype(np.uint8), masks)
        arm = upper_arm & _painted_skin(result)
        assert arm.sum() > 200
        lightness[name] = _lightness(result)[arm].mean()
    assert lightness["from above"] > lightness["from below"] + 6


def test_a_repainted_forearm_takes_the_colour_of_the_hand_it_runs_into():
    image, masks = _textured_figure()
    hand = np.zeros(image.shape[:2], np.uint8)
    cv2.circle(hand, (219, 222), 9, 1, -1)  # the hand below the straight arm's long sleeve
    hand = (hand > 0) & _near(image, SKIN, 30)
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(float)
    lab[..., 0][hand] *= 0.8  # a hand in the shade, darker than the face and neck the skin's look is read from
    photo = image.copy()
    photo[hand] = cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)[hand]
    result = _rendered(photo, masks)
    # The painted arm where it meets the hand: the old sleeve's pixels within 4 px of the hand.
    wrist = _near(image, SHIRT, 5) & _painted_skin(result) & (_grown(hand, 4) & ~hand)
    assert wrist.sum() > 20
    hand_lightness, face_lightness = _lightness(photo)[hand].mean(), _lightness(image)[hand].mean()
    painted = _lightness(result)[wrist].mean()
    assert abs(painted - hand_lightness) < 0.4 * abs(face_lightness - hand_lightness)


def _sleeve_analysis(half_width: int):
    """The drawn figure's landmarks with a person of a straight sleeve `half_width` px to each side of
    the straight arm's bones (shoulder, elbow, wrist) and a hand at its end."""
    _, masks = _figure()
    person = np.zeros_like(masks["person"], dtype=np.uint8)
    cv2.polylines(person, [np.array([JOINTS[11], JOINTS[13], JOINTS[15]], np.int32)], False, 1, 2 * half_width + 1)
    cv2.circle(person, JOINTS[17], 9, 1, -1)
    return _analysis({**masks, "person": person > 0})


def _width_across(cover: np.ndarray, start, end, share: float) -> int:
    """The width (px over half coverage) of `cover` across the bone from `start` to `end` at `share` of it."""
    start, end = np.array(start, float), np.array(end, float)
    point, along = start + share * (end - start), (end - start) / np.linalg.norm(end - start)
    normal = np.array([-along[1], along[0]])
    steps = np.arange(-40, 41)
    xs, ys = (np.rint(point[:, None] + normal[:, None] * steps).astype(int))
    return int((cover[ys, xs] > 0.5).sum())


def test_a_repainted_arm_narrows_at_the_elbow_and_widens_again_below_it_before_the_wrist():
    cover = arm_limbs(_sleeve_analysis(30)).cover  # a loose sleeve: the arm inside keeps its own shape
    shoulder, elbow, wrist = JOINTS[11], JOINTS[13], JOINTS[15]
    upper_arm, at_elbow = _width_across(cover, shoulder, elbow, 0.5), _width_across(cover, elbow, wrist, 0.0)
    forearm, at_wrist = _width_across(cover, elbow, wrist, 0.25), _width_across(cover, elbow, wrist, 1.0)
    assert upper_arm > at_elbow + 1 and forearm > at_elbow and at_wrist < forearm - 2


def test_a_repainted_arm_is_narrower_than_a_slim_old_sleeve():
    analysis = _sleeve_analysis(9)  # a slim sleeve, narrower than an upper arm drawn from the torso
    cover, sleeve = arm_limbs(analysis).cover, analysis.person_mask.astype(float)
    for share in (0.3, 0.5, 0.7):
        assert 0 < _width_across(cover, JOINTS[11], JOINTS[13], share) <= _width_across(sleeve, JOINTS[11], JOINTS[13],
                                                                                        share) - 2


def test_the_background_beside_a_repainted_arm_keeps_its_sharp_edges():
    photo = np.full((400, 600, 3), BACKGROUND, np.uint8)
    photo[:200] = (250, 250, 255)  # a bright sky over a darker backdrop: a sharp line behind the sleeve
    person = np.zeros((400, 600), bool)
    person[:, 300:] = True
    photo[person] = (90, 60, 40)
    hole = np.zeros_like(person)
    hole[:, 300:340] = True  # the old sleeve beside the arm, inside the person
    photo[hole] = SHIRT
    nothing = np.zeros_like(hole)
    beside = _painted_out(photo, hole, nothing, nothing, person, hole, radius=5)
    assert _near(beside[150:196, 305:335], (250, 250, 255), 12).all()  # sky right down to the line
    assert _near(beside[204:250, 305:335], BACKGROUND, 12).all()  # and the backdrop right below it


def test_dark_trousers_beside_a_forearm_are_no_shadow_on_the_arm():
    """A dress replaces shirt and trousers at once: the light along the arm is read off the white sleeve
    alone, so a forearm hanging by black trousers is lit as the sleeve above it was, not darkened."""
    photo = np.full((160, 80, 3), 235, np.uint8)
    photo[110:, :40] = 20  # black trousers, in the old garment's region beside the forearm's lower half
    sleeve = np.ones((160, 80), bool)
    light = _sleeve_light(photo, sleeve, girth=8.0)
    assert abs(float(light[120:, 40:].mean()) - 1.0) < 0.05
    assert abs(float(light[:60].mean()) - 1.0) < 0.05
