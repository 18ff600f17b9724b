"""The warp engine's parts on the drawn figure of test_warp_engine.py: fit inside the silhouette,
sleeves at the garment's own length, the old garment repainted, the head in front, light matched,
and an outfit's top laid over its new bottom's waistband. Each test fails when its part is removed."""

import cv2
import numpy as np
from PIL import Image

from tests.tryon.engines.test_warp_engine import (FEATHER, JOINTS, SHIRT, SKIN, _analysis, _figure, _garment,
                                                  _grown, _red)
from tryon.engines.base import GarmentInput
from tryon.engines.body import garment_silhouette, region_mask
from tryon.engines.compositing import _white_matched
from tryon.engines.keypoints import garment_keypoints
from tryon.engines.warp import WarpEngine, garment_fit

GREEN = (40, 170, 60)
SHAPES_TOP = [(60, 40), (90, 40), (100, 50), (110, 40), (140, 40), (185, 85), (165, 105), (140, 85), (140, 200),
              (60, 200), (60, 85), (35, 105), (15, 85)]  # a T-shirt reaching the hips
# A top with wide, long sleeves and a tall hood: it would land on the background and over the face.
HOODED = [(70, 5), (130, 5), (140, 40), (190, 60), (199, 200), (165, 200), (145, 90), (145, 235), (55, 235), (55, 90),
          (35, 200), (1, 200), (10, 60), (60, 40)]


def _drawn(points, colour=(215, 30, 35), region="upper", size=(200, 240)) -> GarmentInput:
    image = np.full((size[1], size[0], 3), 245, np.uint8)
    drawn = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(drawn, [np.array(points, np.int32)], 1)
    image[drawn > 0] = colour
    return GarmentInput(image=Image.fromarray(image), mask=drawn > 0, region=region,
                        keypoints=garment_keypoints(drawn > 0, region))


def _render(image: np.ndarray, analysis, garment: GarmentInput) -> np.ndarray:
    return np.asarray(WarpEngine().render(person=Image.fromarray(image), analysis=analysis, garment=garment,
                                          report=lambda *args: None, options={}))


def _scene():
    image, masks = _figure()
    return image, masks, _analysis(masks)


def test_a_top_never_lands_outside_the_person_nor_on_the_head():
    image, masks, analysis = _scene()
    fit = garment_fit(photo=image, analysis=analysis, garment=_drawn(HOODED))
    assert (fit.garment_alpha > 0.5).sum() > 3000
    assert not (fit.garment_alpha > 0)[~masks["person"]].any()
    result = _render(image, analysis, _drawn(HOODED))
    assert not _red(result)[~_grown(masks["person"], 1)].any()
    face = np.zeros(masks["person"].shape, np.uint8)
    cv2.circle(face, JOINTS[0], 26, 1, -1)  # the drawn head is a disc of radius 28 around the nose
    assert not _red(result)[face > 0].any()


def test_a_skirt_flares_between_the_legs_but_trousers_do_not():
    image, masks, analysis = _scene()
    between = np.zeros(masks["person"].shape, bool)
    between[305:335, 148:153] = True  # between the knees, background in the photo
    assert not masks["person"][between].any()
    skirt, trousers = garment_silhouette(analysis, flare=True), garment_silhouette(analysis, flare=False)
    assert skirt[between].all() and not trousers[between].any()
    above = slice(0, int(JOINTS[23][1]) - 2)  # no flare above the hips
    assert not skirt[above][~masks["person"][above]].any()
    fit = garment_fit(photo=image, analysis=analysis, garment=_garment("skirt"))
    assert (fit.garment_alpha[between] > 0.5).mean() > 0.5


def test_sleeves_follow_the_arm_at_the_garment_own_length():
    image, masks, analysis = _scene()
    short = garment_fit(photo=image, analysis=analysis, garment=_garment()).garment_alpha > 0.5
    long_ = garment_fit(photo=image, analysis=analysis, garment=_drawn(HOODED)).garment_alpha > 0.5
    upper_arm, forearm = (201, 130), (214, 190)  # on the straight arm (image right), shoulder 190,100 to wrist
    assert short[upper_arm[1] - 3:upper_arm[1] + 4, upper_arm[0] - 3:upper_arm[0] + 4].any()
    assert not short[forearm[1] - 5:forearm[1] + 6, forearm[0] - 5:forearm[0] + 6].any()
    assert long_[forearm[1] - 3:forearm[1] + 4, forearm[0] - 3:forearm[0] + 4].all()
    bent = (100, 150)  # the other arm hangs out and bends at the elbow (92, 158): its sleeve follows
    assert short[bent[1] - 2:bent[1] + 3, bent[0] - 2:bent[0] + 3].all()


def test_a_forearm_the_old_long_sleeve_covered_is_repainted_as_skin():
    image, masks, analysis = _scene()
    result = _render(image, analysis, _garment())
    forearm = np.zeros(masks["person"].shape, np.uint8)
    cv2.line(forearm, (214, 180), (217, 205), 1, 5)  # inside the old long sleeve, below the new short one
    forearm = forearm.astype(bool)
    assert (np.abs(image[forearm].astype(int) - SHIRT).max(axis=1) < 5).all()  # the old sleeve is there
    distance = np.abs(result[forearm].astype(int) - SKIN).max(axis=1)
    assert np.median(distance) < 30


