"""A command piped into a reader that stops early (`landgrade locate … | head`) ends quietly:
no traceback, no `error: Broken pipe`, status 141 as for any program a pipe closed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [
    ["locate", "110.575", "27.06"],
    ["locate", "110.575", "27.06", "--json"],
    ["convert", "110.575", "27.06"],
])
def test_a_closed_pipe_ends_the_command_quietly(args: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    read, write = os.pipe()
    os.close(read)  # the reader has gone before anything is written: every write fails
    try:
        run = subprocess.run([sys.executable, "-m", "landgrade.cli", *args], stdout=write,
                             stderr=subprocess.PIPE, text=True, env=env, timeout=300)
    finally:
        os.close(write)
    assert run.returncode == 141, run.stderr
    assert "Traceback" not in run.stderr and "Broken pipe" not in run.stderr
    assert "BrokenPipeError" not in run.stderr


def test_head_reads_the_first_line_and_the_command_ends_well() -> None:
    """`landgrade locate … | head -1`: the first line, then nothing but an exit 0 or 141."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        f"'{sys.executable}' -m landgrade.cli locate 110.575 27.06 | head -1; "
        "echo \"status=${PIPESTATUS[0]}\"",
        shell=True, executable="/bin/bash", capture_output=True, text=True, env=env, timeout=300)
    lines = run.stdout.splitlines()
    assert len(lines) == 2 and "110.575 27.06" in lines[0], run.stdout
    assert lines[1] in ("status=0", "status=141")
    assert "Traceback" not in run.stderr and "Broken pipe" not in run.stderr
