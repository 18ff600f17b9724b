"""Where the person is in a photo, and how many faces it shows (mediapipe selfie segmentation and
face detection)."""

from functools import partial

import cv2
import numpy as np
from PIL import Image

from vision.graphs import model_held, working_pixels


def person_mask(image: Image.Image) -> np.ndarray:
    """Bool H x W of `image`: True on the person (on everyone, when there are several)."""
    pixels = working_pixels(image)  # resized outside the lock, which serialises only the graph
    with model_held("segmenter", _segmenter) as segmenter:
        probability = segmenter.process(pixels).segmentation_mask
    return cv2.resize(probability, image.size, interpolation=cv2.INTER_LINEAR) > 0.5


def face_count(image: Image.Image, *, confidence: float) -> int:
    """How many faces the long-range face detector finds in `image` with at least `confidence`."""
    pixels = working_pixels(image)
    with model_held(("faces", confidence), partial(_face_detector, confidence)) as faces:
        return len(faces.process(pixels).detections or [])


def _segmenter():
    import mediapipe as mp

    return mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)


def _face_detector(confidence: float):
    import mediapipe as mp

    return mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=confidence)
