"""The photo's shading carried onto the new garment (compositing._shading): folds carry over, the old
garment's own colour blocks do not, and near-black cloth gives none."""

import numpy as np

from tryon.engines.compositing import _shading

SIZE = (256, 192)


def _photo_and_clothing(top: int, bottom: int) -> tuple[np.ndarray, np.ndarray]:
    """A grey backdrop with an old garment: its upper half one lightness, its lower half another,
    and a soft fold (a darker vertical band) down the middle of the lower half."""
    photo = np.full((*SIZE, 3), 128, np.uint8)
    clothing = np.zeros(SIZE, bool)
    clothing[40:220, 40:152] = True
    photo[40:130, 40:152] = top
    photo[130:220, 40:152] = bottom
    columns = np.arange(40, 152)
    fold = 1 - 0.35 * np.exp(-((columns - 96) / 6.0) ** 2)
    photo[130:220, 40:152] = (bottom * fold[None, :, None]).astype(np.uint8)
    return photo, clothing


def test_a_black_camisole_above_light_skin_is_no_shadow_on_the_new_garment():
    photo, clothing = _photo_and_clothing(top=12, bottom=215)
    gain = _shading(photo, clothing)
    assert gain[60:110, 60:132].min() > 0.97  # the black block is the camisole's colour, not a shadow


def test_a_fold_in_the_old_garment_still_darkens_the_new_one():
    photo, clothing = _photo_and_clothing(top=12, bottom=215)
    gain = _shading(photo, clothing)
    assert gain[160:200, 92:100].mean() < 0.97 < gain[160:200, 50:60].mean()


def test_a_fold_on_a_two_tone_light_garment_still_darkens_the_new_one():
    photo, clothing = _photo_and_clothing(top=180, bottom=215)
    gain = _shading(photo, clothing)
    assert gain[160:200, 92:100].mean() < 0.97


def test_near_black_cloth_gives_no_shading():
    photo, clothing = _photo_and_clothing(top=10, bottom=40)
    gain = _shading(photo, clothing)
    assert gain is None or np.abs(gain - 1).max() < 1e-6
