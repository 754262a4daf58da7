"""A county folder with no price tables (only its grade-zone text, roads and extent) answers
grades without prices, and a map built from a county folder finds that folder again.

The folder is the grid town (``synthetic.write_town``: layers, ``table5.txt``, ``routes.csv``,
``metadata.json``; no ``uses.csv`` or ``urban_prices.csv``). The point (300, 300) lies inside
the ring 一路-甲街-二路-乙街 (x 200..400, y 200..400): grade 1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from synthetic import write_town, xy
from typer.testing import CliRunner

from landgrade.build.grade_map import GradeMap
from landgrade.cli.app import app

X, Y = xy(300, 300)


def _run(args: list[object], cache: Path):
    return CliRunner().invoke(app, [str(a) for a in args], env={"LANDGRADE_CACHE": str(cache)})


@pytest.fixture()
def town(tmp_path: Path) -> Path:
    folder = write_town(tmp_path / "counties" / "grid town")
    assert not (folder / "urban_prices.csv").exists() and not (folder / "uses.csv").exists()
    return folder


def _answer(output: str) -> dict:
    # The runner mixes stderr (the notes) into the output: the answer is the JSON object in it.
    return json.JSONDecoder().raw_decode(output[output.index("{"):])[0]


def test_locate_on_a_folder_without_price_tables_gives_the_grade_and_says_why(
        town: Path, tmp_path: Path) -> None:
    res = _run(["locate", X, Y, "--crs", "EPSG:4546", "--county", town, "--json"],
               tmp_path / "cache")
    assert res.exit_code == 0, res.output
    answer = _answer(res.output)
    assert answer["grade"] == 1 and answer["prices"] == {} and answer["status"] == "ok"
    assert "no price tables (urban_prices.csv), so grades only" in res.output
    assert "error" not in res.output


def test_a_map_built_from_a_folder_records_it_relative_to_the_map_and_finds_it(
        town: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "maps" / "2024" / "grid.gpkg"
    out.parent.mkdir(parents=True)
    res = _run(["build", "--county", town, "-o", out, "--quiet"], tmp_path / "cache")
    assert res.exit_code == 0, res.output
    import pyogrio

    table = pyogrio.read_dataframe(out, layer="metadata", read_geometry=False)
    meta = dict(zip(table["key"], table["value"], strict=True))
    assert meta["county_folder"] == "../../counties/grid town"
    assert GradeMap.read(out).metadata["county_folder"] == str(town.resolve())
    # Moved together (the map and the folder keep their places relative to each other) and
    # asked from anywhere: --map finds the county, which has no prices: a note, not a warning.
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "maps", moved / "maps")
    shutil.copytree(tmp_path / "counties", moved / "counties")
    shutil.rmtree(tmp_path / "counties")
    monkeypatch.chdir(tmp_path)
    res = _run(["locate", X, Y, "--crs", "EPSG:4546", "--map", moved / "maps/2024/grid.gpkg",
                "--json"], tmp_path / "cache")
    assert res.exit_code == 0, res.output
    assert _answer(res.output)["grade"] == 1
    assert "elsewhere/counties/grid town: the county folder has no price tables" in res.output
    assert "no county tables match this map" not in res.output


def test_a_map_whose_folder_is_gone_still_answers_grades(town: Path, tmp_path: Path) -> None:
    out = tmp_path / "grid.gpkg"
    assert _run(["build", "--county", town, "-o", out, "--quiet"], tmp_path / "c").exit_code == 0
    shutil.rmtree(town)
    res = _run(["locate", X, Y, "--crs", "EPSG:4546", "--map", out, "--json"], tmp_path / "c")
    assert res.exit_code == 0, res.output
    assert _answer(res.output)["grade"] == 1
    assert "no county tables match this map, so no prices; pass --county FOLDER" in res.output
