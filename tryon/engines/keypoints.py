"""Garment keypoints read off a catalog photo's mask, for the warp engine to pin to the body.

Catalog photos show one garment lying flat or on a hanger, upright and roughly centred (see
vision/garment.py), so its landmarks can be found from the outline with no model weights.
Masks from GrabCut are noisy: a hanger hook, a speck of floor, a ragged edge. So the mask is opened
(thin hooks go) and only its largest piece is kept, and every point is an extreme of many pixels
(the most up-left pixel, the median of a band of rows) rather than one edge pixel.

Names per region, in mask pixels (x, y); "left" is the image's left:
- upper: neck, left_neckline, right_neckline, left_shoulder, right_shoulder, left_armpit, right_armpit,
  left_sleeve, right_sleeve (the cuffs), left_hem, right_hem
- lower: left_waist, right_waist (the waistband's corners), crotch, left_leg, right_leg (the leg
  openings' outer corners), left_leg_inner, right_leg_inner (their inner corners)
- full: neck, left_neckline, right_neckline, left_shoulder, right_shoulder, left_waist, right_waist,
  left_hem, right_hem
`garment_landmarks` adds whether a top is sleeveless and packs them as JSON for the catalog.

The "body" of a top or dress is the column span of its torso: between its armpits, the deepest
notches of its outline on either side (where a sleeve leaves the body, or a sleeveless top's
armhole bottoms out; where a sleeve hanging down beside the body ends above its hem), or, with
no notch, as measured on rows where sleeves rarely reach (low on a top, the bodice of a dress).
Whatever sticks out of that span on the sides of a top, above its armpit, is sleeve: a short
sleeve that barely clears the body of a tee laid flat is found so, where the rows below it (a
hem laid wider than the chest) would swallow it. A sleeveless top's sleeve points are its
shoulders.
"""

import cv2
import numpy as np

from vision.regions import FULL, LOWER, UPPER, region_checked

Point = tuple[float, float]

# Rows (shares of the garment's height) where the torso's width is measured: low on a top, below
# the sleeves; the bodice of a dress, above the skirt's flare.
BODY_ROWS = {UPPER: (0.65, 0.9), FULL: (0.25, 0.4)}
SHOULDER_ROWS = 0.1  # the top rows, as a share of the height, that show the garment's axis
NECK_RISE = 0.15  # how far a collar rises above the shoulders, as a share of the shoulders' span
# A hood laid up above the shoulders (or a high funnel collar): the top rows narrower (_hood_width)
# than HOOD_WIDTH of the median row, together at least HOOD_RISE of the median row's width tall. A tee's
# shoulder slopes and a shirt's collar are that narrow for under 0.07 of it in the train split's
# tops, its hooded jackets and hoodies for 0.14 to 0.22.
HOOD_WIDTH = 0.6
HOOD_RISE = 0.1
HANGING_NOTCH = 0.25  # share of a top's height below its shoulders, from the bottom, where a notch is a hanging cuff's
NECK_BAND = 0.1  # half-width of the neckline band, as a share of the body's width
MIN_SLEEVE = 0.01  # share of the garment's pixels a side must hold to count as a sleeve
CUFF_BAND = 0.05  # sleeve pixels this close (share of the farthest distance) to the farthest are the cuff
MIN_LEG_GAP = 0.15  # a gap between legs this deep (share of the height) makes trousers, not a skirt
WIDE_ROW = 0.5  # share of the median row's width a row needs to be a waistband or shoulders, not a hanger
SLEEVE_OPEN = 0.1  # slivers of torso thinner than this share of the body's width are not sleeve
WAIST_ROWS = (0.2, 0.55)  # where a dress's waist is looked for, shares of shoulders-to-hem
OPEN_SHARE = 0.02  # opening kernel, as a share of the garment's shorter side
# The rules' edition, stored with the landmarks: landmarks of another edition are read again from the mask
# (landmarks_stale), so a catalog enriched before a change tries on with the new rules. Raise it with any
# change that moves a point. 2: hoods laid up, and sleeves hanging against the body.
LANDMARKS_VERSION = 2
# An armpit: a notch of the outline at least NOTCH_DEPTH of the garment's width deep (shallower
# ones are a ragged cut-out edge), at least NOTCH_OFF_AXIS of the width out from its axis (the
# neckline's and a front opening's notches are not), within NOTCH_ROWS of its height (shares from
# the top): below a hood's or collar's notches on a top, and above a dress's waist.
NOTCH_DEPTH = 0.03
NOTCH_OFF_AXIS = 0.2
NOTCH_ROWS = {UPPER: (0.2, 0.98), FULL: (0.05, 0.3)}
NOTCH_SMOOTH = 2.0  # px: the outline is simplified this much before its notches are read

