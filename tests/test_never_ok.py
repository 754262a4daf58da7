"""A result that cannot be right is never reported as ok: a report warning names the clause, and
``--strict`` fails on it.

Each case is built on the grid town (``synthetic.grid_town``; extent 0..1000 × 0..1000, streets
甲街…丁街 at y = 200…800, roads 一路…四路 at x = 200…800, river 清江 at y = 500).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString
from synthetic import TABLE5, grid_town, town_polygon, write_town, xy

from landgrade.build.builder import BuildInputs, build_from, build_grade_map
from landgrade.build.context import BuildError
from landgrade.build.report import IMPOSSIBLE
from landgrade.gazette.rules import Bound, GradeRule, Region, Residual, Ring, RingItem, Rules
from landgrade.network.layers import load_network

RING_1 = Ring((RingItem("一路"), RingItem("甲街"), RingItem("二路"), RingItem("乙街")))


def _impossible(gm) -> pd.DataFrame:
    r = gm.report
    return r[r["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)]


def _net(roads=None, extent=None):
    t = grid_town()
    return load_network(roads if roads is not None else t["roads"], t["water"], t["landmarks"],
                        extent if extent is not None else t["extent"])


def _with_road(name: str, line: LineString) -> gpd.GeoDataFrame:
    roads = grid_town()["roads"]
    extra = gpd.GeoDataFrame({"name": [name], "road_class": ["支路"], "road_id": ["x1"]},
                             geometry=[line], crs=roads.crs)
    return pd.concat([roads, extra], ignore_index=True)


def test_a_clean_build_has_no_impossible_rows():
    rules = Rules((GradeRule(1, (RING_1,)), GradeRule(2, (Residual(),))))
    assert _impossible(build_grade_map(rules, _net())).empty


def test_a_half_plane_beside_the_extent_covers_all_or_nothing():
    # 外路 runs 50 m south of the extent: 以北 of it is the whole extent, 以南 is nothing.
    roads = _with_road("外路", LineString([xy(0, -50), xy(1000, -50)]))
    rules = Rules((GradeRule(1, (Region((Bound("外路", "N"),)),)), GradeRule(2, (Residual(),))))
    bad = _impossible(build_grade_map(rules, _net(roads)))
    assert set(bad["clause"]) >= {"1.1", "2"}  # the bound, and grade 2 left with nothing
    assert bad["warnings"].str.contains("外路以北 covers the whole extent").any()
    assert bad["warnings"].str.contains("grade 2 ends with no area").any()


def test_a_grade_that_higher_grades_took_entirely_has_no_area():
    rules = Rules((GradeRule(1, (RING_1,)), GradeRule(2, (RING_1,)), GradeRule(3, (Residual(),))))
    bad = _impossible(build_grade_map(rules, _net()))
    row = bad[bad["kind"] == "grade"]
    assert list(row["clause"]) == ["2"]


def test_a_strip_on_a_tenth_of_its_stretch_is_flagged():
    # 甲街 runs 200 m between 一路 and 二路; the qualifier keeps 10 m of its strip (5 %).
    item = RingItem("甲街", "S", 20, qualifier="一路路口往东10米")
    ring = Ring((RingItem("一路"), item, RingItem("二路"), RingItem("乙街")))
    gm = build_grade_map(Rules((GradeRule(1, (ring,)), GradeRule(2, (Residual(),)))), _net())
    bad = _impossible(gm)
    assert len(bad) == 1 and bad.iloc[0]["item"] == "2"
    assert "10.0 m of its 200.0 m stretch" in bad.iloc[0]["warnings"]


def test_an_extension_of_a_line_already_reaching_the_extent_is_flagged():
    # 清江 drawn in two pieces 60 m apart (a gap no snap closes): its west piece's loose end is
    # extended although the river already reaches the extent line on both sides.
    t = grid_town()
    water = t["water"].copy()
    split = gpd.GeoDataFrame(
        {"name": ["清江", "清江"]},
        geometry=[LineString([xy(0, 500), xy(470, 500)]),
                  LineString([xy(530, 500), xy(1000, 500)])], crs=water.crs)
    water = pd.concat([water[water["name"] != "清江"], split], ignore_index=True)
    net = load_network(t["roads"], water, t["landmarks"], t["extent"])
    rules = Rules((GradeRule(1, (Region((Bound("清江", "N"),)),)), GradeRule(2, (Residual(),))))
    bad = _impossible(build_grade_map(rules, net))
    assert bad["warnings"].str.contains("already reaches the extent line on both sides").any()


def test_a_ring_taking_most_of_the_extent_is_flagged():
    # The ring 一路-甲街-四路-丁街 (600 × 600) in an extent of 800 × 800 takes 56 %.
    extent = gpd.GeoDataFrame(geometry=[town_polygon([(100, 100), (900, 100), (900, 900),
                                                      (100, 900)])], crs=4546)
    ring = Ring((RingItem("一路"), RingItem("甲街"), RingItem("四路"), RingItem("丁街")))
    gm = build_grade_map(Rules((GradeRule(1, (ring,)), GradeRule(2, (Residual(),)))),
                         _net(extent=extent))
    bad = _impossible(gm)
    assert list(bad["kind"]) == ["ring"] and "56% of the extent" in bad.iloc[0]["warnings"]


def test_strict_fails_on_a_result_that_cannot_be_right(tmp_path):
    # Grade 2's first area repeats grade 1's ring, and grade 3 is the same region as grade 2's
    # second: grade 3 ends with no area.
    text = TABLE5.replace("三级\t1、清江以南－沟渠以西区域（除一、二级区域以外）。",
                          "三级\t1、清江以北－二路以西区域。")
    folder = write_town(tmp_path / "town", table5=text)
    gm = build_from(BuildInputs(county=folder))
    assert gm.report.loc[gm.report["kind"] == "grade", "status"].tolist()[2] == "warning"
    with pytest.raises(BuildError, match=r"--strict: grade 3: cannot be right: grade 3 ends"):
        build_from(BuildInputs(county=folder, strict=True))


def test_the_geometry_of_every_clause_is_kept_for_review():
    gm = build_grade_map(Rules((GradeRule(1, (RING_1,)), GradeRule(2, (Residual(),)))), _net(),
                         routes=pd.DataFrame({"id": ["A02"], "name": ["甲街 2"], "from": ["一路口"],
                                              "to": ["二路口"]}))
    c = gm.clauses
    path = c[(c["kind"] == "ring") & (c["role"] == "path")].geometry.iloc[0]
    assert path.length == pytest.approx(800.0)  # 200 × 200 ring
    ring = c[(c["kind"] == "ring") & (c["role"] == "area")].geometry.iloc[0]
    assert ring.area == pytest.approx(40_000.0)
    corners = c[(c["kind"] == "junction") & (c["role"] == "point")].geometry
    got = sorted((round(p.x - xy(0, 0)[0]), round(p.y - xy(0, 0)[1])) for p in corners)
    assert got == [(200, 200), (200, 400), (400, 200), (400, 400)]
    route = c[(c["kind"] == "route") & (c["role"] == "line")]
    assert route.geometry.iloc[0].length == pytest.approx(200.0)
    # Each row points at its report row.
    assert (gm.report.iloc[route["report_row"].iloc[0]]["clause"]) == "A02"


def _with_roads(name: str, lines: list[LineString]) -> gpd.GeoDataFrame:
    roads = grid_town()["roads"]
    extra = gpd.GeoDataFrame({"name": [name] * len(lines), "road_class": ["支路"] * len(lines),
                              "road_id": [f"x{k}" for k in range(len(lines))]},
                             geometry=lines, crs=roads.crs)
    return pd.concat([roads, extra], ignore_index=True)


def test_a_road_in_two_sections_divides_the_extent_as_a_whole():
    # 戊路 comes in from the north edge at x = 300 down to y = 700, then (after a gap where the
    # junction area is drawn under other names) runs from (400, 600) east to 四路 at x = 800.
    # Its facing ends are joined across the 141.4 m gap and its east end extended to x = 1000:
    # north of it is the rectangle 300..1000 × 600..1000 less the corner triangle (300, 600),
    # (400, 600), (300, 700): 280 000 − 5 000 m². Extending each loose end straight on instead
    # would cross the rays and take the west strip above y = 600 as well.
    roads = _with_roads("戊路", [LineString([xy(300, 1000), xy(300, 700)]),
                                 LineString([xy(400, 600), xy(800, 600)])])
    rules = Rules((GradeRule(1, (Region((Bound("戊路", "N"),)),)), GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, _net(roads))
    areas = gm.grades.set_index("grade").geometry.area
    assert abs(areas[1] - 275_000) < 1.0
    bound = gm.report[(gm.report["clause"] == "1.1") & (gm.report["kind"] == "item")].iloc[0]
    assert "in sections 141.4 m apart" in bound["warnings"]
    assert bound["status"] == "warning" and _impossible(gm).empty


def test_a_dual_carriageway_leaving_the_extent_on_one_side_is_not_flagged():
    # 己路 as two carriageways (x = 590 and 610) from beyond the north edge down to y = 300:
    # it leaves the extent in one place, so extending its south ends is normal, not a loose
    # piece. East of the road as a whole is east of the east carriageway: 390 × 1000 m².
    roads = _with_roads("己路", [LineString([xy(590, 1050), xy(590, 300)]),
                                 LineString([xy(610, 300), xy(610, 1050)])])
    rules = Rules((GradeRule(1, (Region((Bound("己路", "E"),)),)), GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, _net(roads))
    assert _impossible(gm).empty
    assert abs(gm.grades.set_index("grade").geometry.area[1] - 390_000) < 1.0
