"""Body pose from mediapipe, and the one home of its joint numbers and visibility threshold.

mediapipe numbers 33 landmarks; each pair below is (the person's left, the person's right), so on a
person facing the camera the first of a pair is on the image's right.
"""

import numpy as np
from PIL import Image

from vision.graphs import model_held, working_pixels

VISIBLE = 0.5  # visibility above which a joint counts as seen
NOSE = 0
EYES, EARS, MOUTH = (2, 5), (7, 8), (9, 10)  # the eyes' centres, the ears, the mouth's corners
FACE_POINTS = 11  # landmarks 0-10: nose, eyes, ears, mouth
SHOULDERS, ELBOWS, WRISTS = (11, 12), (13, 14), (15, 16)
HANDS = ((17, 19, 21), (18, 20, 22))  # pinky, index and thumb knuckles, left hand then right
HIPS, KNEES, ANKLES = (23, 24), (25, 26), (27, 28)


def landmarks(image: Image.Image) -> np.ndarray | None:
    """(33, 3) for the one person pose finds in `image`, else None: x and y in image pixels (estimated
    even off-frame), and 1.0 where the joint is seen inside the frame, else 0.0."""
    pixels = working_pixels(image)
    with model_held("pose", _pose) as pose:
        found = pose.process(pixels).pose_landmarks
    if found is None:
        return None
    points = np.array([(p.x, p.y, p.visibility) for p in found.landmark], dtype=np.float64)
    in_frame = (points[:, :2] >= 0).all(axis=1) & (points[:, :2] <= 1).all(axis=1)
    seen = (points[:, 2] > VISIBLE) & in_frame
    return np.column_stack([points[:, 0] * image.width, points[:, 1] * image.height, seen])


def seen_points(points: np.ndarray, joints: tuple[int, ...]) -> np.ndarray:
    """The x, y of those of `joints` that are seen, from landmarks() (or the same layout)."""
    rows = points[list(joints)]
    return rows[rows[:, 2] > VISIBLE, :2]


def _pose():
    import mediapipe as mp

    return mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1)