UP_LEFT, UP_RIGHT, DOWN_LEFT, DOWN_RIGHT = (-1, -1), (1, -1), (-1, 1), (1, 1)


def garment_landmarks(mask: np.ndarray, region: str) -> dict:
    """The keypoints as JSON: {"version", "region", "size": [w, h], "points": {name: [x, y]}, "sleeveless"}."""
    points = garment_keypoints(mask, region)
    sleeveless = region == UPPER and all(points[f"{side}_sleeve"] == points[f"{side}_shoulder"]
                                         for side in ("left", "right"))
    return {"version": LANDMARKS_VERSION, "region": region, "size": [int(mask.shape[1]), int(mask.shape[0])],
            "sleeveless": sleeveless,
            "points": {name: [round(x, 1), round(y, 1)] for name, (x, y) in points.items()}}


def landmarks_stale(landmarks: dict, mask: np.ndarray, region: str) -> bool:
    """Whether stored landmarks must be read again: none yet, another region or mask, older rules."""
    return (landmarks.get("version") != LANDMARKS_VERSION or landmarks.get("region") != region
            or landmarks.get("size") != [mask.shape[1], mask.shape[0]])


def garment_keypoints(mask: np.ndarray, region: str) -> dict[str, Point]:
    """The named keypoints of the garment in `mask` (bool H x W); raises ValueError on an empty mask
    or an unknown region."""
    readers = {UPPER: _top_points, LOWER: _bottom_points, FULL: _dress_points}
    region_checked(region)
    piece = _main_piece(mask)
    if not piece.any():
        raise ValueError("the garment mask is empty")
    return {name: (float(x), float(y)) for name, (x, y) in readers[region](piece).items()}


def _main_piece(mask: np.ndarray) -> np.ndarray:
    """The largest 8-connected piece after an opening; the raw largest piece if opening erases it."""
    binary = np.asarray(mask, dtype=np.uint8)
    if not binary.any():
        return binary.astype(bool)
    _, _, width, height = cv2.boundingRect(binary)
    side = max(3, round(OPEN_SHARE * min(width, height)) | 1)
    opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    return _largest(opened) if opened.any() else _largest(binary)


