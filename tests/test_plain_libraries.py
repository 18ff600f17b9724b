"""vision/ and tryon/engines/ are plain libraries: importing every module of one, in a fresh
interpreter with no Django settings, loads neither Django nor any project code beyond what it may
use, and (for the engines) not torch either, which only the diffusion engine's first render loads."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))
ALLOWED = {"vision": ("vision",), "tryon.engines": ("vision", "tryon.engines")}  # and the packages above them
PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
lazy = {package.__name__ + ".catvton"}  # CatVTON itself is torch: loaded with the model, not before
names = [info.name for info in pkgutil.iter_modules(package.__path__, package.__name__ + ".")]
for name in names:
    if name not in lazy:
        importlib.import_module(name)
torch = "torch" in sys.modules
for name in lazy & set(names):
    importlib.import_module(name)
print(json.dumps({"modules": sorted(sys.modules), "torch": torch}))
"""


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_library_imports_no_django_and_no_other_project_code(package):
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    probe = subprocess.run([sys.executable, "-c", PROBE, package], capture_output=True, text=True, env=env,
                           cwd=ROOT, check=True)
    found = json.loads(probe.stdout.splitlines()[-1])
    assert not [name for name in found["modules"] if name.split(".")[0] == "django"]
    project = {name for name in found["modules"] if name.split(".")[0] in PROJECT}
    allowed = ALLOWED[package]
    outside = {name for name in project if not any(
        name.startswith(home + ".") or home == name or home.startswith(name + ".") for home in allowed)}
    assert not outside, sorted(outside)
    assert not found["torch"]
