"""The import contracts (.importlinter) mean what docs/ARCHITECTURE.md says: on a tiny tree shaped like
the project they pass, and each catches the bad import planted for it. `make test` runs them on the
real code; this guards the contracts themselves (a wildcard or an ignore that quietly allowed
everything would pass there too)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")

CONFIG = Path(__file__).resolve().parent.parent / ".importlinter"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# One module per package, importing only what the layers allow: apps build on the apps below them
# and on the plain libraries (vision, tryon.engines), which build on nothing of the project.
LEGAL_TREE = {
    "core": "",
    "jobs": "import core.m",
    "accounts": "import jobs.m",
    "catalog": "import accounts.m",
    "closet": "import catalog.m",
    "tryon": "import catalog.m\nimport tryon.engines.m",
    "tryon.engines": "import numpy\nimport vision.m",
    "search": "import catalog.m\nimport vision.m\nimport tryon.engines.m",
    "recommend": "import tryon.m\nimport search.m\nimport closet.m",
    "ovdr": "import recommend.m\nimport django",
    "vision": "import numpy",
}


def _lint(root: Path, *contracts: str, planted: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts over LEGAL_TREE plus the `planted` import lines."""
    for package, source in LEGAL_TREE.items():
        folder = root.joinpath(*package.split("."))
        folder.mkdir(parents=True)
        (folder / "__init__.py").touch()
        (folder / "m.py").write_text(f"{source}\n{(planted or {}).get(package, '')}\n")
    options = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run([LINT_IMPORTS, "--config", CONFIG, "--no-cache", *options],
                          cwd=root, capture_output=True, text=True, timeout=60)


def test_a_tree_that_follows_the_layers_keeps_every_contract(tmp_path):
    run = _lint(tmp_path)
    assert run.returncode == 0, run.stdout


@pytest.mark.parametrize(("contract", "package", "bad_import"), [
    ("layers", "catalog", "import closet.m"),  # sideways into a higher layer
    ("layers", "search", "import tryon.m"),  # between the independent apps
    ("layers", "jobs", "import accounts.m"),  # upwards
    ("vision-plain", "vision", "import django.conf"),
    ("vision-plain", "vision", "import catalog.m"),
    ("engines-plain", "tryon.engines", "from django.db import models"),
    ("engines-plain", "tryon.engines", "import tryon.m"),  # tryon outside engines/
    ("core-no-app", "core", "import accounts.m"),
])
def test_each_contract_catches_its_bad_import(tmp_path, contract, package, bad_import):
    run = _lint(tmp_path, contract, planted={package: bad_import})
    assert run.returncode == 1, run.stdout
    assert "BROKEN" in run.stdout