def _largest(binary: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _extreme(piece: np.ndarray, direction: tuple[int, int], columns: slice = slice(None)) -> Point:
    """The pixel of `piece` (within `columns`) farthest along `direction`: at 45 degrees, a corner."""
    ys, xs = np.nonzero(piece[:, columns])
    xs = xs + (columns.start or 0)
    i = int(np.argmax(xs * direction[0] + ys * direction[1]))
    return float(xs[i]), float(ys[i])


def _rows(piece: np.ndarray) -> np.ndarray:
    return np.flatnonzero(piece.any(axis=1))


def _centre(piece: np.ndarray) -> float:
    return float(np.median(np.nonzero(piece)[1]))


def _body_span(piece: np.ndarray, region: str) -> tuple[int, int]:
    """The torso's columns: between the armpit notches (_armpit_notches; one side's mirrored when
    the other has none), or else on the rows BODY_ROWS[region], the median edges of each row's
    run through the centre, where sleeves lying apart from the torso are not. A sleeve touching
    the torso widens one side only, so the body is taken as symmetric, as wide as its narrower side."""
    rows = _rows(piece)
    top, height = rows[0], rows[-1] - rows[0] + 1
    shoulders = _rows(_shoulder_piece(piece))[0]
    centre = _centre_line(piece, shoulders, shoulders + int(SHOULDER_ROWS * height))
    notches = _armpit_notches(piece, region, centre)
    if notches["left"] is not None or notches["right"] is not None:
        reach = [abs(notch[0] - centre) for notch in notches.values() if notch is not None]
        left, right = centre - min(reach), centre + min(reach)
    else:
        low, high = (top + int(share * height) for share in BODY_ROWS[region])
        runs = [_run_through(np.flatnonzero(piece[row]), centre) for row in range(low, high + 1) if piece[row].any()]
        left, right = (float(np.median(edges)) for edges in zip(*runs))
    half = min(centre - left, right - centre)
    if half <= 0:  # the axis misses the torso (a garment laid askew): keep the measured edges
        return round(left), round(right)
    return max(0, round(centre - half)), min(piece.shape[1] - 1, round(centre + half))


def _armpit_notches(piece: np.ndarray, region: str, centre: float) -> dict[str, Point | None]:
    """On each side of the axis at column `centre`, the deepest notch of the outline that can be an
    armpit (NOTCH_DEPTH, NOTCH_OFF_AXIS, NOTCH_ROWS), or None."""
    contours, _ = cv2.findContours(piece.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = cv2.approxPolyDP(max(contours, key=cv2.contourArea), NOTCH_SMOOTH, closed=True)
    _, top, width, height = cv2.boundingRect(outline)
    try:
        defects = cv2.convexityDefects(outline, cv2.convexHull(outline, returnPoints=False))
    except cv2.error:  # a self-touching outline has no monotonous hull
        defects = None
    found = {"left": None, "right": None}
    depths = {"left": 0.0, "right": 0.0}
    low, high = (top + share * height for share in NOTCH_ROWS[region])
    for _, _, far, depth in ([] if defects is None else defects[:, 0]):
        x, y = (float(v) for v in outline[far, 0])
        side = "left" if x < centre else "right"
        depth = depth / 256  # fixed point, 8 fractional bits
        if (depth >= max(NOTCH_DEPTH * width, depths[side]) and abs(x - centre) >= NOTCH_OFF_AXIS * width
                and low <= y <= high):
            found[side], depths[side] = (x, y), depth
    return found


def _hanging_sides(piece: np.ndarray, region: str) -> set[str]:
    """The sides whose sleeve hangs pressed against the body down to its cuff: the only notch of the
    outline there is the gap between the cuff and the hem, in the bottom HANGING_NOTCH of the
    garment below its shoulders (a hoodie's product shot), or there is none and the other side's
    sleeve hangs so. The body then measures no wider than
    its hem band between those notches, and its top corners are the sleeves' roots."""
    if region != UPPER:
        return set()
    rows = _rows(piece)
    top = _rows(_shoulder_piece(piece))[0]
    low = rows[-1] - HANGING_NOTCH * (rows[-1] - top)
    notches = _armpit_notches(piece, region, _centre_line(piece, top, top + int(SHOULDER_ROWS * len(rows))))
    hanging = {side for side, notch in notches.items() if notch is not None and notch[1] >= low}
    # A side with no notch at all is taken to mirror one that hangs, as _body_span mirrors its edge.
    return hanging | {side for side, notch in notches.items() if notch is None} if hanging else hanging


def _centre_line(piece: np.ndarray, first: int, last: int) -> float:
    """The garment's axis: the median midpoint of the rows from the shoulders down a little, which
    lie symmetric however the sleeves and hem were laid out."""
    rows = [np.flatnonzero(piece[row]) for row in range(first, last + 1)]
    return float(np.median([(row[0] + row[-1]) / 2 for row in rows if len(row)]))


def _run_through(columns: np.ndarray, x: float) -> tuple[int, int]:
    """The run of consecutive `columns` (sorted) that holds `x`, or the nearest run to it."""
    breaks = np.flatnonzero(np.diff(columns) > 1)
    starts, ends = columns[np.r_[0, breaks + 1]], columns[np.r_[breaks, len(columns) - 1]]
    nearest = int(np.argmin(np.maximum(starts - x, 0) + np.maximum(x - ends, 0)))
    return int(starts[nearest]), int(ends[nearest])


def _column_tops(piece: np.ndarray) -> np.ndarray:
    """Per column, the first row holding the garment (the height for empty columns)."""
    return np.where(piece.any(axis=0), piece.argmax(axis=0), piece.shape[0])


def _column_bottoms(piece: np.ndarray) -> np.ndarray:
    """Per column, the last row holding the garment (-1 for empty columns)."""
    return np.where(piece.any(axis=0), piece.shape[0] - 1 - piece[::-1].argmax(axis=0), -1)


def _neck(piece: np.ndarray, left: int, right: int) -> Point:
    """The body's centre column, at the median top of the columns around it (a hanger hook is too
    thin to move a median)."""
    centre, half = (left + right) / 2, NECK_BAND * (right - left)
    tops = _column_tops(piece)[max(0, round(centre - half)):round(centre + half) + 1]
    return centre, float(np.median(tops[tops < piece.shape[0]]))


def _upper_body(piece: np.ndarray, region: str) -> tuple[dict[str, Point], slice]:
    left, right = _body_span(piece, region)
    body = slice(left, right + 1)
    shoulders = _shoulder_piece(piece)
    hanging = _hanging_sides(piece, region)
    # A sleeve hanging against the body hangs from the garment's outer top corner; elsewhere the
    # shoulder is the body's top corner (looked for beyond it, a sleeve spread out would win).
    points = {
        "left_shoulder": _extreme(shoulders, UP_LEFT, slice(0, right + 1) if "left" in hanging else body),
        "right_shoulder": _extreme(shoulders, UP_RIGHT, slice(left, None) if "right" in hanging else body),
    }
    neck_x, neck_y = _neck(piece, left, right)
    points["neck"] = (neck_x, max(neck_y, collar_top(points)))
    points["left_neckline"], points["right_neckline"] = _neckline(piece, points, left, right)
    return points, body


def _neckline(piece: np.ndarray, points: dict[str, Point], left: int, right: int) -> tuple[Point, Point]:
    """The neck opening's corners: from the centre outwards, the first columns whose top is back up
    at the shoulders' height (within a tenth of the neck's depth); a flat top has them NECK_BAND out."""
    tops, centre = _column_tops(piece), round(points["neck"][0])
    shoulder_y = min(points["left_shoulder"][1], points["right_shoulder"][1])
    high = shoulder_y + 0.1 * max(0.0, points["neck"][1] - shoulder_y) + 1
    half = max(1, round(NECK_BAND * (right - left)))
    corners = []
    for step, end in ((-1, left), (1, right)):
        columns = range(centre, end + step, step)
        x = next((c for c in columns if tops[c] <= high and abs(c - centre) >= half), centre + step * half)
        corners.append((float(x), float(tops[x]) if tops[x] < piece.shape[0] else shoulder_y))
    return corners[0], corners[1]


def _top_points(piece: np.ndarray) -> dict[str, Point]:
    points, body = _upper_body(piece, UPPER)
    points["left_hem"] = _extreme(piece, DOWN_LEFT, body)
    points["right_hem"] = _extreme(piece, DOWN_RIGHT, body)
    notches = _armpit_notches(piece, UPPER, points["neck"][0])
    area, sliver = int(piece.sum()), max(3, round(SLEEVE_OPEN * (body.stop - body.start)) | 1)
    hem_y = min(points["left_hem"][1], points["right_hem"][1])
    # Beyond its armpit notch's column, a sleeve reaches above the notch (a short sleeve ends there;
    # a long one hanging down beside the body runs on below it, apart from the body): garment there
    # lying all below the notch is the body's hem, laid out wider than its chest.
    for side, edge, step in (("left", body.start, -1), ("right", body.stop - 1, 1)):
        notch = notches[side]
        outer = edge if notch is None else round(notch[0])
        outside = np.zeros_like(piece)
        columns = slice(0, outer) if step < 0 else slice(outer + 1, None)
        outside[:, columns] = piece[:, columns]
        if notch is not None:
            outside = _reaching_above(outside, notch[1])
        points[f"{side}_sleeve"] = _cuff(outside, points[f"{side}_shoulder"], area, sliver)
        points[f"{side}_armpit"] = _armpit(piece, edge, step, (points[f"{side}_shoulder"][1], hem_y), sliver, notch)
    return points


def _armpit(piece: np.ndarray, edge: int, step: int, rows: tuple[float, float], sliver: int,
            notch: Point | None) -> Point:
    """Where the sleeve leaves the body's side: the lowest row (shoulder to hem, or to the armpit
    `notch` when there is one) whose garment reaches a sliver past the body's edge column outward
    and is joined to it there. With none, a sleeveless top's: the armhole's notch, or the top of its
    side seam, the first row that reaches the edge column."""
    outside = np.clip(edge + step * sliver, 0, piece.shape[1] - 1)
    lo, hi = (outside, edge) if step < 0 else (edge, outside)
    top, bottom = rows if notch is None else (rows[0], notch[1] + 1)
    span = range(int(top), int(bottom))
    joined = [row for row in span if piece[row, lo:hi + 1].all()]
    if joined:
        return float(edge), float(joined[-1])
    if notch is not None:
        return notch
    reaching = [row for row in span if piece[row, edge]]
    return float(edge), float(reaching[0] if reaching else top)


def _reaching_above(mask: np.ndarray, row: float) -> np.ndarray:
    """The pieces of `mask` with a pixel above `row`."""
    _, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=4)
    above = np.unique(labels[:max(0, int(row))])
    return np.isin(labels, above[above > 0])


def _cuff(side: np.ndarray, shoulder: Point, garment_area: int, sliver: int) -> Point:
    """The sleeve's far end: the mean of the pixels of the side's largest thick piece (the torso
    bulging past the body's edge is thin) that are nearly the farthest from the shoulder, which is
    the cuff however the sleeve was laid. No such piece: no sleeve, so the shoulder."""
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (sliver, sliver))
    thick = cv2.morphologyEx(side.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    if thick.sum() < MIN_SLEEVE * garment_area:
        return shoulder
    ys, xs = np.nonzero(_largest(thick))
    distance = np.hypot(xs - shoulder[0], ys - shoulder[1])
    far = distance >= (1 - CUFF_BAND) * distance.max()
    return float(xs[far].mean()), float(ys[far].mean())


def _dress_points(piece: np.ndarray) -> dict[str, Point]:
    points, _ = _upper_body(piece, FULL)
    points["left_waist"], points["right_waist"] = _waist(piece, points)
    points["left_hem"] = _extreme(piece, DOWN_LEFT)
    points["right_hem"] = _extreme(piece, DOWN_RIGHT)
    return points


def _waist(piece: np.ndarray, points: dict[str, Point]) -> tuple[Point, Point]:
    """A dress's waist: the narrowest row of the run through its axis, between WAIST_ROWS of the way
    from the shoulders to the hem."""
    top = min(points["left_shoulder"][1], points["right_shoulder"][1])
    height = _rows(piece)[-1] - top
    centre = points["neck"][0]
    rows = range(int(top + WAIST_ROWS[0] * height), int(top + WAIST_ROWS[1] * height) + 1)
    runs = [(row, _run_through(np.flatnonzero(piece[row]), centre)) for row in rows if piece[row].any()]
    row, (left, right) = min(runs, key=lambda found: found[1][1] - found[1][0])
    return (float(left), float(row)), (float(right), float(row))


def _bottom_points(piece: np.ndarray) -> dict[str, Point]:
    crotch = _crotch(piece)
    split = int(crotch[0]) + 1
    below_hanger = _below_hanger(piece)
    return {
        "left_waist": _extreme(below_hanger, UP_LEFT),
        "right_waist": _extreme(below_hanger, UP_RIGHT),
        "left_leg": _extreme(piece, DOWN_LEFT, slice(0, split)),
        "right_leg": _extreme(piece, DOWN_RIGHT, slice(split, None)),
        "left_leg_inner": _extreme(piece, DOWN_RIGHT, slice(0, split)),
        "right_leg_inner": _extreme(piece, DOWN_LEFT, slice(split, None)),
        "crotch": crotch,
    }


def collar_top(points: dict[str, Point]) -> float:
    """The highest row a top's or dress's collar reaches: NECK_RISE of its shoulders' span above
    the higher shoulder. Above it, between the shoulders, lie only a hanger's hook or a hood laid up."""
    (left_x, left_y), (right_x, right_y) = points["left_shoulder"], points["right_shoulder"]
    return min(left_y, right_y) - NECK_RISE * abs(right_x - left_x)


def _shoulder_piece(piece: np.ndarray) -> np.ndarray:
    """`piece` from its shoulders down: below a hanger's hook and below a hood laid up (HOOD_WIDTH,
    HOOD_RISE), whose top corners would otherwise pass for the shoulders."""
    piece = _below_hanger(piece)
    rows, centre = _rows(piece), _centre(piece)
    widths = np.array([_hood_width(np.flatnonzero(piece[row]), centre) for row in rows])
    median = np.median(widths)
    narrow = int(np.argmax(widths >= HOOD_WIDTH * median))
    if narrow < HOOD_RISE * median:
        return piece
    below = piece.copy()
    below[:rows[narrow]] = False
    return below


def _hood_width(columns: np.ndarray, centre: float) -> int:
    """A row's width as a hood would show it: the run across the axis (a sleeve laid up beside a
    hood is a run of its own), or where the axis falls in a gap (a neckline's), the whole row's."""
    start, end = _run_through(columns, centre)
    return end - start + 1 if start <= centre <= end else len(columns)


def _below_hanger(piece: np.ndarray) -> np.ndarray:
    """`piece` from its first row at least WIDE_ROW as wide as its median row: above it are the
    hook, clips or strings of a hanger, never a shoulder or a waistband."""
    widths = piece.sum(axis=1)
    below = piece.copy()
    below[:int(np.argmax(widths >= WIDE_ROW * np.median(widths[widths > 0])))] = False
    return below


def _crotch(piece: np.ndarray) -> Point:
    """The top of the gap between the legs: in the middle half of the garment's columns, the
    highest of the columns' lowest pixels. A gap shallower than MIN_LEG_GAP of the height is only a
    skirt's curved hem: then the hem's centre."""
    columns = np.nonzero(piece)[1]
    low, high = (int(v) for v in np.percentile(columns, [25, 75]))
    bottoms = _column_bottoms(piece)[low:high + 1]
    bottoms = np.where(bottoms < 0, piece.shape[0], bottoms)  # an empty column tells nothing: skip it
    rows = _rows(piece)
    centre = _centre(piece)
    if rows[-1] - bottoms.min() < MIN_LEG_GAP * (rows[-1] - rows[0] + 1):
        return centre, float(bottoms[min(len(bottoms) - 1, max(0, round(centre) - low))])
    apex = low + np.flatnonzero(bottoms <= bottoms.min() + 1)
    return float(np.median(apex)), float(bottoms.min())
