"""Engines by name: built from the settings passed in, once per process, and their option limits
read off the class without building anything."""

import pytest

import tryon.engines
from tryon.engines import engine_class, engine_option_limits, get_engine
from tryon.engines.base import EngineSettings
from tryon.engines.diffusion import DiffusionEngine
from tryon.engines.warp import WarpEngine

CONFIGURED = EngineSettings(diffusion_base_path="/models/base", diffusion_attention_path="/models/catvton",
                            diffusion_device="cpu")


@pytest.fixture(autouse=True)
def _no_engines_built(monkeypatch):
    monkeypatch.setattr(tryon.engines, "_engines", {})


def test_an_engine_is_built_once_for_the_same_settings():
    engine = get_engine("diffusion", CONFIGURED)
    assert isinstance(engine, DiffusionEngine) and engine.settings == CONFIGURED
    assert get_engine("diffusion", EngineSettings(**vars(CONFIGURED))) is engine
    assert isinstance(get_engine("warp", CONFIGURED), WarpEngine)


def test_other_settings_build_a_new_engine_in_place_of_the_old():
    engine = get_engine("diffusion", CONFIGURED)
    other = get_engine("diffusion", EngineSettings(diffusion_base_path="/elsewhere", diffusion_attention_path="/x"))
    assert other is not engine and other.settings.diffusion_base_path == "/elsewhere"
    assert list(tryon.engines._engines) == ["diffusion"]


def test_option_limits_are_the_engine_classes_and_build_nothing():
    assert engine_option_limits("diffusion") is DiffusionEngine.OPTION_LIMITS
    assert engine_option_limits("warp") == DiffusionEngine.OPTION_LIMITS  # accepted, and ignored
    assert engine_option_limits("diffusion")["steps"] == (1, 100)
    assert tryon.engines._engines == {}


def test_diffusion_is_ready_only_with_both_weight_folders_present(tmp_path):
    (tmp_path / "base").mkdir(), (tmp_path / "catvton").mkdir()
    present = EngineSettings(diffusion_base_path=str(tmp_path / "base"),
                             diffusion_attention_path=str(tmp_path / "catvton"))
    assert present.diffusion_ready and present.diffusion_missing == ""
    assert CONFIGURED.diffusion_missing == "its weights are not on this server"  # named, but not here
    assert EngineSettings(diffusion_base_path=str(tmp_path / "base")).diffusion_missing == "no weights are configured"
    assert not EngineSettings().diffusion_ready


def test_an_unknown_engine_is_an_error():
    with pytest.raises(ValueError):
        engine_class("dalle")
    with pytest.raises(ValueError):
        get_engine("dalle", CONFIGURED)
