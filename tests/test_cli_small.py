"""The command line reads well: --help at 80 columns, `landgrade cache info|clear`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from landgrade.cli.app import app

runner = CliRunner()
COMMANDS = ["prices", "convert", "parse", "build", "audit", "locate", "assign", "map", "export",
            "cache", "cache info", "cache clear", "value", "uses", "report"]


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
    info = runner.invoke(app, ["cache", "info", "--lang", "en"], env=env)
    assert info.exit_code == 0, info.output
    assert str(tmp_path) in info.stdout and entry.name in info.stdout
    assert "2.0 KB" in info.stdout and "1 entries" in info.stdout
    assert "notes.txt" not in info.stdout
    cleared = runner.invoke(app, ["cache", "clear", "--lang", "en"], env=env)
    assert cleared.exit_code == 0, cleared.output
    assert "removed 1 cache entries" in cleared.stdout
    assert not entry.exists() and mine.read_text(encoding="utf-8") == "keep me"


def test_cache_clear_leaves_a_temporary_file_being_written(tmp_path: Path) -> None:
    """Only temporary files untouched for over an hour are left-overs; a fresh one may be a map
    another process is caching right now, and clear says it left it."""
    import os
    import time

    env = {"LANDGRADE_CACHE": str(tmp_path)}
    key = "county-dongkou-0123456789abcdef01234567"
    entry = tmp_path / f"{key}.map.pkl"
    entry.write_bytes(b"x" * 1024)
    now = time.time()
    ages = {"fresh": 5 * 60, "nearly_stale": 59 * 60, "stale": 2 * 3600}
    temps = {}
    for pid, (what, age) in enumerate(ages.items(), start=100):
        temps[what] = tmp_path / f"{key}.index.tmp{pid}"
        temps[what].write_bytes(b"y" * 512)
        os.utime(temps[what], (now - age, now - age))
    cleared = runner.invoke(app, ["cache", "clear", "--lang", "en"], env=env)
    assert cleared.exit_code == 0, cleared.output
    assert not entry.exists() and not temps["stale"].exists()
    assert temps["fresh"].read_bytes() == temps["nearly_stale"].read_bytes() == b"y" * 512
    assert "removed 2 cache entries (1.5 KB)" in cleared.stdout  # the entry and the stale file
    assert "left 2 temporary file(s)" in cleared.stdout
    assert temps["fresh"].name in cleared.stdout and temps["nearly_stale"].name in cleared.stdout


def test_cache_clear_during_a_write_does_not_lose_the_entry(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """`cache clear` run while another process is half-way through pickling an entry: the
    write completes and the entry is there to load."""
    import pickle

    from landgrade.engine import cache

    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path))
    real_dump = pickle.dump
    said: list[str] = []

    def dump_with_a_clear_midway(value, f, protocol=None):
        f.write(b"")  # the temporary file exists, freshly modified
        f.flush()
        said.extend(cache.clear_lines())
        real_dump(value, f, protocol=protocol)

    monkeypatch.setattr(pickle, "dump", dump_with_a_clear_midway)
    target = tmp_path / "map-0123456789abcdef01234567.map.pkl"
    cache._store(target, {"grade": 1})
    monkeypatch.setattr(pickle, "dump", real_dump)
    assert said[0].startswith("removed 0 cache entries") and ".map.tmp" in said[-1]
    assert cache._load(target) == {"grade": 1}
    assert [p.name for p in cache.entries(tmp_path)] == [target.name]


@pytest.mark.parametrize("command", ["clear", "info"])
def test_cache_command_while_a_writer_renames_its_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """Another process finishes an entry (renames ``….tmp<pid>`` to ``….pkl``) just after
    `cache clear`/`info` listed the folder: the command still succeeds (no "error: … No such
    file") and the finished entry is kept."""
    key = "county-dongkou-0123456789abcdef01234567"
    tmp, entry = tmp_path / f"{key}.map.tmp4242", tmp_path / f"{key}.map.pkl"
    tmp.write_bytes(b"z" * 256)
    real_stat = Path.stat

    def stat_then_writer_renames(self: Path, *args, **kwargs):
        st = real_stat(self, *args, **kwargs)
        if self == tmp and not entry.exists():  # the first look at it: the writer finishes now
            tmp.replace(entry)
        return st

    monkeypatch.setattr(Path, "stat", stat_then_writer_renames)
    res = runner.invoke(app, ["cache", command, "--lang", "en"],
                        env={"LANDGRADE_CACHE": str(tmp_path)})
    assert res.exit_code == 0, res.output
    assert ("removed 0 cache entries" if command == "clear" else "0 entries") in res.stdout
    assert entry.read_bytes() == b"z" * 256
