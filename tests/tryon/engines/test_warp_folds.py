"""The warp never tears a print: a spline through crowded or misread key points is smoothed until
it no longer folds over where the garment lands, and the garment's body stretched over a torso
panel keeps its stripes straight where the panel is notched (an arm cut out) or the garment's own
edge is ragged (a sleeve's cut). Each test fails when its part is removed."""

import numpy as np
from scipy.interpolate import RBFInterpolator

from tryon.engines.warp import GRID_STEP, SMOOTHING, _inverse_map, _paneled, folds

SIZE = 400  # px: the photo and the garment photo are squares this wide
INNER = (slice(GRID_STEP, -GRID_STEP), slice(GRID_STEP, -GRID_STEP))  # the map's rim is flat, its gradient one-sided
STRIPE = (0, 0, 255)


def _determinants(map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """The Jacobian determinant of an inverse map at each pixel."""
    return np.gradient(map_x, axis=1) * np.gradient(map_y, axis=0) - np.gradient(map_x, axis=0) * np.gradient(map_y, axis=1)


def _misread_pairs() -> tuple[np.ndarray, np.ndarray]:
    """A 4 x 4 grid of body points mapped to the garment one to one, but for two neighbours whose
    garment points a misreading swapped, and a third crowded onto one of them."""
    body = np.array([(x, y) for y in (100, 170, 240, 310) for x in (100, 170, 240, 310)], float)
    cloth = body.copy()
    cloth[[5, 6]] = cloth[[6, 5]]
    cloth[9] = cloth[5] + (2, 3)
    return body, cloth


def test_a_spline_through_misread_points_does_not_fold_where_the_garment_lands():
    body, cloth = _misread_pairs()
    box = (slice(60, 350), slice(60, 350))
    mask, near = np.ones((SIZE, SIZE), bool), np.ones((290, 290), np.float32)
    plain = RBFInterpolator(body / SIZE, cloth / SIZE, kernel="thin_plate_spline", smoothing=SMOOTHING)
    nodes = np.stack(np.meshgrid(np.arange(60, 350, GRID_STEP), np.arange(60, 350, GRID_STEP)), axis=-1)
    coarse = (plain(nodes.reshape(-1, 2) / SIZE) * SIZE).reshape(*nodes.shape)
    assert folds(coarse, np.ones(coarse.shape[:2], bool)).any()  # the pairs do fold a plain spline
    map_x, map_y = _inverse_map(body, cloth, box, unit=SIZE, landing=(mask, near))
    assert (_determinants(map_x, map_y)[INNER] > 0).all()


def test_a_fold_off_the_garment_leaves_the_spline_as_it_is():
    body, cloth = _misread_pairs()
    box = (slice(60, 350), slice(60, 350))
    off = np.zeros((SIZE, SIZE), bool)
    off[:, 330:] = True  # the garment lies only right of every pair, where the spline does not fold
    near = np.ones((290, 290), np.float32)
    map_x, map_y = _inverse_map(body, cloth, box, unit=SIZE, landing=(off, near))
    assert (_determinants(map_x, map_y)[INNER] <= 0).any()


def _striped_garment(ragged: bool) -> tuple[np.ndarray, np.ndarray]:
    """A white garment body 200 px wide with a blue stripe down its middle; `ragged`: its right
    edge cut in by 40 px over a band of rows, as a sleeve's cut leaves it."""
    image = np.full((SIZE, SIZE, 3), 255, np.uint8)
    mask = np.zeros((SIZE, SIZE), bool)
    mask[50:350, 100:300] = True
    image[:, 195:205] = STRIPE
    if ragged:
        mask[150:230, 260:300] = False
    return image, mask


def _stripe_columns(rgb: np.ndarray, rows: range) -> np.ndarray:
    """Each row's blue stripe centre."""
    blue = (rgb[..., 2] > 200) & (rgb[..., 0] < 80)
    return np.array([np.flatnonzero(blue[row]).mean() for row in rows])


def _stretched(panel: np.ndarray, ragged: bool) -> np.ndarray:
    image, mask = _striped_garment(ragged)
    rgb, warped = np.zeros((SIZE, SIZE, 3), np.uint8), np.zeros((SIZE, SIZE), np.float32)
    return _paneled(rgb, warped, (image, mask), mask, panel)[0]


def test_a_stripe_stays_straight_where_an_arm_is_cut_out_of_the_panel():
    panel = np.zeros((SIZE, SIZE), bool)
    panel[40:360, 80:320] = True
    panel[200:260, 270:320] = False  # a hand on the hip, cut out of the torso
    columns = _stripe_columns(_stretched(panel, ragged=False), range(60, 350, 5))
    assert np.ptp(columns) <= 4


def test_a_stripe_stays_straight_where_the_garment_edge_is_ragged():
    panel = np.zeros((SIZE, SIZE), bool)
    panel[40:360, 80:320] = True
    columns = _stripe_columns(_stretched(panel, ragged=True), range(60, 350, 5))
    assert np.ptp(columns) <= 4


def test_a_stripe_bends_gently_where_the_panel_widens():
    panel = np.zeros((SIZE, SIZE), bool)
    panel[40:360, 80:300] = True
    panel[200:360, 300:340] = True  # the hips flare out below the waist
    columns = _stripe_columns(_stretched(panel, ragged=False), range(60, 350, 5))
    assert np.ptp(columns) >= 10  # the stripe does move over with the panel's middle
    assert np.abs(np.diff(columns)).max() <= 3


def test_a_map_that_crushes_a_band_of_the_garment_counts_as_folding():
    xs, ys = np.meshgrid(np.arange(20, dtype=float), np.arange(20, dtype=float))
    garment_x = np.where(xs < 14, xs, 14 + (xs - 14) * 0.12)  # the last columns squeezed eightfold
    coarse = np.stack([garment_x, ys], axis=-1)
    crushed = folds(coarse, np.ones((20, 20), bool))
    assert crushed[:, 15:].all() and not crushed[:, :13].any()
