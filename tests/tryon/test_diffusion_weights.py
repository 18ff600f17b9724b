"""CatVTON's attention checkpoint as its training code writes it, the `tryon_models` check, and the samplers.

The layouts come from bench/catvton_layout.py: tiny random models, the attention file written by
accelerate's Accelerator.save_model from a ModuleList of every "attn1" module, as CatVTON's released
files were, so the loader is proven against that layout and not against our idea of it.
"""

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from django.core.management import CommandError, call_command  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402

from tryon.engines.catvton import SCHEDULERS, CatVTONPipeline, synthetic_inputs  # noqa: E402
from tryon.engines.tryon_models import main  # noqa: E402
from tryon.engines.weights import AttentionWeightsError, attention_weights_load, self_attention_names  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def saved(catvton_layout, tmp_path_factory):
    """A CatVTON attention file saved by accelerate, and the tensors it holds under the UNet's names."""
    folder = tmp_path_factory.mktemp("attention")
    drawn = catvton_layout.attention_save(catvton_layout.unet_build("tiny"), folder)
    return folder / "model.safetensors", drawn


def _without(file: Path, keys, tmp_path: Path, extra=None) -> Path:
    state = {key: value for key, value in load_file(file).items() if key not in keys}
    save_file({**state, **(extra or {})}, tmp_path / "model.safetensors")
    return tmp_path / "model.safetensors"


def test_the_file_holds_one_entry_per_attn1_at_catvtons_stride(catvton_layout, saved):
    file, _ = saved
    indices = sorted({int(key.split(".")[0]) for key in load_file(file)})
    attn1 = self_attention_names(catvton_layout.unet_build("tiny"))
    assert indices == list(range(0, 8 * len(attn1), 8))  # attn1, 5 children and its processor: 8 a module


def test_every_self_attention_tensor_arrives_and_nothing_else_changes(catvton_layout, saved):
    file, drawn = saved
    unet, base = catvton_layout.unet_build("tiny"), catvton_layout.unet_build("tiny").state_dict()
    report = attention_weights_load(unet, file.parent)
    loaded = unet.state_dict()
    assert (report.loaded, report.modules, report.complete) == (7, 7, True)
    assert drawn.keys() == {key for key in loaded if ".attn1." in key}
    assert all(torch.equal(loaded[key], value) for key, value in drawn.items())
    assert all(torch.equal(loaded[key], value) for key, value in base.items() if key not in drawn)


@pytest.mark.parametrize("dropped", [0, 2, 6])
def test_a_file_missing_one_module_fails_naming_it_and_loads_nothing(catvton_layout, saved, tmp_path, dropped):
    file, _ = saved
    keys = [key for key in load_file(file) if key.startswith(f"{8 * dropped}.")]
    unet = catvton_layout.unet_build("tiny")
    before = {key: value.clone() for key, value in unet.state_dict().items()}
    with pytest.raises(AttentionWeightsError, match="6/7 self-attention modules") as error:
        attention_weights_load(unet, _without(file, keys, tmp_path))
    assert f"{self_attention_names(unet)[dropped]}.to_" in str(error.value)
    assert all(torch.equal(value, before[key]) for key, value in unet.state_dict().items())


@pytest.mark.parametrize("change, message", [
    (lambda state: {"bogus.weight": torch.ones(2)}, "fitting nothing"),
    (lambda state: {"0.to_q.weight": torch.ones(3, 3)}, "of the wrong shape"),
    (lambda state: {"64.to_q.weight": state["0.to_q.weight"]}, "more than the UNet's 7"),
])
def test_a_key_that_does_not_fit_fails(catvton_layout, saved, tmp_path, change, message):
    file, _ = saved
    with pytest.raises(AttentionWeightsError, match=message):
        attention_weights_load(catvton_layout.unet_build("tiny"), _without(file, [], tmp_path, change(load_file(file))))


def _check(base: Path, attention: Path, out: Path) -> list[str]:
    return ["check", "--base", str(base), "--attention", str(attention), "--device", "cpu", "--size", "64x48",
            "--steps", "1", "--out", str(out)]


def test_check_reports_the_modules_dtype_and_device_and_saves_a_picture(catvton_models, tmp_path, capsys):
    out = tmp_path / "smoke.png"
    call_command("tryon_models", *_check(**catvton_models, out=out))
    printed = capsys.readouterr().out
    assert "Self-attention modules loaded: 7/7" in printed and "9 input channels, float32 on cpu" in printed
    assert f"Smoke image: {out}" in printed and Image.open(out).size == (48, 64)


