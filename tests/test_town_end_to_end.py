"""A second town, end to end through the command line: text → parse → build → assign.

清水镇 is drawn here independently of the builder's own grid town: three north–south streets
(东风路 x=500, 人民路 x=1000, 建设路 x=1500), three east–west ones (解放路 y=1500, 胜利路 y=1200,
南环路 y=500), the river 清水河 along y=1000 and the ditch 排水渠 along x=1800 south of it, in a
2 km square extent (local metres, offset into EPSG:4546). Hand computation of TABLE5:

- grade 1 = ring 东风路–解放路–人民路–清水河, 500 × 500 (250 000) + 东风路 west strip 20 × 500
  (10 000) + 解放路 north strip 20 × 500 (10 000) + 人民路 east strip 16 × 300 from 解放路 to 胜利路
  (4 800) and 30 × 200 from 胜利路 to 清水河 (6 000) + the 建设路 corridor 40 × 500 (20 000)
  = 300 800.
- grade 2 = north of 清水河 and west of 人民路, 1000 × 1000, minus grade 1 there (250 000 + 10 000
  + 10 000) = 730 000.
- grade 3 = ring 东风路–南环路–排水渠–清水河, 1300 × 500 + 东风路 west strip 20 × 500 = 660 000,
  minus the grade-1 corridor inside it (20 000) = 640 000; + the 人民路 corridor north of 解放路,
  40 × 500, whose west half is grade 2 already: 10 000. Total 650 000.
- grade 4 = 4 000 000 − 300 800 − 730 000 − 650 000 = 2 319 200.
"""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon
from typer.testing import CliRunner

from landgrade.build.grade_map import GradeMap
from landgrade.cli.app import app

X0, Y0 = 450_000.0, 2_990_000.0
CRS = "EPSG:4546"

TABLE5 = """级别\t级别范围描述
一级\t1、东风路（含西侧20米）－解放路（含北侧20米）－人民路（含东侧16米；胜利路口至清水河段东侧为30米）－清水河所围成区域；2、建设路道路（清水河至南环路口段）两侧各20米区域。
二级\t1、清水河以北－人民路以西区域（除一级区域以外）。
三级\t1、清水河以南：东风路（含西侧20米）－南环路－排水渠－清水河所围成的区域（除一、二级区域以外）；2、人民路道路两侧20米（解放路口至边界范围路段）。
四级\t定级范围一、二、三级以外其他区域。
"""

ROUTES = """id,name,from,to,grade,road_class,standard_depth_m,price
A01,人民路 1,解放路口,胜利路口,1,主干道,20,5000
A02,解放路 1,东风路口,人民路口,1,次干道,16,4000
B03,东风路 2,清水河,南环路口,3,主干道,20,2000
C04,南环路 1,东风路口,排水渠,3,支路,12,1500
D05,建设路 2,胜利路口,边界范围,4,主干道,20,900
"""

AREAS = {1: 300_800.0, 2: 730_000.0, 3: 650_000.0, 4: 2_319_200.0}
LENGTHS = {"A01": 300.0, "A02": 500.0, "B03": 500.0, "C04": 1300.0, "D05": 800.0}

# (local x, local y, grade): strips, the override, corridors, region, residual, outside.
POINTS = [
    (750, 1250, 1),   # inside the grade-1 ring
    (490, 1250, 1),   # 东风路 west strip (20 m)
    (470, 1250, 2),   # beyond it: the region north of the river, west of 人民路
    (1010, 1400, 1),  # 人民路 east strip, 16 m between 解放路 and 胜利路
    (1020, 1400, 4),  # past those 16 m
    (1025, 1100, 1),  # inside the 30 m override between 胜利路 and 清水河
    (1500, 700, 1),   # 建设路 corridor
    (1530, 700, 3),   # beside it, inside the grade-3 ring
    (1010, 1800, 3),  # east half of the 人民路 corridor north of 解放路
    (100, 800, 4),    # south of the river, west of the grade-3 ring's strip
    (1900, 800, 4),   # east of 排水渠
    (3000, 3000, None),  # outside the extent
]


