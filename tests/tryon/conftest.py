"""Tiny random models in CatVTON's file layout, built once by bench/catvton_layout.py (no download)."""

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def catvton_layout():
    """bench/catvton_layout.py, which is a script beside the benches rather than a package."""
    spec = importlib.util.spec_from_file_location(
        "catvton_layout", Path(__file__).resolve().parents[2] / "bench" / "catvton_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def catvton_models(catvton_layout, tmp_path_factory) -> dict[str, Path]:
    """{"base": SD-1.5-like inpainting folder, "attention": a CatVTON version folder}, tiny and random."""
    return catvton_layout.layout_build(tmp_path_factory.mktemp("catvton"))
