"""The code base stays ruff clean: a lint failure is a test failure, not a reviewer's chore."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean() -> None:
    # The ruff of this interpreter's environment (the test extras install it) comes first: a
    # different ruff on PATH may know other rules. A missing ruff fails; it is not skipped.
    beside = Path(sys.executable).with_name("ruff")
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed: pip install '.[test]'"
    r = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks", "scripts"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr
