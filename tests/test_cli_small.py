"""The command line reads well: --help at 80 columns, `landgrade cache info|clear`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from landgrade.cli import app

runner = CliRunner()
COMMANDS = ["prices", "convert", "parse", "build", "audit", "locate", "assign", "map", "export",
            "cache", "cache info", "cache clear"]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns_without_cutting_words(command: str) -> None:
    res = runner.invoke(app, [*command.split(), "--help"], terminal_width=80,
                        env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    lines = res.stdout.split("\n")
    assert max(len(line) for line in lines) <= 80
    assert "..." not in res.stdout.replace("[ARGS]...", "")  # click cuts short help with ...
    assert not any(ch in res.stdout for ch in "╭│╰")  # plain text, no boxes


def test_cache_info_and_clear_touch_only_the_cache_entries(tmp_path: Path) -> None:
    env = {"LANDGRADE_CACHE": str(tmp_path)}
    entry = tmp_path / "county-dongkou-0123456789abcdef01234567.map.pkl"
    entry.write_bytes(b"x" * 2048)
    mine = tmp_path / "notes.txt"  # a shared folder's other files are not the cache's
    mine.write_text("keep me", encoding="utf-8")
    info = runner.invoke(app, ["cache", "info"], env=env)
    assert info.exit_code == 0, info.output
    assert str(tmp_path) in info.stdout and entry.name in info.stdout
    assert "2.0 KB" in info.stdout and "1 entries" in info.stdout
    assert "notes.txt" not in info.stdout
    cleared = runner.invoke(app, ["cache", "clear"], env=env)
    assert cleared.exit_code == 0, cleared.output
    assert "removed 1 cache entries" in cleared.stdout
    assert not entry.exists() and mine.read_text(encoding="utf-8") == "keep me"