def test_check_refuses_a_unet_without_the_inpainting_channels(catvton_layout, catvton_models, tmp_path):
    catvton_layout.unet_build("tiny", in_channels=4).save_pretrained(tmp_path / "unet")
    (tmp_path / "vae").symlink_to(catvton_models["base"] / "vae")
    with pytest.raises(CommandError, match="9 input channels"):
        call_command("tryon_models", *_check(tmp_path, catvton_models["attention"], tmp_path / "smoke.png"))


def test_check_exits_non_zero_when_a_module_is_missing(catvton_models, tmp_path, capsys):
    file = next(catvton_models["attention"].rglob("*.safetensors"))
    broken = _without(file, [key for key in load_file(file) if key.startswith("8.")], tmp_path)
    assert main(_check(catvton_models["base"], broken, tmp_path / "smoke.png")) == 1
    assert "6/7 self-attention modules" in capsys.readouterr().err
    assert not (tmp_path / "smoke.png").exists()


def test_the_check_and_the_benches_run_without_django(catvton_models, tmp_path):
    """The GPU machine has no Django: block it and run the check, and import the bench scripts."""
    code = ("import sys, runpy; sys.modules['django'] = None; sys.path[:0] = ['bench']; "
            "import catvton_layout, tryon_diffusion; "
            "runpy.run_module('tryon.engines.tryon_models', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code, *_check(**catvton_models, out=tmp_path / "smoke.png")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "7/7" in done.stdout


@pytest.fixture(scope="module")
def pipelines(catvton_models):
    return {name: CatVTONPipeline.from_folders(**catvton_models, device="cpu", scheduler=name) for name in SCHEDULERS}


def _render(pipeline, seed=0, steps=2) -> np.ndarray:
    return pipeline(**synthetic_inputs(64, 48), steps=steps, guidance=2.5, seed=seed, report=lambda *args: None)


def test_each_sampler_renders_reproducibly_and_they_differ(pipelines):
    pictures = {name: _render(pipeline) for name, pipeline in pipelines.items()}
    assert all(np.array_equal(picture, _render(pipelines[name])) for name, picture in pictures.items())
    assert not np.array_equal(pictures["dpmsolver++"], pictures["ddim"])
    assert not np.array_equal(pictures["dpmsolver++"], _render(pipelines["dpmsolver++"], seed=1))


def test_an_unknown_sampler_is_refused(catvton_models):
    with pytest.raises(ValueError, match="dpmsolver\\+\\+, unipc"):
        CatVTONPipeline.from_folders(**catvton_models, device="cpu", scheduler="euler")


def test_compiling_warms_up_at_the_size_and_changes_no_pixel(catvton_models):
    pipeline = CatVTONPipeline.from_folders(**catvton_models, device="cpu")
    eager = _render(pipeline)
    assert pipeline.compile(size=(64, 48), guidance=2.5, backend="eager") > 0  # dynamo traces, nothing compiles
    assert pipeline.unet._compiled_call_impl is not None
    assert np.array_equal(_render(pipeline), eager)


def test_settings_choose_the_sampler_the_default_steps_and_compiling(catvton_models, settings, monkeypatch):
    from tryon.engines import get_engine
    from tryon.engines.base import GarmentInput, PersonAnalysis
    from tryon.engines.diffusion import DEFAULT_SIZE
    from tryon.engines_config import engine_settings

    settings.TRYON_DIFFUSION_BASE_PATH = catvton_models["base"]
    settings.TRYON_DIFFUSION_ATTN_PATH = catvton_models["attention"]
    settings.TRYON_DIFFUSION_DEVICE, settings.TRYON_DIFFUSION_SCHEDULER = "cpu", "unipc"
    settings.TRYON_DIFFUSION_STEPS, settings.TRYON_COMPILE = 3, True
    compiled = []
    monkeypatch.setattr(CatVTONPipeline, "compile", lambda self, **options: compiled.append(options))
    inputs, stages = synthetic_inputs(64, 48), []
    engine = get_engine("diffusion", engine_settings())
    engine.render(
        person=Image.fromarray(inputs["person"]), analysis=PersonAnalysis(48, 64, [], inputs["mask"]),
        garment=GarmentInput(Image.fromarray(inputs["garment"]), inputs["mask"], "upper", {}),
        report=lambda progress, stage="": stages.append(stage), options={"size": [64, 48], "mask": inputs["mask"]})
    assert stages == [f"diffusion step {index}/3" for index in (1, 2, 3)]
    assert engine.pipeline().scheduler == "unipc" and compiled == [{"size": DEFAULT_SIZE, "guidance": 2.5}]


def test_download_shows_the_licences_and_fetches_nothing_without_consent(settings, tmp_path, capsys):
    settings.TRYON_MODELS_DIR = tmp_path / "models"
    with pytest.raises(CommandError, match="--accept-licence"):
        call_command("tryon_models", "download")
    printed = capsys.readouterr().out
    assert "CC BY-NC-SA 4.0" in printed and "NON-COMMERCIAL" in printed and "CreativeML OpenRAIL-M" in printed
    assert not settings.TRYON_MODELS_DIR.exists()


def test_download_offline_says_what_to_copy_where(settings, tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)  # what HF_HUB_OFFLINE=1 sets
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    settings.TRYON_MODELS_DIR = tmp_path / "models"
    with pytest.raises(CommandError) as error:
        call_command("tryon_models", "download", "--accept-licence")
    message = str(error.value)
    for needed in ("hf download stable-diffusion-v1-5/stable-diffusion-inpainting", "hf download zhengchong/CatVTON",
                   '--include "mix-48k-1024/attention/*"', f"{tmp_path}/models/base/unet/config.json",
                   f"{tmp_path}/models/catvton/mix-48k-1024/attention/model.safetensors",
                   "--base FOLDER --attention FOLDER --accept-licence"):
        assert needed in message


def _hub_copies(catvton_models, root: Path) -> dict[str, Path]:
    """Local copies as the hub holds them: with the files the engine never reads beside the ones it does."""
    import shutil

    base, catvton = root / "sd-inpainting", root / "CatVTON"
    shutil.copytree(catvton_models["base"], base)
    shutil.copytree(catvton_models["attention"], catvton / "mix-48k-1024")
    for extra in (base / "text_encoder" / "model.safetensors", base / "sd-v1-5-inpainting.ckpt",
                  catvton / "vitonhd-16k-512" / "attention" / "model.safetensors", catvton / "DensePose" / "x.pkl"):
        extra.parent.mkdir(parents=True, exist_ok=True)
        extra.write_bytes(b"never read")
    return {"zhengchong/CatVTON": catvton, "stable-diffusion-v1-5/stable-diffusion-inpainting": base}


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_download_from_local_copies_takes_what_the_engine_reads_and_the_check_passes(catvton_models, settings,
                                                                                       tmp_path, capsys):
    copies, settings.TRYON_MODELS_DIR = _hub_copies(catvton_models, tmp_path), tmp_path / "models"
    call_command("tryon_models", "download", "--base", str(copies["stable-diffusion-v1-5/stable-diffusion-inpainting"]),
                 "--attention", str(copies["zhengchong/CatVTON"]), "--accept-licence")
    assert f"TRYON_DIFFUSION_ATTN_PATH={tmp_path}/models/catvton/mix-48k-1024" in capsys.readouterr().out
    assert _files(tmp_path / "models") == {f"base/{name}" for name in _files(catvton_models["base"])} | {
        "catvton/mix-48k-1024/attention/model.safetensors"}
    call_command("tryon_models", *_check(tmp_path / "models" / "base", tmp_path / "models" / "catvton" / "mix-48k-1024",
                                         tmp_path / "smoke.png"))
    assert "7/7" in capsys.readouterr().out


def test_download_from_the_hub_asks_only_for_what_the_engine_reads(catvton_models, settings, tmp_path, monkeypatch):
    """The network is the one thing replaced: a stand-in snapshot_download serves the local copies."""
    import fnmatch
    import shutil

    import huggingface_hub

    copies, asked = _hub_copies(catvton_models, tmp_path / "hub"), {}

    def snapshot_download(*, repo_id, local_dir, allow_patterns):
        asked[repo_id] = allow_patterns
        for name in _files(copies[repo_id]):
            if any(fnmatch.fnmatch(name, pattern) for pattern in allow_patterns):
                (Path(local_dir) / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(copies[repo_id] / name, Path(local_dir) / name)
        return str(local_dir)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    settings.TRYON_MODELS_DIR = tmp_path / "models"
    call_command("tryon_models", "download", "--accept-licence")
    assert set(asked) == set(copies) and "mix-48k-1024/attention/*" in asked["zhengchong/CatVTON"]
    assert "unet/*.safetensors" in asked["stable-diffusion-v1-5/stable-diffusion-inpainting"]
    assert "catvton/mix-48k-1024/attention/model.safetensors" in _files(tmp_path / "models")
    assert not {"base/sd-v1-5-inpainting.ckpt", "base/text_encoder/model.safetensors"} & _files(tmp_path / "models")
