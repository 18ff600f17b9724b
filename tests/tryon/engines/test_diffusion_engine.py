"""The diffusion engine end to end on CPU with tiny random models in CatVTON's layout (tests/tryon/conftest.py).

Random weights make no try-on, but every tensor takes the real path: folders -> pipeline ->
VAE -> guided denoising -> decode -> paste-back, so shapes, seeds, cancellation and the seam
are all tested for real.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from scipy.ndimage import distance_transform_edt  # noqa: E402

from tryon.engines import diffusion  # noqa: E402
from tryon.engines.base import EngineSettings, GarmentInput, PersonAnalysis  # noqa: E402
from tryon.engines.diffusion import (DiffusionEngine, DiffusionUnavailable, fit_box, letterbox,  # noqa: E402
                                     options_parse, seam_px)

PHOTO = (70, 80)  # W x H: not the working frame's 3:4, so the letterbox pads
OPTIONS = {"size": [64, 48], "steps": 2, "guidance": 2.5, "seed": 7}


@pytest.fixture(scope="module")
def engine(catvton_models):
    """Built from explicit folders: the engine reads no Django setting."""
    return DiffusionEngine(EngineSettings(diffusion_base_path=str(catvton_models["base"]),
                                          diffusion_attention_path=str(catvton_models["attention"]),
                                          diffusion_device="cpu"))


def _photo() -> Image.Image:
    rows, cols = np.mgrid[0:PHOTO[1], 0:PHOTO[0]]
    noise = np.random.default_rng(0).integers(0, 40, (PHOTO[1], PHOTO[0], 3))
    pixels = np.stack([rows * 3, cols * 3, rows + cols], axis=-1) + noise
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def _mask() -> np.ndarray:
    mask = np.zeros((PHOTO[1], PHOTO[0]), bool)
    mask[25:55, 20:50] = True
    return mask


def _garment(color=(30, 60, 200)) -> GarmentInput:
    image = Image.new("RGB", (40, 50), (230, 230, 230))
    mask = np.zeros((50, 40), bool)
    mask[8:45, 6:34] = True
    image.paste(color, (6, 8, 34, 45))
    return GarmentInput(image=image, mask=mask, region="upper", keypoints={})


def _analysis() -> PersonAnalysis:
    return PersonAnalysis(width=PHOTO[0], height=PHOTO[1], landmarks=[], person_mask=_mask())


def _render(engine, report=lambda progress, stage="": None, garment=None, **options) -> Image.Image:
    return engine.render(person=_photo(), analysis=_analysis(), garment=garment or _garment(), report=report,
                         options={**OPTIONS, "mask": _mask(), **options})


def test_render_answers_at_the_photos_size_and_mode(engine):
    result = _render(engine)
    assert (result.size, result.mode) == (PHOTO, "RGB")


def test_same_seed_same_picture_and_another_seed_another(engine):
    first, again, other = _render(engine), _render(engine), _render(engine, seed=8)
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert not np.array_equal(np.asarray(first), np.asarray(other))


def test_the_garment_conditions_the_result(engine):
    blue, red = _render(engine), _render(engine, garment=_garment(color=(220, 20, 20)))
    assert not np.array_equal(np.asarray(blue), np.asarray(red))


def test_beyond_the_seam_every_pixel_is_the_photos(engine):
    photo, result = np.asarray(_photo()), np.asarray(_render(engine))
    beyond = distance_transform_edt(~_mask()) > 2 * seam_px(PHOTO) + 1
    assert np.array_equal(result[beyond], photo[beyond])
    assert (result[_mask()] != photo[_mask()]).any()


def test_the_generated_frame_maps_back_onto_the_photo():
    framed = Image.fromarray(letterbox(_photo(), (64, 48), (255, 255, 255)))
    back = np.asarray(framed.crop(fit_box(PHOTO, (64, 48))).resize(PHOTO, Image.LANCZOS), float)
    shifted = np.asarray(_photo().transform(PHOTO, Image.AFFINE, (1, 0, 2, 0, 1, 0)), float)
    error = np.abs(back - np.asarray(_photo(), float)).mean()
    assert error < 12 and error < np.abs(back - shifted).mean()  # closer than a 2-pixel shift


def test_without_a_given_mask_the_region_comes_from_the_pose(engine, monkeypatch):
    asked = []
    monkeypatch.setattr(diffusion, "region_mask",
                        lambda analysis, region, *, length=None: asked.append((region, length)) or _mask())
    garment = _garment()
    garment.attributes["length"] = "cropped"
    result = engine.render(person=_photo(), analysis=_analysis(), garment=garment,
                           report=lambda progress, stage="": None, options=OPTIONS)
    assert asked == [("upper", "cropped")]
    assert np.array_equal(np.asarray(result), np.asarray(_render(engine)))  # the same region as given


def test_report_comes_once_a_step_with_rising_progress(engine):
    calls = []
    _render(engine, report=lambda progress, stage="": calls.append((progress, stage)), steps=3)
    assert [stage for _, stage in calls] == ["diffusion step 1/3", "diffusion step 2/3", "diffusion step 3/3"]
    progress = [value for value, _ in calls]
    assert progress == sorted(set(progress)) and 0 <= progress[0] and progress[-1] < 100


class Cancelled(Exception):
    pass


@pytest.mark.parametrize("cancel_at", [1, 2])
def test_a_raising_report_stops_denoising_at_that_step(engine, monkeypatch, cancel_at):
    unet, batches = engine.pipeline().unet, []
    forward = unet.forward
    monkeypatch.setattr(unet, "forward",
                        lambda sample, *args, **kwargs: batches.append(len(sample)) or forward(sample, *args, **kwargs))

    def report(progress, stage=""):
        if stage == f"diffusion step {cancel_at}/3":
            raise Cancelled

    with pytest.raises(Cancelled):
        _render(engine, report=report, steps=3)
    assert batches == [2] * (cancel_at - 1)  # guided: conditional and unconditional in one batch


def test_the_loaded_pipeline_carries_the_try_on_attention(engine, catvton_models):
    state = load_file(next(catvton_models["attention"].rglob("*.safetensors")))
    to_q = next(module for name, module in engine.pipeline().unet.named_modules() if name.endswith(".attn1")).to_q
    assert torch.equal(to_q.weight, state["0.to_q.weight"])


def test_without_weights_configured_the_engine_says_so(catvton_models):
    with pytest.raises(DiffusionUnavailable):
        _render(DiffusionEngine(EngineSettings(diffusion_attention_path=str(catvton_models["attention"]))))


@pytest.mark.parametrize("options", [{"size": [60, 48]}, {"steps": 0}, {"steps": 10_000}, {"steps": 101},
                                     {"guidance": -1}, {"seed": -1}])
def test_options_outside_what_the_model_takes_are_refused(options):
    with pytest.raises(ValueError):
        options_parse(options, default_steps=20)


def test_options_the_engine_declares_are_the_ones_it_takes():
    limits = DiffusionEngine.OPTION_LIMITS
    options_parse({name: high for name, (_, high) in limits.items()}, default_steps=20)
    assert options_parse({name: low for name, (low, _) in limits.items()}, default_steps=20).steps == limits["steps"][0]


def test_options_default_to_catvtons_size_and_guidance_and_the_servers_steps():
    chosen = options_parse({}, default_steps=20)
    assert (chosen.size, chosen.steps, chosen.guidance) == ((1024, 768), 20, 2.5)  # 20 DPM-Solver++, not 50 DDIM
