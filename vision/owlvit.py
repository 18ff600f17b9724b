"""Garment regions from OWL-ViT, an open-vocabulary detector, loaded from a local model folder.

A learned alternative to vision.detection.pose_regions: it also finds garments that no pose
explains (a product held up, a garment on a chair). Text queries name the garments; each maps to
the body region whose categories it is searched against.
"""

from functools import partial

from PIL import Image

from vision.detection import Box, box_clamped
from vision.graphs import model_loaded
from vision.regions import FULL, LOWER, UPPER

OWLVIT_QUERIES = {
    "a top": UPPER, "a shirt": UPPER, "a t-shirt": UPPER, "a jacket": UPPER, "a sweater": UPPER,
    "trousers": LOWER, "shorts": LOWER, "a skirt": LOWER, "a dress": FULL,
}
OWLVIT_THRESHOLD = 0.1
NMS_IOU = 0.3
MAX_DETECTIONS = 6


def owlvit_regions(image: Image.Image, *, path: str) -> list[tuple[Box, str]]:
    """The garments OWL-ViT (the model in the folder `path`) finds in `image`, best first."""
    import torch

    model, processor = model_loaded(("owlvit", path), partial(_owlvit_load, path))
    queries = list(OWLVIT_QUERIES)
    inputs = processor(text=[queries], images=image, return_tensors="pt")
    with torch.inference_mode():
        outputs = model(**inputs)
    found = processor.post_process_grounded_object_detection(
        outputs, threshold=OWLVIT_THRESHOLD, target_sizes=[(image.height, image.width)]
    )[0]
    candidates = []
    for box, label, score in zip(found["boxes"].tolist(), found["labels"].tolist(), found["scores"].tolist()):
        clamped = box_clamped(box, image.size)
        if clamped is not None:
            candidates.append((score, clamped, OWLVIT_QUERIES[queries[label]]))
    return non_max_suppressed(candidates)


def non_max_suppressed(candidates: list[tuple[float, Box, str]]) -> list[tuple[Box, str]]:
    """Best first, dropping a box that overlaps a kept box of the same region by more than NMS_IOU."""
    kept: list[tuple[Box, str]] = []
    for _, box, region in sorted(candidates, key=lambda candidate: -candidate[0]):
        if all(other_region != region or _iou(box, other) <= NMS_IOU for other, other_region in kept):
            kept.append((box, region))
    return kept[:MAX_DETECTIONS]


def _owlvit_load(path: str) -> tuple:
    from transformers import OwlViTForObjectDetection, OwlViTProcessor

    model = OwlViTForObjectDetection.from_pretrained(path, local_files_only=True).eval()
    return model, OwlViTProcessor.from_pretrained(path, local_files_only=True)


def _iou(a: Box, b: Box) -> float:
    overlap = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    return overlap / (area_a + area_b - overlap)
