"""Bottoms and dresses on a drawn figure (a white shirt, grey trousers, dark shoes, arms held out):
what the new garment leaves of the old bottom is painted as legs and background, never left as the
old garment, and what is not the old bottom (bare legs, boots) stays as photographed."""

import cv2
import numpy as np
from PIL import Image

from tests.tryon.engines.test_warp_engine import BACKGROUND, SKIN
from tests.tryon.engines.test_warp_parts import _drawn
from tryon.engines.base import GarmentInput, PersonAnalysis
from tryon.engines.body import leg_limbs
from tryon.engines.compositing import _below_hem, _broad_light, _hem_shadow
from tryon.engines.warp import WarpEngine, garment_fit

WIDTH, HEIGHT = 300, 400
SHIRT, TROUSERS, SHOES = (235, 235, 230), (70, 70, 80), (40, 25, 20)
GRAIN = 6.0  # the drawn skin's grain: the standard deviation of the noise on its lightness
# Landmarks of a person facing the camera (their left on the image's right), arms held out from the body.
JOINTS = {0: (150, 55), 2: (143, 48), 5: (157, 48), 9: (145, 64), 10: (155, 64),
          11: (190, 100), 12: (110, 100), 13: (228, 150), 14: (72, 150), 15: (250, 200), 16: (50, 200),
          17: (255, 212), 19: (255, 212), 21: (255, 212), 18: (45, 212), 20: (45, 212), 22: (45, 212),
          23: (175, 220), 24: (125, 220), 25: (172, 300), 26: (128, 300), 27: (170, 380), 28: (130, 380)}
