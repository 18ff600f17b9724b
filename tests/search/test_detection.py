"""The detector that search's settings choose (the detectors themselves: tests/vision/test_detection.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from search import detection
from vision.detection import pose_regions
from vision.owlvit import owlvit_regions


def test_pose_is_the_default_detector(settings):
    del settings.SEARCH_DETECTOR
    assert detection._detector() is pose_regions


def test_owlvit_detector_gets_the_model_folder_from_the_settings(settings):
    settings.SEARCH_DETECTOR, settings.SEARCH_DETECTOR_PATH = "owlvit", "/models/owlvit"
    detector = detection._detector()
    assert (detector.func, detector.keywords) == (owlvit_regions, {"path": "/models/owlvit"})


def test_unknown_detector_setting_is_refused(settings):
    settings.SEARCH_DETECTOR = "yolo"
    with pytest.raises(ImproperlyConfigured):
        detection.detect_garments(Image.new("RGB", (64, 64)))


def test_owlvit_detector_needs_a_model_folder(settings):
    settings.SEARCH_DETECTOR, settings.SEARCH_DETECTOR_PATH = "owlvit", ""
    with pytest.raises(ImproperlyConfigured):
        detection.detect_garments(Image.new("RGB", (64, 64)))
