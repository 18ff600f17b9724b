"""The diffusion engine end to end on CPU with tiny random models saved in the diffusers layout.

Random weights make no try-on, but every tensor takes the real path: folders -> pipeline ->
VAE -> guided denoising -> decode -> paste-back, so shapes, seeds, cancellation and the seam
are all tested for real.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from diffusers import AutoencoderKL, DDIMScheduler, UNet2DConditionModel  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from scipy.ndimage import distance_transform_edt  # noqa: E402

from tryon.engines import diffusion  # noqa: E402
from tryon.engines.base import EngineSettings, GarmentInput, PersonAnalysis  # noqa: E402
from tryon.engines.catvton import load_attention_weights  # noqa: E402
from tryon.engines.diffusion import (DiffusionEngine, DiffusionUnavailable, fit_box, letterbox,  # noqa: E402
                                     options_parse, seam_px)

PHOTO = (70, 80)  # W x H: not the working frame's 3:4, so the letterbox pads
OPTIONS = {"size": [64, 48], "steps": 2, "guidance": 2.5, "seed": 7}
CATVTON_STRIDE = 8  # CatVTON's ModuleList held each attn1 and its 7 children


def _tiny_unet(seed: int) -> UNet2DConditionModel:
    torch.manual_seed(seed)
    return UNet2DConditionModel(
        sample_size=8, in_channels=9, out_channels=4, block_out_channels=(32, 64), layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"), cross_attention_dim=16, attention_head_dim=8)


def _tiny_vae() -> AutoencoderKL:
    torch.manual_seed(0)
    return AutoencoderKL(down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                         block_out_channels=(8, 8, 8, 8), norm_num_groups=4, layers_per_block=1,
                         latent_channels=4, sample_size=64)  # 4 blocks: 8x smaller latents, as SD's


def _attention_state(unet: UNet2DConditionModel) -> dict[str, torch.Tensor]:
    """Self-attention weights keyed as CatVTON's checkpoint: "<ModuleList index>.to_q.weight"."""
    attn1 = [module for name, module in unet.named_modules() if name.endswith(".attn1")]
    return {f"{CATVTON_STRIDE * index}.{key}": value.clone().contiguous()
            for index, module in enumerate(attn1) for key, value in module.state_dict().items()}


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    root = tmp_path_factory.mktemp("diffusion")
    _tiny_unet(seed=0).save_pretrained(root / "base" / "unet")
    _tiny_vae().save_pretrained(root / "base" / "vae")
    DDIMScheduler().save_pretrained(root / "base" / "scheduler")
    state = _attention_state(_tiny_unet(seed=1))
    (root / "catvton" / "attention").mkdir(parents=True)
    save_file(state, root / "catvton" / "attention" / "model.safetensors")
    return root, state


@pytest.fixture(scope="module")
def engine(weights):
    """Built from explicit folders: the engine reads no Django setting."""
    root, _ = weights
    return DiffusionEngine(EngineSettings(diffusion_base_path=str(root / "base"),
                                          diffusion_attention_path=str(root / "catvton"), diffusion_device="cpu"))


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


def test_attention_weights_load_over_the_base_and_report_the_misfits(weights, tmp_path):
    _, state = weights
    unet, dropped = _tiny_unet(seed=0), "0.to_q.weight"
    save_file({**{k: v for k, v in state.items() if k != dropped}, "bogus.weight": torch.ones(2)},
              tmp_path / "model.safetensors")
    before = {name: value.clone() for name, value in unet.state_dict().items()}
    report = load_attention_weights(unet, tmp_path)
    attn1 = [module for name, module in unet.named_modules() if name.endswith(".attn1")]
    for key, value in state.items():
        if key != dropped:
            index, rest = key.split(".", 1)
            assert torch.equal(attn1[int(index) // CATVTON_STRIDE].state_dict()[rest], value)
    assert report.missing == ["down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight"]
    assert report.unexpected == ["bogus.weight"]
    assert all(torch.equal(value, before[name]) for name, value in unet.state_dict().items()
               if ".attn1." not in name or name in report.missing)


def test_the_loaded_pipeline_carries_the_try_on_attention(engine, weights):
    _, state = weights
    to_q = next(module for name, module in engine.pipeline().unet.named_modules() if name.endswith(".attn1")).to_q
    assert torch.equal(to_q.weight, state["0.to_q.weight"])


def test_without_weights_configured_the_engine_says_so(weights):
    root, _ = weights
    with pytest.raises(DiffusionUnavailable):
        _render(DiffusionEngine(EngineSettings(diffusion_attention_path=str(root / "catvton"))))


@pytest.mark.parametrize("options", [{"size": [60, 48]}, {"steps": 0}, {"steps": 10_000}, {"steps": 101},
                                     {"guidance": -1}, {"seed": -1}])
def test_options_outside_what_the_model_takes_are_refused(options):
    with pytest.raises(ValueError):
        options_parse(options)


def test_options_the_engine_declares_are_the_ones_it_takes():
    limits = DiffusionEngine.OPTION_LIMITS
    options_parse({name: high for name, (_, high) in limits.items()})
    assert options_parse({name: low for name, (low, _) in limits.items()}).steps == limits["steps"][0]


def test_options_default_to_catvtons():
    chosen = options_parse({})
    assert (chosen.size, chosen.steps, chosen.guidance) == ((1024, 768), 50, 2.5)