LEGS = (((150 + 25 // 2, 240), (172, 300), (170, 380)), ((150 - 25 // 2, 240), (128, 300), (130, 380)))
SHIN = slice(330, 370)  # rows on both shins, below any of the drawn garments' hems and above the shoes
# Drawn garments (240 x 200 px photos), short enough to bare the shins: a mini skirt, shorts, a short dress.
SHORT = {"skirt": ([(70, 40), (130, 40), (150, 95), (50, 95)], "lower"),
         "shorts": ([(65, 30), (135, 30), (142, 100), (104, 100), (100, 70), (96, 100), (58, 100)], "lower"),
         "dress": ([(55, 20), (80, 20), (100, 35), (120, 20), (145, 20), (150, 70), (160, 130), (40, 130), (50, 70)],
                   "full")}


def _garment(name: str) -> GarmentInput:
    points, region = SHORT[name]
    return _drawn(points, region=region)


def _figure(*, waist: int = 200, bottom=TROUSERS, bare_below: int | None = None) -> tuple[np.ndarray, PersonAnalysis]:
    """The photo and its analysis: trousers (or a skirt of `bottom`'s colour ending at `bare_below`,
    bare legs below it) from `waist` down, a shirt above, shoes (boots reaching up to row 350 when
    the legs are bare)."""
    image = np.full((HEIGHT, WIDTH, 3), BACKGROUND, np.uint8)
    cv2.circle(image, (150, 55), 28, SKIN, -1)
    cv2.rectangle(image, (140, 75), (160, 100), SKIN, -1)
    for hip, knee, ankle in LEGS:
        leg = np.array([hip, knee, ankle], np.int32)
        cv2.polylines(image, [leg], False, SKIN if bare_below else bottom, 36)
        cv2.rectangle(image, (ankle[0] - 16, 350 if bare_below else 378), (ankle[0] + 16, 396), SHOES, -1)
    cv2.fillPoly(image, [np.array([(112, waist), (188, waist), (194, bare_below or 250), (106, bare_below or 250)],
                                  np.int32)], bottom)
    cv2.fillPoly(image, [np.array([(100, 92), (200, 92), (190, waist), (110, waist)], np.int32)], SHIRT)
    for shoulder, elbow, wrist in (((190, 100), (228, 150), (250, 200)), ((110, 100), (72, 150), (50, 200))):
        cv2.polylines(image, [np.array([shoulder, elbow, wrist], np.int32)], False, SHIRT, 20)
        cv2.circle(image, (wrist[0] + (5 if wrist[0] > 150 else -5), 210), 10, SKIN, -1)
    skin = np.all(image == SKIN, axis=2)
    noise = np.random.default_rng(5).normal(0, GRAIN, image.shape[:2])
    noisy = image.astype(float) + (noise * skin)[..., None]
    image = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    person = np.any(np.abs(image.astype(int) - BACKGROUND).max(axis=2, keepdims=True) > 0, axis=2)
    landmarks = [(*map(float, JOINTS.get(index, (150, 50))), 1.0) for index in range(33)]
    return image, PersonAnalysis(width=WIDTH, height=HEIGHT, landmarks=landmarks, person_mask=person)


def _rendered(image: np.ndarray, analysis: PersonAnalysis, shape: str) -> np.ndarray:
    return np.asarray(WarpEngine().render(person=Image.fromarray(image), analysis=analysis, garment=_garment(shape),
                                          report=lambda *args: None, options={}))


def _near(pixels: np.ndarray, colour, tolerance: float) -> np.ndarray:
    return np.abs(pixels.astype(int) - np.array(colour)).max(axis=-1) < tolerance


def test_trousers_below_a_dress_hem_turn_to_two_legs_with_background_beside_them():
    image, analysis = _figure()
    result = _rendered(image, analysis, "dress")
    old = _near(image, TROUSERS, 8)
    assert old[SHIN].sum() > 1000  # the old trousers were there
    assert not _near(result[SHIN], TROUSERS, 20).any()  # and none of them is left
    for (_, _, ankle) in LEGS:  # each leg: skin in the middle, narrower than the trouser leg, background beside
        columns = slice(ankle[0] - 18, ankle[0] + 19)
        skin = _near(result[SHIN, columns], SKIN, 45)
        behind = _near(result[SHIN, columns], BACKGROUND, 25)
        assert skin[:, 14:23].mean() > 0.9
        assert (skin.sum(axis=1) < 0.85 * old[SHIN, columns].sum(axis=1)).all()
        assert behind.sum() > 0.15 * old[SHIN, columns].sum()


def test_a_painted_leg_has_the_skin_grain_and_a_shadow_under_the_hem():
    image, analysis = _figure()
    result = _rendered(image, analysis, "skirt")
    fit = garment_fit(photo=image, analysis=analysis, garment=_garment("skirt"))
    hem = int(np.flatnonzero((fit.garment_alpha > 0.5)[:, 165:176].any(axis=1)).max())
    lightness = cv2.cvtColor(result, cv2.COLOR_RGB2LAB)[..., 0].astype(float)
    column = slice(166, 175)  # the middle of the image-right leg
    assert lightness[hem + 3:hem + 7, column].mean() < lightness[SHIN, column].mean() - 8  # shaded under the hem
    fine = lightness - cv2.GaussianBlur(lightness, (0, 0), 1.0)
    assert fine[SHIN, column].std() > 1.5  # grained as the person's skin, not a flat fill


def test_leg_limbs_swell_at_the_calf_narrow_to_the_ankle_and_follow_each_leg_own_knee():
    _, analysis = _figure()
    bent = list(analysis.landmarks)
    bent[25] = (190.0, 300.0, 1.0)  # the person's left knee turned out
    analysis.landmarks, analysis.person_mask = bent, np.ones((HEIGHT, WIDTH), bool)
    cover = leg_limbs(analysis).cover > 0.5
    right = cover[:, :150]  # the straight leg, on the image's left
    calf, ankle, knee = (int(right[row].sum()) for row in (328, 376, 300))
    assert calf > ankle + 6 and calf > knee
    assert cover[300, 186:195].all() and not cover[300, 160:166].any()  # the bent leg runs through its own knee


def test_a_leg_is_centred_in_a_slim_trouser_leg_the_pose_puts_off_centre_and_fits_inside_it():
    _, analysis = _figure()
    person = np.zeros((HEIGHT, WIDTH), bool)
    for centre in (120, 180):  # slim trouser legs, 20 px wide, 8 px beside the knees and ankles of the pose
        person[230:390, centre - 10:centre + 10] = True
    analysis.person_mask = person
    cover = leg_limbs(analysis).cover > 0.5
    for row in (300, 340):
        columns = np.flatnonzero(cover[row, 150:]) + 150
        assert abs(columns.mean() - 180) <= 1.5
        assert len(columns) < 20  # narrower than the trouser leg: not cut by its outline


def test_bare_legs_and_boots_below_a_short_old_skirt_stay_as_photographed():
    image, analysis = _figure(bottom=(60, 90, 160), bare_below=270)
    result = _rendered(image, analysis, "skirt")
    boots = _near(image, SHOES, 3)
    boots[:352] = False
    assert boots.sum() > 500
    assert (np.abs(result[boots].astype(int) - image[boots]).max(axis=1) <= 2).mean() > 0.97
    legs = _near(image, SKIN, 40)
    legs[:320], legs[348:] = False, False  # the shins, below the new skirt and its shadow
    assert (np.abs(result[legs].astype(int) - image[legs]).max(axis=1) <= 2).mean() > 0.97


def test_a_new_bottom_reaches_up_to_a_high_old_waistband():
    image, analysis = _figure(waist=182)  # the trousers reach well above where the region would start (196)
    waistband = _near(image, TROUSERS, 8)
    waistband[:182], waistband[196:] = False, False
    assert waistband.sum() > 800
    for shape in ("skirt", "shorts"):
        result = _rendered(image, analysis, shape)
        assert _near(result[waistband], TROUSERS, 20).mean() < 0.03  # the old waistband does not show
        fit = garment_fit(photo=image, analysis=analysis, garment=_garment(shape))
        assert (fit.garment_alpha[186:196, 130:170] > 0.5).mean() > 0.9  # the new one sits where it was


def test_a_painted_leg_keeps_the_old_leg_light_not_its_colour_and_darkens_under_a_hem():
    where = np.ones((120, 40), bool)
    for colour in ((30, 30, 40), (180, 40, 40)):  # dark and red trousers, lit from above alike
        trousers = np.empty((120, 40, 3), np.uint8)
        trousers[:] = colour
        trousers[60:] = (np.array(colour) * 0.6).astype(np.uint8)
        light = _broad_light(trousers, where)
        assert light[10:30].mean() > 1.02 and light[90:110].mean() < 0.98
        assert 0.97 < light.mean() < 1.03  # the trousers' own lightness is divided out
    alpha = np.zeros((60, 20), np.float32)
    alpha[:20] = 1
    shadow = _hem_shadow(alpha, 4)
    assert shadow[22:26].mean() < 0.9 and shadow[50:].min() > 0.99 and shadow[:18].min() > 0.999


def test_a_leg_shows_below_a_hem_but_never_beside_a_slimmer_new_trouser_leg():
    leg = np.zeros((100, 60), bool)
    leg[:, 10:30] = leg[:, 35:55] = True  # two legs, 20 px wide
    covered = np.zeros_like(leg)
    covered[:40, 5:58] = True  # a skirt down to row 40
    covered[40:, 14:26] = True  # and one slim trouser leg over the image-left leg below it
    shown = _below_hem(leg, covered)
    assert not shown[:40].any()  # under the skirt
    assert not shown[40:, 10:30].any()  # the slivers beside the slim trouser leg are not leg
    assert shown[40:, 35:55].all()  # the other leg, bare below the skirt, is
