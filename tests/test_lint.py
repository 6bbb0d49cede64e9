"""The code passes the project's ruff configuration (pyproject.toml), as a guardrail."""

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent


def test_ruff_is_clean():
    beside_python = str(pathlib.Path(sys.executable).parent)
    ruff = shutil.which("ruff") or shutil.which("ruff", path=beside_python)
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    result = subprocess.run([ruff, "check", "graphflow", "keras_frontend", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