def _line(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("qingshui")
    gpd.GeoDataFrame(
        {"name": ["东风路", "人民路", "建设路", "解放路", "胜利路", "南环路"]},
        geometry=[_line((500, 0), (500, 2000)), _line((1000, 0), (1000, 2000)),
                  _line((1500, 0), (1500, 2000)), _line((0, 1500), (2000, 1500)),
                  _line((0, 1200), (2000, 1200)), _line((0, 500), (2000, 500))],
        crs=CRS,
    ).to_file(d / "roads.shp", encoding="utf-8")
    gpd.GeoDataFrame(
        {"name": ["清水河", "排水渠"]},
        geometry=[_line((-100, 1000), (2100, 1000)), _line((1800, 0), (1800, 1000))], crs=CRS,
    ).to_file(d / "water.geojson")
    square = Polygon([(X0, Y0), (X0 + 2000, Y0), (X0 + 2000, Y0 + 2000), (X0, Y0 + 2000)])
    gpd.GeoDataFrame({"name": ["extent"]}, geometry=[square], crs=CRS).to_file(d / "extent.gpkg")
    (d / "table5.txt").write_text(TABLE5, encoding="utf-8")
    (d / "routes.csv").write_text(ROUTES, encoding="utf-8")
    result = CliRunner().invoke(app, [
        "build", "--rules", str(d / "table5.txt"), "--roads", str(d / "roads.shp"),
        "--water", str(d / "water.geojson"), "--extent", str(d / "extent.gpkg"),
        "--routes", str(d / "routes.csv"), "-o", str(d / "grades.gpkg"), "--quiet",
    ])
    assert result.exit_code == 0, result.output
    return d


def test_grade_areas_match_the_hand_computation(town: Path) -> None:
    grades = GradeMap.read(town / "grades.gpkg").grades.set_index("grade")
    for grade, expected in AREAS.items():
        assert grades.geometry[grade].area == pytest.approx(expected, rel=1e-6), grade


def test_grades_partition_the_extent(town: Path) -> None:
    gm = GradeMap.read(town / "grades.gpkg")
    geoms = gm.grades.geometry.to_numpy()
    union = shapely.union_all(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(union.area, abs=1e-2)
    assert union.symmetric_difference(gm.extent.geometry.iloc[0]).area < 1e-2


def test_routes_follow_their_roads_between_the_named_junctions(town: Path) -> None:
    routes = GradeMap.read(town / "grades.gpkg").routes.set_index("id")
    for rid, length in LENGTHS.items():
        assert routes.geometry[rid].length == pytest.approx(length, rel=1e-6), rid
    # 建设路 2 runs north from 胜利路 to the extent line, not south.
    ys = shapely.get_coordinates(routes.geometry["D05"])[:, 1] - Y0
    assert sorted(ys.round(3)) == [1200.0, 2000.0]


def test_assign_gives_each_hand_checked_point_its_grade(town: Path) -> None:
    with (town / "points.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["pid", "x", "y"])
        for i, (x, y, _) in enumerate(POINTS):
            w.writerow([f"p{i}", X0 + x, Y0 + y])
    result = CliRunner().invoke(app, [
        "assign", str(town / "points.csv"), "-o", str(town / "graded.csv"),
        "--map", str(town / "grades.gpkg"), "--crs", CRS, "--no-progress",
    ])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(town / "graded.csv")
    assert list(out["pid"]) == [f"p{i}" for i in range(len(POINTS))]
    expected = [g for _, _, g in POINTS]
    got = [None if pd.isna(g) else int(g) for g in out["grade"]]
    assert got == expected
    assert list(out["status"]) == ["ok"] * (len(POINTS) - 1) + ["outside_extent"]
    # (1010, 1400) is 10 m from 人民路 1, inside its 20 m standard depth.
    assert out.loc[3, "route_id"] == "A01" and out.loc[3, "route_m"] == pytest.approx(10.0)
    assert bool(out.loc[3, "route_in"])


def test_whole_road_corridors_run_the_road_inside_the_extent(town: Path) -> None:
    """建设路 (2 000 m in the extent) and 清水河 (2 200 m, 100 m beyond each edge), 20 m a side."""
    from landgrade.build.builder import build_grade_map
    from landgrade.gazette.parse import parse_rules
    from landgrade.network.layers import load_network

    rules = parse_rules("一级\t1、建设路两侧各20米区域；2、清水河两侧各20米区域。\n"
                        "二级\t定级范围一级以外其他区域。")
    network = load_network(town / "roads.shp", water=town / "water.geojson",
                           extent=town / "extent.gpkg")
    grades = build_grade_map(rules, network).grades.set_index("grade")
    # 40 × 2000 twice, less the 40 × 40 square where the two cross.
    assert grades.geometry[1].area == pytest.approx(2 * 40 * 2000 - 40 * 40, rel=1e-9)
    assert grades.geometry[2].area == pytest.approx(4_000_000 - 158_400, rel=1e-9)
