"""Putting a warped garment into the photo: paint out the old one, relight, feather, arms in front.

Everything happens inside the edited region (the area the garment replaces, united with where the
new garment lands, grown by the feather radius) and every other pixel is copied from the photo, so
a try-on never touches the face, the background or the other garment. The slow steps (inpainting,
the shading estimate) run on a copy whose long side is WORK_SIDE pixels: both only make smooth
fields, which upscale without visible loss and cost a sixteenth.

- Old garment: the replaced area (tryon.engines.body.region_mask: torso and whole arms for a top) is
  inpainted (Telea), so nothing of it shows where the new garment is smaller. Not all of it is
  garment: bare skin (the face's colour, tryon/engines/skin.py) is kept, and arms in front of
  the torso stay on top. An arm the old sleeve covered is painted back as an arm (body.arm_limbs:
  shaped as an arm, narrower than the sleeve) in the person's skin colour and grain (skin.SkinLook),
  turning into the colour of the hand it runs into, lit along its length as the old sleeve was and
  as a cylinder across, and shadowed where the new garment meets it; beside it, where the sleeve
  was, the background nearest the person runs on, sharp, and outside the person elsewhere the hole
  takes the background around the person. An old collar standing above the new neckline
  (skin.old_collar) goes too: the neck inside it is painted on from the neck or chin seen above it,
  darkened at most to the head's shadow (skin.Neck), and beside the neck it takes the background.
  Legs the old trousers covered are painted alike (body.leg_limbs: thigh, knee, calf and ankle
  from the pose), and keep the old trouser leg's broad light (its lightness at a broad scale over
  its mean: where it was lit, not its colour), with a soft shadow under the new hem. Where the
  hole lies on the body's core (a chest the new neckline bares) it is filled from the bare skin
  around, shaded like the old garment and darkened towards the person's outline; elsewhere
  (beside a slimmer new garment) from what surrounds it.
- Colour: the garment's white is mapped to the photo's own white (its 99th percentile per channel).
- Lighting: the old garment's Lab lightness at fold scale, divided by the same at a broad scale,
  is the photo's shading (folds, creases, shadow under the arms); it multiplies the new garment's
  lightness and leaves its colour alone. Prints and checks of the old garment are medianed away
  first; its broad colour blocks cancel out in the ratio, and two materials of very different
  lightness (a black camisole and a bare chest) are each read against themselves. Near-black cloth
  gives no shading: its ratio is noise.
- Feathering: a Gaussian of `radius` softens the garment's edge, after a slight erosion that
  drops the fringe of floor a catalog mask keeps; a thin contact shadow darkens the body just
  outside it.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from tryon.engines.base import Progress
from tryon.engines.body import Limbs
from tryon.engines.skin import Neck, SkinLook, grain_of

WORK_SIDE = 256
FEATHER = 0.005  # feather radius, share of the photo's long side
MARGIN = 24  # px of context kept around the edited region for the inpainting
INPAINT_RADIUS = 3  # px at WORK_SIDE
SHADE_MEDIAN = 21  # px at WORK_SIDE: a median this wide drops the old garment's print, stripes and checks
SHADE_SIGMAS = (0.012, 0.06)  # fold and broad blurs (shares of WORK_SIDE) whose ratio is the shading
SHADE_RANGE = (0.75, 1.1)  # a shadow darkens at most to 75 %; a highlight barely brightens
SHADE_STRENGTH = 0.6  # kept low: where two old garments meet, the ratio leaves a faint seam
SHADE_SUPPORT = 0.3  # weight of old-garment pixels below which the shading fades to none
# An old garment's material this dark (mean 8-bit Lab lightness) gives no shading: on near-black
# cloth the ratio of two tiny lightnesses is noise (a black camisole read as a shadow on a new
# yellow top made it look see-through), and the folds black cloth shows are faint anyway.
DARK_MATERIAL = 60.0
MATERIAL_RATIO = 0.5  # an old garment's darker colour group this much darker than its lighter is another material
WHITE_POINT = 99  # percentile of each channel of the photo taken as its white: the garment's white maps there
# Repainted skin darkens by up to this share at the person's outline, over this many feather radii.
ROUNDNESS = (0.18, 3.0)
CONTACT_SHADOW = (2.0, 0.3)  # contact shadow: reach (feather radii) and depth where the garment meets the body
AMBIENT = 0.6  # share of a repainted arm's light that reaches it from all around: its sides darken to about 2/3
GRAIN_BLUR = 0.7  # px: the blur of the noise that gives a repainted arm the grain of the photo's skin
GRAIN_SEED = 11  # the grain's noise is the same on every render: a try-on is deterministic
# The light along a repainted arm is the old sleeve's lightness blurred over this many arm half-widths
# (wider than a check or a fold, narrower than the arm's length), within this range of its mean.
ARM_LIGHT_BLUR, ARM_LIGHT_RANGE = 1.5, (0.7, 1.2)
BACKGROUND_BLUR = 2.5  # px: the background copied in behind a painted-out sleeve is blurred this much
CLOTH_SHADOW = (0.5, 0.3)  # reach (arm half-widths) and depth of the shadow a garment casts on a painted arm
TONE_FADE = 3.0  # arm half-widths over which the colour of the skin an arm runs into fades up the arm
HAND_CONTACT = 3  # px: bare skin this close to a repainted arm (a hand) gives the arm its colour where they meet
NECK_BAND = 0.25  # share of the neck's width: a painted neck's column continues this much of the skin above it
NECK_SMOOTH = 0.06  # share of the neck's width its columns' colours are smoothed over: its shading across stays
NECK_DARKEST = 0.75  # a painted neck's column continues no skin darker than this share of the median column's
NECK_LIT = 90  # percentile of the skin seen above a painted neck's lightness taken as its lit skin's
LEG_LIGHT = (0.9, 1.08)  # a painted leg's broad light, read off the old trouser leg, stays within these gains
# A hem's shadow on the leg below it, lit from above: its drop and blur (feather radii) and its depth.
HEM_SHADOW = (3.0, 0.3)


@dataclass
class Fit:
    """A garment warped onto a photo, and the masks that say how it goes in (all H x W)."""

    garment_rgb: np.ndarray  # uint8 RGB, the warped garment photo
    garment_alpha: np.ndarray  # float 0-1, its coverage, already kept inside `allowed`
    allowed: np.ndarray  # bool, where garment pixels may land (tryon.engines.body.garment_silhouette)
    region: np.ndarray  # bool, what the garment replaces (tryon.engines.body.region_mask)
    in_front: np.ndarray  # bool, arms and hands that stay over the garment
    bare: np.ndarray  # bool, bare skin: kept where the garment does not cover it
    body: np.ndarray  # bool, the body's core: old garment left uncovered there turns to skin
    person: np.ndarray  # bool, the person mask: uncovered old garment outside it turns to background
    limbs: Limbs  # the arms as limbs (body.arm_limbs): old sleeve left uncovered there turns to arm
    legs: Limbs | None  # the legs as limbs (body.leg_limbs): old trouser leg left uncovered there turns to leg
    # Bool: where uncovered old garment turns to what is behind the person: a sleeve beside the arm
    # (body.sleeve_zone), a trouser leg beside the leg below the crotch (body.leg_zone), an old
    # collar standing beside the neck (skin.old_collar).
    behind: np.ndarray
    neck: Neck  # the neck inside an old collar (skin.neck): the collar there turns to neck
    look: SkinLook | None  # the visible skin's look, which a repainted arm, leg or neck takes; None without visible skin


def feather_radius(shape: tuple[int, ...]) -> int:
    return max(2, round(FEATHER * max(shape[:2])))


def edited_region(fit: Fit) -> np.ndarray:
    """Bool H x W: every pixel a try-on may change (the replaced region and where the garment lands,
    grown by the feather radius); the rest of the photo is copied untouched."""
    radius = feather_radius(fit.region.shape)
    touched = (fit.region | (fit.garment_alpha > 0)).astype(np.uint8)
    grown = cv2.dilate(touched, np.ones((2 * radius + 1,) * 2, np.uint8))
    return grown > 0


def garment_shown(alpha: np.ndarray, radius: int) -> np.ndarray:
    """Float: the garment's coverage `alpha` as it is shown, eroded by half the feather `radius`:
    that drops the fringe of floor a catalog mask keeps, and a warp's slivers."""
    return cv2.erode(alpha, np.ones((radius // 2 * 2 + 1,) * 2, np.uint8))


def composite(*, photo: np.ndarray, fit: Fit, report: Progress) -> np.ndarray:
    """The photo with the garment in place; identical to `photo` outside the edited region.
    Arms in front stay over the garment; bare skin is kept, not painted out, where the garment does
    not cover it; old garment left uncovered on the body turns to skin, off it to background."""
    radius, edited = feather_radius(photo.shape), edited_region(fit)
    crop = _box(edited, MARGIN, photo.shape[:2])
    report(40, "inpainting")
    clothing = fit.region[crop] & ~fit.in_front[crop] & ~fit.bare[crop]
    gain = _shading(photo[crop], clothing)
    # Without a skin look no arm can be painted, so the sleeve's place is not emptied either.
    beside = fit.behind[crop] if fit.look is not None else np.zeros_like(clothing)
    base = _painted_out(photo[crop], clothing, fit.body[crop], fit.bare[crop], fit.person[crop], beside, radius)
    on_skin = clothing & fit.body[crop]
    base = np.where(on_skin[..., None], _relit(np.rint(base).clip(0, 255).astype(np.uint8), gain), base)
    base = _rounded(base.astype(np.float32), on_skin, fit.person[crop], radius)
    leg = fit.legs.cover[crop] * clothing if fit.legs is not None else np.zeros(clothing.shape, np.float32)
    if fit.look is not None and leg.any():  # first: a hand hanging beside a thigh is in front of it
        box = _box(leg > 0, 0, leg.shape)
        behind = clothing[box] & beside[box]
        filled = _behind_legs(photo[crop][box], behind | fit.person[crop][box])
        base[box] = np.where(behind[..., None], filled, base[box])
        leg[box] *= _below_hem(leg[box] > 0, fit.garment_alpha[crop][box] > 0.5)
        light = _broad_light(photo[crop][box], clothing[box] & (leg[box] > 0))
        light *= _hem_shadow(fit.garment_alpha[crop][box], radius)
        painted = _arm_skin(fit.legs.across[crop][box], fit.look, _look_rgb(fit.look), light)
        base[box] += (painted - base[box]) * leg[box][..., None]
    arm = fit.limbs.cover[crop] * clothing
    if fit.look is not None and arm.any():
        # The arms and the skin they run into (the hands): their grain costs as much as their size.
        reach = max(1, round(fit.limbs.girth))
        box = _box(arm > 0, 2 * reach, arm.shape)
        sleeve = clothing[box] & fit.person[crop][box] & (fit.behind[crop][box] | (arm[box] > 0))
        light = (_sleeve_light(photo[crop][box], sleeve, fit.limbs.girth)
                 * _cloth_shadow(fit.garment_alpha[crop][box], fit.limbs.girth))
        tone = _arm_tone(photo[crop][box], fit.bare[crop][box] & (fit.limbs.cover[crop][box] > 0), arm[box] > 0,
                         fit.look, light, fit.limbs.girth)
        skin = _arm_skin(fit.limbs.across[crop][box], fit.look, tone, light)
        base[box] += (skin - base[box]) * arm[box][..., None]
    neck = fit.neck.cover[crop] * _hole_weight(clothing & (fit.neck.cover[crop] > 0), fit.bare[crop], radius)
    if fit.look is not None and neck.any():
        painted, box = _neck_skin(photo[crop], fit.neck, crop, neck > 0, fit.look)
        base[box] += (painted - base[box]) * neck[box][..., None]
    report(70, "compositing")
    shaded = _relit(_white_matched(fit.garment_rgb[crop], photo), gain)
    eroded = garment_shown(fit.garment_alpha[crop], radius)
    alpha = _feathered(eroded, radius) * (1 - _feathered(fit.in_front[crop].astype(np.float32), radius // 2))
    base = _contact_shadowed(base, eroded, fit.person[crop] | fit.allowed[crop], radius)
    blended = base + (shaded.astype(np.float32) - base) * alpha[..., None]
    out = photo.copy()
    out[crop] = np.where(edited[crop][..., None], np.rint(blended).clip(0, 255).astype(np.uint8), photo[crop])
    return out


def _white_matched(garment_rgb: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """The garment as the photo's light shows white: catalog photos are white-balanced to a clean
    white, a shopper's photo often is not (warm indoor light, a dim exposure), so each channel is
    scaled by where the photo's own whites lie."""
    white = np.percentile(photo.reshape(-1, 3), WHITE_POINT, axis=0).astype(np.float32)
    gain = np.clip(white / 255.0, 0.6, 1.0)
    return np.rint(garment_rgb.astype(np.float32) * gain).astype(np.uint8)


def _contact_shadowed(base: np.ndarray, alpha: np.ndarray, body: np.ndarray, radius: int) -> np.ndarray:
    """`base` darkened softly just outside the garment's edge, on the body only: cloth lying on
    skin or another garment casts a thin shadow there; a garment without one looks cut out."""
    reach, depth = CONTACT_SHADOW
    sigma = max(1.0, reach * radius / 2)
    shadow = np.clip(cv2.GaussianBlur(alpha, (0, 0), sigma) - alpha, 0, 1) * body
    return base * (1 - depth * shadow)[..., None]


def _arm_skin(across: np.ndarray, look: SkinLook, tone: np.ndarray, light: np.ndarray) -> np.ndarray:
    """Float RGB (unclipped): a limb painted in `tone` (float RGB, per pixel or one colour: _arm_tone,
    _look_rgb), lit along its length by `light` (_sleeve_light) and as a cylinder from the light's side
    across it (`across`: -1 to 1 over the limb's width, body.Limbs), and given the grain of the
    person's skin (`look`), so that it reads as an arm, not as a smooth fill. On average across its
    width its lightness is the tone's."""
    # Shading scales all three channels, as less light does; the grain is lightness alone.
    return tone * (_limb_shade(across, look.light) * light)[..., None] + _grain(across.shape, look)[..., None]


def _look_rgb(look: SkinLook) -> np.ndarray:
    """Float RGB: the colour of the person's skin (`look`)."""
    lab = np.clip(look.colour, 0, 255).astype(np.uint8)[None, None]
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)[0, 0].astype(np.float32)


def _sleeve_light(photo: np.ndarray, sleeve: np.ndarray, girth: float) -> np.ndarray:
    """Float H x W: how much light falls along the arms, from the old sleeve (`sleeve`, bool) the arm was
    in (its main material: _materials): its Lab lightness blurred over ARM_LIGHT_BLUR arm half-widths
    (`girth`, px), which washes out its print, checks and folds but keeps the light's fall along the
    arm, over its mean, so the cloth's own lightness does not show. 1 where there is no sleeve to read
    it from."""
    height, width = sleeve.shape
    if sleeve.sum() < 16:
        return np.ones((height, width), np.float32)
    size = _work_size(width, height)
    scale = size[0] / width
    lab = cv2.cvtColor(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0].astype(np.float32)
    # Only the sleeve's own material (the one most of `sleeve` is): a dress replaces the trousers too, and
    # forearms hanging by the hips would take a dark trouser beside them for a shadow on the arm.
    support = max(_materials(lightness, _shrunk(sleeve, size)), key=np.sum)
    sigma = max(1.0, ARM_LIGHT_BLUR * girth * scale)
    lit = _masked_blur(lightness, support, sigma)
    mean = float((lightness * support).sum() / max(support.sum(), 1e-3))
    presence = np.clip(cv2.GaussianBlur(support, (0, 0), sigma) / SHADE_SUPPORT, 0, 1)
    ratio = 1 + (np.clip(lit / max(mean, 1.0), *ARM_LIGHT_RANGE) - 1) * presence
    return cv2.resize(ratio, (width, height), interpolation=cv2.INTER_LINEAR)


def _cloth_shadow(alpha: np.ndarray, girth: float) -> np.ndarray:
    """Float H x W: the light left on an arm beside the new garment (`alpha`, its coverage): a sleeve
    stands off the arm and the body hides it from the light around, so the arm darkens by up to
    CLOTH_SHADOW[1] at the garment's edge, over CLOTH_SHADOW[0] arm half-widths (`girth`, px)."""
    reach, depth = CLOTH_SHADOW
    near = np.clip(2 * (cv2.GaussianBlur(alpha, (0, 0), max(1.0, reach * girth)) - alpha), 0, 1)
    return 1 - depth * near


def _arm_tone(photo: np.ndarray, bare: np.ndarray, arm: np.ndarray, look: SkinLook, light: np.ndarray,
              girth: float) -> np.ndarray:
    """Float RGB H x W x 3: the colour an arm is painted in before its light: the skin's look, turning
    towards bare skin within the limb that touches the arm (`bare`: a hand at the cuff, a bare forearm
    below a painted upper arm, not what a bare arm's mask takes in beside it) into that skin's colour,
    its light (`light`) divided out, so the painted arm runs into the photographed skin without a
    seam of colour or lightness. That colour fades over TONE_FADE arm half-widths (`girth`, px): a
    forearm looks like the hand, an upper arm less so."""
    tone = np.empty((*arm.shape, 3), np.float32)
    tone[:] = _look_rgb(look)
    grown = cv2.dilate(arm.astype(np.uint8), np.ones((2 * HAND_CONTACT + 1,) * 2, np.uint8)).astype(bool)
    contact = (bare & grown & ~arm).astype(np.float32)  # the ring of skin right where the arm ends
    if contact.sum() < 4:
        return tone
    unlit = photo.astype(np.float32) / np.maximum(light, 1e-3)[..., None]
    # The skin's colour where it meets the arm, averaged as widely as it fades: between a hand and a bare
    # forearm above, the painted piece turns smoothly from the one's colour to the other's.
    # A smooth field, so worked out at the inpainting's scale: at full size this blur is most of a render.
    fade, (height, width) = TONE_FADE * girth, arm.shape
    size = _work_size(width, height)
    sigma = max(1.0, fade * size[0] / width)
    presence = cv2.GaussianBlur(_shrunk(contact, size), (0, 0), sigma)
    weighted = cv2.GaussianBlur(cv2.resize(unlit * contact[..., None], size, interpolation=cv2.INTER_AREA),
                                (0, 0), sigma)
    skin = cv2.resize(weighted / np.maximum(presence, 1e-9)[..., None], (width, height), interpolation=cv2.INTER_LINEAR)
    reached = cv2.resize((presence > 1e-9).astype(np.float32), (width, height), interpolation=cv2.INTER_NEAREST)
    distance = cv2.distanceTransform((contact == 0).astype(np.uint8), cv2.DIST_L2, 3)
    share = (np.exp(-np.square(distance / fade)) * reached)[..., None]
    return tone + (skin - tone) * share


def _neck_skin(photo: np.ndarray, neck: Neck, crop: tuple[slice, slice], painted: np.ndarray,
               look: SkinLook) -> tuple[np.ndarray, tuple[slice, slice]]:
    """Float RGB (unclipped) over a box of `photo` (the crop) holding the `painted` pixels and the
    neck's width above them, and that box: the neck inside an old collar, each column continuing
    the skin seen just above the collar in it (skin.Neck.seen: neck or chin): the median colour of
    its lowest NECK_BAND of the neck's width (but the rim), when that lies within the neck's width
    of the painted pixels (further up a column meets the cheek, an ear or the hair), spread and
    smoothed across the columns. It is only ever darkened: to the head's shadow (skin.Neck.shadow,
    as deep as the skin seen in it shows, where some is) on the lit skin seen (NECK_LIT), where
    that is darker than it. So a neck seen above the collar,
    already in the head's shadow, runs on without a seam, and a chin the collar reached gets the
    shadow under it; then it is grained like the arms. With no skin seen it takes the skin's look."""
    width = max(1, int((neck.cover[crop] > 0.5).sum(axis=1).max(initial=1)))
    rows, columns = _box(painted, 0, painted.shape)
    box = (slice(max(0, rows.start - width), rows.stop), columns)
    seen, shadow, painted = neck.seen[crop][box], neck.shadow[crop][box], painted[box]
    row = np.arange(seen.shape[0])[:, None]
    lowest = np.where(seen, row, -1).max(axis=0)
    # The band's lowest third is left out: there the collar's rim (and its shadow) blends into the skin.
    band = seen & (row > lowest - NECK_BAND * width) & (row <= lowest - NECK_BAND * width / 3)
    band &= (np.where(painted, row, seen.shape[0]).min(axis=0) - lowest <= width)[None]
    known = band.any(axis=0)
    if not known.any():
        return _look_rgb(look) * shadow[..., None] + _grain(seen.shape, look)[..., None], box
    at = np.arange(seen.shape[1])
    medians = np.array([np.median(photo[box][band[:, column], column].astype(np.float32), axis=0)
                        for column in at[known]])
    # A column much darker than the others has a beard or hair above the collar, not skin: it is
    # spread from its neighbours instead.
    skin = medians.mean(axis=1) >= NECK_DARKEST * np.median(medians.mean(axis=1))
    at_known, medians = at[known][skin], medians[skin]
    source = np.stack([np.interp(at, at_known, medians[:, channel]) for channel in range(3)], axis=1)
    source = cv2.GaussianBlur(source[None].astype(np.float32), (0, 0), sigmaX=NECK_SMOOTH * width, sigmaY=0.01)[0]
    lightness = photo[box].astype(np.float32).mean(axis=2)
    lit = np.percentile(lightness[seen], NECK_LIT)
    # Skin seen in the shadow's deeper half (a neck below the chin, between a collar's points) says how
    # deep the head's shadow really is in this light: the model's depth is scaled to it, never beyond.
    deep = seen & (shadow < (1 + shadow.min()) / 2)
    if deep.sum() >= NECK_BAND * width:
        modelled = 1 - float(np.median(shadow[deep]))
        measured = 1 - float(np.median(lightness[deep])) / max(lit, 1.0)
        shadow = 1 - (1 - shadow) * float(np.clip(measured / max(modelled, 1e-3), 0, 1))
    darken = np.minimum(lit * shadow / np.maximum(source.mean(axis=1), 1.0)[None], 1.0)
    return source[None] * darken[..., None] + _grain(seen.shape, look)[..., None], box


def _limb_shade(across: np.ndarray, light: float) -> np.ndarray:
    """Float: a limb's lightness across it (`across`: -1 to 1, body.Limbs), lit as a cylinder from
    the light's side (`light`, SkinLook) with AMBIENT light from all around, over its mean across."""
    facing = np.clip(light * across + np.sqrt(1 - light ** 2) * np.sqrt(1 - across ** 2), 0, None)
    shade = AMBIENT + (1 - AMBIENT) * facing
    widths = np.linspace(-1, 1, 201)
    mean = AMBIENT + (1 - AMBIENT) * np.clip(light * widths + np.sqrt(1 - light ** 2)
                                             * np.sqrt(1 - widths ** 2), 0, None).mean()
    return shade / mean


def _grain(shape: tuple[int, ...], look: SkinLook) -> np.ndarray:
    """Float: blurred noise with the grain of the person's skin (`look`), the same on every render."""
    noise = cv2.GaussianBlur(np.random.default_rng(GRAIN_SEED).standard_normal(shape).astype(np.float32),
                             (0, 0), GRAIN_BLUR)
    return noise * (look.grain / max(grain_of(noise, np.ones(noise.shape, bool)), 1e-6))  # measured as the skin's


def _painted_out(photo: np.ndarray, hole: np.ndarray, body: np.ndarray, skin: np.ndarray, person: np.ndarray,
                 beside: np.ndarray, radius: int) -> np.ndarray:
    """Float RGB: `photo` with `hole` inpainted, softly blended in. Where the hole lies on the body
    (a chest the new neckline bares) the bare skin around is the only source, so it stays skin
    instead of dissolving into the background or the hair; off the person, and `beside` the arms
    where a sleeve was, the background around the person is, so no old garment colour smears
    outward and an arm is no wider than an arm; there (and just off the person beside them) the
    nearest background at full size (_nearest_background), as sharp as the background beside it."""
    height, width = hole.shape
    if not hole.any():
        return photo.astype(np.float32)
    size = _work_size(width, height)
    small = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
    # Any hole pixel in a small cell makes the cell a hole: area averaging mixed the old garment in.
    small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
    small_hole = cv2.dilate(small_hole.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    filled = cv2.inpaint(small, small_hole.astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA)
    on_body, in_person = _shrunk(body, size) > 0.5, _shrunk(person, size) > 0.5
    from_skin = _spread_from(small, (_shrunk(skin, size) > 0.5) & ~small_hole)
    if from_skin is not None:
        filled[on_body] = from_skin[on_body]
    behind = small_hole & (~in_person | (_shrunk(beside, size) > 0.5))
    from_background = _spread_from(small, ~in_person & ~small_hole) if behind.any() else None
    if from_background is not None:
        filled[behind] = from_background[behind]
    filled = cv2.resize(filled, (width, height), interpolation=cv2.INTER_LINEAR)
    # Beside the arms, at full size: a background spread at the inpainting's scale is a haze there
    # (bright skies), where the eye compares it with the sharp background just past the old sleeve.
    kernel = np.ones((2 * radius + 1,) * 2, np.uint8)
    near_sleeves = cv2.dilate(beside.astype(np.uint8), kernel).astype(bool)
    reach = np.ones((2 * (radius // 2 + radius) + 1,) * 2, np.uint8)  # as far as the fill shows, and a radius on
    sharp = cv2.dilate(hole.astype(np.uint8), reach).astype(bool) & (beside | (~person & near_sleeves))
    nearest = _nearest_background(photo, person | hole, radius) if sharp.any() else None
    if nearest is not None:
        filled[sharp] = nearest[sharp]
    weight = _hole_weight(hole, skin, radius)[..., None]
    return photo.astype(np.float32) * (1 - weight) + filled.astype(np.float32) * weight


def _hole_weight(hole: np.ndarray, skin: np.ndarray, radius: int) -> np.ndarray:
    """Float H x W: how much of a fill of `hole` shows: all of it inside, fading over `radius` px
    around it (half of them grown, half feathered), so the old garment's rim, blended with what is
    beside it, goes too. Bare `skin` is kept as photographed, sharp: the soft edge never reaches it."""
    inner = radius // 2
    grown = cv2.dilate(hole.astype(np.uint8), np.ones((2 * inner + 1,) * 2, np.uint8)).astype(np.float32)
    return np.where(skin, 0.0, _feathered(grown, radius - inner))


def _nearest_background(photo: np.ndarray, occupied: np.ndarray, gap: int) -> np.ndarray | None:
    """`photo` with each pixel given the colour of the nearest background pixel at least `gap` px off
    `occupied` (the person and what is painted out; its rim holds a fringe of their colours), lightly
    blurred against the streaks one pixel's noise would draw: a wall or a sky runs on behind the
    person as it is beside them, sharp, where a spread fill would be a haze. None without background."""
    sources = ~cv2.dilate(occupied.astype(np.uint8), np.ones((2 * gap + 1,) * 2, np.uint8)).astype(bool)
    if not sources.any():
        return None
    _, labels = cv2.distanceTransformWithLabels((~sources).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    nearest = np.zeros(labels.max() + 1, np.int64)
    nearest[labels[sources]] = np.flatnonzero(sources)  # each source pixel is its own label
    copied = photo.reshape(-1, 3)[nearest[labels]]
    return cv2.GaussianBlur(copied, (0, 0), BACKGROUND_BLUR)


def _spread_from(image: np.ndarray, sources: np.ndarray) -> np.ndarray | None:
    """`image` with every pixel but `sources` inpainted from them, at half size (the result is a
    smooth field, and this inpainting fills nearly everything); None without sources."""
    height, width = sources.shape
    half = (max(1, width // 2), max(1, height // 2))
    known = cv2.resize(sources.astype(np.float32), half, interpolation=cv2.INTER_AREA) > 0.99
    if not known.any():
        return None
    small = cv2.resize(image, half, interpolation=cv2.INTER_AREA)
    filled = cv2.inpaint(small, (~known).astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA)
    return cv2.resize(filled, (width, height), interpolation=cv2.INTER_LINEAR)


def _shrunk(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)


def _shading(photo: np.ndarray, clothing: np.ndarray) -> np.ndarray | None:
    """The old garment's shading as a lightness gain (float H x W, 1 = none): its Lab lightness
    blurred to fold scale over the same blurred broadly, so folds and shadows carry over but the old
    clothes' own colours do not (a dark trouser under a light shirt is no shadow). None when there
    is no old garment to read it from."""
    height, width = clothing.shape
    if clothing.sum() < 16:
        return None
    size = _work_size(width, height)
    lightness = cv2.cvtColor(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2LAB)[..., 0]
    support = _shrunk(clothing, size)
    mean = float((lightness * support).sum() / max(support.sum(), 1e-3))
    # Outside the old garment the median would see skin and background: show it the mean there.
    lightness = cv2.medianBlur(np.where(support > 0.5, lightness, round(mean)).astype(np.uint8), SHADE_MEDIAN)
    lightness = lightness.astype(np.float32)
    ratio, presence = np.zeros_like(lightness), np.zeros_like(lightness)
    for material in _materials(lightness, support):
        if (lightness * material).sum() < DARK_MATERIAL * material.sum():
            continue
        fine, broad = (_masked_blur(lightness, material, share * WORK_SIDE) for share in SHADE_SIGMAS)
        near = cv2.GaussianBlur(material, (0, 0), SHADE_SIGMAS[0] * WORK_SIDE)
        ratio += (np.clip(fine / np.maximum(broad, 1.0), *SHADE_RANGE) - 1) * near
        presence += near
    ratio *= SHADE_STRENGTH * np.clip(presence / SHADE_SUPPORT, 0, 1) / np.maximum(presence, 1e-3)
    return cv2.resize(1 + ratio, (width, height), interpolation=cv2.INTER_LINEAR)


def _materials(lightness: np.ndarray, support: np.ndarray) -> list[np.ndarray]:
    """The old garment's support (float weights) split into a dark and a light material when its
    medianed lightness falls in two groups (two-means) whose means differ by more than
    MATERIAL_RATIO: a black camisole and the chest skin the bare-skin mask missed, a dark jacket
    open over a white shirt. Each is read against itself: a darker material is no shadow on a
    lighter one, and a shadow (darkening to SHADE_RANGE at most) never splits one material."""
    inside = support > 0.5
    values = lightness[inside]
    if values.size < 2:
        return [support]
    centres = np.percentile(values, [10, 90])
    for _ in range(8):  # two-means from fixed starts: a try-on renders the same every time
        dark = np.abs(values - centres[0]) <= np.abs(values - centres[1])
        if dark.all() or not dark.any():
            return [support]
        centres = np.array([values[dark].mean(), values[~dark].mean()])
    if centres[0] >= MATERIAL_RATIO * centres[1]:
        return [support]
    dark_pixels = np.abs(lightness - centres[0]) <= np.abs(lightness - centres[1])
    return [support * dark_pixels, support * ~dark_pixels]


def _broad_light(photo: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Float H x W: the lightness of `photo` over `where` (an old trouser leg) at the broad shading
    scale, over its mean there, within LEG_LIGHT: where the light fell on the leg, not the
    trousers' colour. 1 where there is nothing to read it from."""
    height, width = where.shape
    size = _work_size(width, height)
    lightness = cv2.cvtColor(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2LAB)[..., 0]
    support = _shrunk(where, size)
    if support.sum() < 1:
        return np.ones((height, width), np.float32)
    mean = float((lightness * support).sum() / support.sum())
    broad = _masked_blur(lightness.astype(np.float32), support, SHADE_SIGMAS[1] * WORK_SIDE)
    gain = np.clip(broad / max(mean, 1.0), *LEG_LIGHT)
    return cv2.resize(gain, (width, height), interpolation=cv2.INTER_LINEAR)


def _behind_legs(photo: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Float RGB: `photo` with `hidden` (the old trousers beside and between the legs, and the rest
    of the person, whose colours must not spread) inpainted at full size from the background
    around: the gaps are narrow, and the half-size fill elsewhere blurs a floor's planks or a
    street into a haze there."""
    return cv2.inpaint(photo, hidden.astype(np.uint8), INPAINT_RADIUS, cv2.INPAINT_TELEA).astype(np.float32)


def _below_hem(leg: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Bool: the pixels of `leg` whose run across their row (the leg's width there) the garment
    (`covered`) leaves mostly bare: below a hem. Where the new garment covers the leg, the sliver
    of it a slimmer trouser leg leaves beside it is background, never a leg wider than its trousers."""
    starts = leg & ~np.pad(leg, ((0, 0), (1, 0)))[:, :-1]
    runs = np.cumsum(starts.ravel()).reshape(leg.shape) * leg  # 0 off the leg, else the run's number
    length = np.bincount(runs.ravel())
    hidden = np.bincount(runs.ravel(), weights=(covered & leg).ravel(), minlength=len(length))
    return leg & (hidden / np.maximum(length, 1) < 0.5)[runs]


def _hem_shadow(alpha: np.ndarray, radius: int) -> np.ndarray:
    """Float H x W gain: 1 less HEM_SHADOW's depth just below the garment (`alpha`), fading over its
    drop: a hem lit from above shades the leg under it, which a painted leg otherwise lacks."""
    drop, depth = HEM_SHADOW
    reach = max(1, round(drop * radius))
    lowered = np.zeros_like(alpha)
    lowered[reach:] = alpha[:-reach]
    cast = cv2.GaussianBlur(np.maximum(lowered, alpha), (0, 0), reach / 2)
    return 1 - depth * np.clip(cast - alpha, 0, 1)


def _relit(rgb: np.ndarray, gain: np.ndarray | None) -> np.ndarray:
    """`rgb` (uint8) with its Lab lightness multiplied by `gain`, its colour left alone."""
    if gain is None:
        return rgb
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lab[..., 0] = np.clip(lab[..., 0] * gain, 0, 255).astype(np.uint8)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _rounded(skin: np.ndarray, hole: np.ndarray, person: np.ndarray, radius: int) -> np.ndarray:
    """Repainted skin (float RGB, only `hole` pixels change) darkened towards the person's outline,
    as a limb's roundness turns it from the light: a flat fill reads as a cut-out."""
    inside = cv2.distanceTransform(person.astype(np.uint8), cv2.DIST_L2, 3)
    falloff = ROUNDNESS[0] * np.exp(-inside / (ROUNDNESS[1] * radius))
    return skin * np.where(hole, 1 - falloff, 1.0)[..., None]


def _masked_blur(values: np.ndarray, weight: np.ndarray, sigma: float) -> np.ndarray:
    """The weighted Gaussian mean of `values`: pixels of zero weight neither count nor dilute."""
    blurred = cv2.GaussianBlur(values * weight, (0, 0), sigma)
    return blurred / np.maximum(cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3)


def _feathered(mask: np.ndarray, radius: int) -> np.ndarray:
    """A float mask blurred with a kernel of exactly `radius` px reach (zero beyond it)."""
    if radius <= 0:
        return mask.astype(np.float32)
    return cv2.GaussianBlur(mask.astype(np.float32), (2 * radius + 1,) * 2, radius / 2)


def _work_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, WORK_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _box(mask: np.ndarray, margin: int, shape: tuple[int, int]) -> tuple[slice, slice]:
    """The bounding box of `mask`, grown by `margin` and clipped to `shape` (one pixel if empty)."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return slice(0, 1), slice(0, 1)
    return (slice(max(0, ys.min() - margin), min(shape[0], ys.max() + margin + 1)),
            slice(max(0, xs.min() - margin), min(shape[1], xs.max() + margin + 1)))