def test_old_garment_outside_the_person_turns_to_background():
    image, masks, analysis = _scene()
    # The person mask misses the shirt's flap on the image's left: it is background to the engine.
    flap = np.zeros(masks["person"].shape, bool)
    flap[180:240, 108:113] = True
    analysis.person_mask = masks["person"] & ~flap
    narrow = _drawn([(70, 40), (130, 40), (130, 150), (70, 150)])  # a slim sleeveless top
    result = _render(image, analysis, narrow)
    background = np.array((200, 220, 200))
    assert (np.abs(result[flap].astype(int) - background).max(axis=1) < 25).mean() > 0.8


def test_the_garment_white_follows_the_photo_white():
    dim = np.full((40, 40, 3), (200, 190, 170), np.uint8)
    white = np.full((10, 10, 3), 255, np.uint8)
    matched = _white_matched(white, dim)
    assert tuple(matched[0, 0]) == (200, 190, 170)
    assert np.array_equal(_white_matched(white, np.full((4, 4, 3), 255, np.uint8)), white)


def test_an_outfit_top_lies_over_the_new_bottoms_waistband():
    image, masks, analysis = _scene()
    bottom = _drawn([(60, 20), (140, 20), (150, 230), (110, 230), (100, 90), (90, 230), (50, 230)], GREEN, "lower")
    dressed = _render(image, analysis, bottom)
    top = _drawn([(60, 40), (140, 40), (125, 150), (75, 150)])
    over_top = GarmentInput(**{**top.__dict__, "over_bottom": True})
    over_fit = garment_fit(photo=dressed, analysis=analysis, garment=over_top)
    lower = region_mask(analysis, "lower")
    # What the top replaces stops at the new bottom; a lone top replaces the old one's waist too.
    assert not (over_fit.region & lower).any()
    assert (garment_fit(photo=dressed, analysis=analysis, garment=top).region & lower).sum() > 200
    over = _render(dressed, analysis, over_top)
    hem = _red(over) & lower
    assert hem.sum() > 200  # the top's hem lies over the waistband
    kept = lower & ~_grown(over_fit.garment_alpha > 0, FEATHER + 1)
    assert kept.sum() > 1000 and np.array_equal(over[kept], dressed[kept])


def test_a_white_print_the_cut_out_lost_is_stretched_over_the_torso_with_the_rest():
    image, masks, analysis = _scene()
    top = _drawn(SHAPES_TOP)
    photo, mask = np.asarray(top.image).copy(), top.mask.copy()
    photo[90:130, 80:120], mask[90:130, 80:120] = 255, False  # a white print read as backdrop: a hole
    holed = GarmentInput(image=Image.fromarray(photo), mask=mask, region="upper", keypoints=top.keypoints)
    result = _render(image, analysis, holed)
    chest = result[150:165, 140:160].reshape(-1, 3).astype(int)  # where the print lands on the torso
    assert (chest.min(axis=1) > 180).mean() > 0.8  # white, as the photo's own white (its light is greenish)


def test_a_trouser_leg_the_cut_out_broke_is_whole_on_the_leg():
    image, masks, analysis = _scene()
    trousers = _drawn([(60, 20), (140, 20), (150, 230), (110, 230), (100, 90), (90, 230), (50, 230)], GREEN, "lower")
    mask = trousers.mask.copy()
    mask[150:160, :100] = False  # a light stripe across the left leg, lost by the cut-out
    broken = GarmentInput(image=trousers.image, mask=mask, region="lower", keypoints=trousers.keypoints)
    fit = garment_fit(photo=image, analysis=analysis, garment=broken)
    leg = np.zeros(masks["person"].shape, np.uint8)
    cv2.line(leg, (150 + (128 - 150) // 2, 220), (128, 300), 1, 20)
    cv2.line(leg, (128, 300), (130, 370), 1, 20)
    assert (fit.garment_alpha[leg > 0] > 0.5).mean() > 0.97


def test_the_garment_body_is_stretched_over_the_torso_with_its_neckline_open():
    image, masks, analysis = _scene()
    # A T-shirt with a deep V neck: the body is stretched over the torso, the V stays open.
    vneck = _drawn([(60, 40), (85, 40), (100, 90), (115, 40), (140, 40), (185, 85), (165, 105), (140, 85), (140, 200),
                    (60, 200), (60, 85), (35, 105), (15, 85)])
    fit = garment_fit(photo=image, analysis=analysis, garment=vneck)
    covered = fit.garment_alpha > 0.5
    assert not covered[100:108, 147:154].any()  # the V's point lies about a fifth of the torso below the neck
    assert covered[150:200, 125:175].mean() > 0.95  # and the rest of the torso is garment


def test_a_top_replaces_the_old_cuff_over_the_wrist_but_not_the_hand():
    _, masks, analysis = _scene()
    upper, lower = region_mask(analysis, "upper"), region_mask(analysis, "lower")
    wrist, knuckles = np.array(JOINTS[15]), np.array(JOINTS[17])
    cuff = tuple((wrist + 0.4 * (knuckles - wrist)).round().astype(int))  # just past the wrist
    fingers = tuple((wrist + 1.5 * (knuckles - wrist)).round().astype(int))
    assert masks["person"][cuff[1], cuff[0]] and masks["person"][fingers[1], fingers[0]]
    assert upper[cuff[1], cuff[0]] and not upper[fingers[1], fingers[0]]
    assert not lower[cuff[1], cuff[0]]
