"""Other counties' wording built on real OpenStreetMap roads, checked at hand-measured points.

``tests/data/osm/longgang_other/table5.txt`` is CONSTRUCTED for this test (not a published
text): the shapes other counties publish — 四至 on diagonal sides (一级1), a 四至 with an offset
side 40 m from a dual carriageway's centreline (一级2), frontage with no depth (二级1: the test
county's ``default_frontage_m``, 30 m), a lead-in ring closing on its first road (二级2), a
one-sided band (三级1) and a turn-by-turn walk (三级2) — on the real roads of
``longgang.osm.pbf`` (© OpenStreetMap contributors, ODbL). The expected grade of every point
of ``longgang_other_points.csv`` was measured by hand from the OSM ways, without the builder,
by ``scripts/measure_longgang_other_wording.py`` (each row says how).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from landgrade.build.grade_map import GradeMap

DATA = Path(__file__).parent / "data" / "osm"
COUNTY = DATA / "longgang_other"
POINTS = pd.read_csv(DATA / "longgang_other_points.csv", dtype={"id": str})


def _cli(args: list[object]):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[GradeMap, str]:
    out = tmp_path_factory.mktemp("other") / "other.gpkg"
    result = _cli(["build", "--county", COUNTY, "--roads", DATA / "longgang.osm.pbf",
                   "--water", DATA / "longgang.osm.pbf",
                   "--extent", DATA / "longgang_extent.geojson", "-o", out,
                   "--lang", "en"])  # the report's English texts are what is checked below
    assert result.exit_code == 0, result.output
    return GradeMap.read(out), result.output


def _grades_at(gm: GradeMap, lon: float, lat: float) -> list[int]:
    p = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(gm.grades.crs).iloc[0]
    return sorted(int(g) for g in gm.grades.loc[gm.grades.contains(p), "grade"])


@pytest.mark.parametrize("pid", POINTS["id"])
def test_every_hand_measured_point_gets_its_grade(built, pid: str) -> None:
    p = POINTS.set_index("id").loc[pid]
    assert _grades_at(built[0], p["lon"], p["lat"]) == [int(p["grade"])], p["how"]


def test_the_build_is_clean_and_says_how_each_area_was_drawn(built) -> None:
    gm, printed = built
    report = gm.report
    # A correct build on real roads: no warning at all, printed or in the report.
    assert "warning" not in printed
    assert (report["status"] == "ok").all(), report[report["status"] != "ok"][
        ["kind", "clause", "item", "warnings"]]
    heads = report[report["kind"].isin(["four_sides", "frontage", "ring", "walk", "residual"])]
    assert heads["clause"].tolist() == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1"]
    by = heads.set_index("clause")
    for clause in ("1.1", "1.2"):  # every side meets the next: closed through the junctions
        assert "closed through the junctions of its sides" in by.loc[clause, "features"]
    assert "depth 30 m: the county's default_frontage_m" in by.loc["2.1", "features"]
    assert "closes on 红棉路, named again at its end" in by.loc["2.2", "features"]
    # The offset side is 40 m from 沈海高速's centreline, halfway between its carriageways.
    offset = report[(report["clause"] == "1.2") & (report["text"] == "沈海高速")]
    assert "40 m S of the centreline, halfway between carriageways" in offset["features"].iloc[0]
    legs = report[(report["clause"] == "3.2") & (report["kind"] == "item")]
    assert len(legs) == 4 and legs["length_m"].iloc[1] == pytest.approx(250.0, abs=0.01)
    assert "back to the start along the line" in legs["features"].iloc[-1]


def test_every_area_keeps_the_text_it_was_read_from(built) -> None:
    gm, _ = built
    rows = (COUNTY / "table5.txt").read_text(encoding="utf-8").splitlines()[1:]
    heads = gm.report[gm.report["source"].fillna("") != ""]
    assert len(heads) == 7
    for clause, source in zip(heads["clause"], heads["source"], strict=True):
        grade = int(clause.split(".")[0])
        assert source in rows[grade - 1], (clause, source)
