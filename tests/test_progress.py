"""Progress and cancel: the loops tell a watcher how far they got, and a watcher that stops a
run leaves no output (the promise the QGIS cancel button relies on)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from landgrade.jobs.assign import assign_command
from landgrade.progress import RunCancelled, advance, watching

ROWS = 7


@pytest.fixture()
def points(tmp_path: Path) -> Path:
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"id": range(ROWS)}, crs="EPSG:4326", geometry=shapely.points(
        110.57 + np.arange(ROWS) * 0.001, np.full(ROWS, 27.06))).to_file(path)
    return path


def test_without_a_watcher_advance_does_nothing() -> None:
    advance(1, 2, "rows")  # no watcher: no error, nothing to tell


def test_the_rows_are_told_chunk_by_chunk(points: Path, tmp_path: Path) -> None:
    told: list[tuple[int, int | None, str]] = []
    with watching(lambda done, total, what: told.append((done, total, what))):
        assign_command(points, tmp_path / "out.csv", chunk_size=3, progress=False)
    # A cold cache first builds the grade map, whose grades are told too ("grades").
    seen = [s for s in told if s[2] != "grades"]
    assert [s[0] for s in seen] == [0, 3, 6, ROWS]  # before each chunk of 3, then all done
    assert {s[1] for s in seen} == {ROWS} and {s[2] for s in seen} == {"points.gpkg"}
    advance(5, 9)  # the watcher is gone with the block
    assert len(told) == len(seen) + sum(s[2] == "grades" for s in told)


def test_a_run_stopped_by_its_watcher_leaves_no_file(points: Path, tmp_path: Path) -> None:
    def stop_after_first_chunk(done: int, total: int | None, what: str) -> None:
        if done > 0:
            raise RunCancelled("cancelled")

    out = tmp_path / "out" / "graded.gpkg"
    out.parent.mkdir()
    with watching(stop_after_first_chunk), pytest.raises(RunCancelled):
        assign_command(points, out, chunk_size=3, progress=False)
    assert list(out.parent.iterdir()) == []  # the first chunk was written, then taken away


def test_an_existing_output_survives_a_cancelled_run(points: Path, tmp_path: Path) -> None:
    out = tmp_path / "graded.csv"
    assign_command(points, out, chunk_size=3, progress=False)
    before = out.read_bytes()

    def stop(done: int, total: int | None, what: str) -> None:
        raise RunCancelled("cancelled")

    with watching(stop), pytest.raises(RunCancelled):
        assign_command(points, out, chunk_size=3, progress=False)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graded.csv", "points.gpkg"]


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(
    points: Path, tmp_path: Path
) -> None:
    """A run killed mid-write (kill -9, a QGIS that crashed) leaves its hidden temporary file;
    the next run to the same destination removes it once it is stale, and nothing else."""
    import os
    import time

    from landgrade.io.atomic import STALE_TEMP_SECONDS

    out = tmp_path / "out" / "graded.gpkg"
    out.parent.mkdir()
    stale = out.parent / ".graded.lgtmp-0123456789ab.gpkg"
    fresh = out.parent / ".graded.lgtmp-ba9876543210.gpkg"  # another run writing right now
    other = out.parent / ".other.lgtmp-0123456789ab.gpkg"  # another destination's
    for p in (stale, fresh, other):
        p.write_bytes(b"half")
    old = time.time() - STALE_TEMP_SECONDS - 60
    for p in (stale, other):
        os.utime(p, (old, old))
    assign_command(points, out, chunk_size=3, progress=False)
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(
        [out.name, fresh.name, other.name])
