"""The area kinds of other counties' wording, drawn on the grid town with hand-computed areas.

Grid town (``synthetic.grid_town``): extent 0..1000 × 0..1000; roads 一路…四路 at x = 200…800,
streets 甲街…丁街 at y = 200…800, river 清江 at y = 500, 公安局 a 40 m box 430..470 × 630..670,
水塔 a point at (900, 300). Added here where a test needs them: 五路, a dual carriageway at
x = 595 and 605; an administrative layer of two 街道 (west and east halves of the extent).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, box
from synthetic import grid_town, xy

from landgrade.build.builder import build_grade_map
from landgrade.build.context import BuildError
from landgrade.build.decisions import read_decisions
from landgrade.gazette.rules import (
    AdminArea,
    FourSides,
    Frontage,
    GradeRule,
    Offset,
    Residual,
    RingItem,
    Rules,
    SideBound,
    Walk,
    WalkStep,
)
from landgrade.network.layers import load_network

ORIGIN = xy(0, 0)


def _net(dual: bool = False, admin: bool = False):
    t = grid_town()
    roads = t["roads"]
    if dual:
        extra = gpd.GeoDataFrame(
            {"name": ["五路", "五路"], "road_class": ["主干道"] * 2, "road_id": ["w1", "w2"]},
            geometry=[LineString([xy(595, 0), xy(595, 1000)]),
                      LineString([xy(605, 1000), xy(605, 0)])], crs=4546)
        roads = gpd.GeoDataFrame(pd.concat([roads[roads["name"] != "三路"], extra],
                                           ignore_index=True), crs=4546)
    units = None
    if admin:
        units = gpd.GeoDataFrame(
            {"街道名称": ["西城街道", "东城街道"]},
            geometry=[box(*xy(0, 0), *xy(500, 1000)), box(*xy(500, 0), *xy(1000, 1000))],
            crs=4546)
    net = load_network(roads, t["water"], t["landmarks"], t["extent"], admin=units,
                       name_field={"admin": "街道名称", "*": "name"} if admin else None)
    return net


def _build(area, net=None, default=None, decisions=None):
    rules = Rules((GradeRule(1, (area,)), GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net or _net(), default_frontage_m=default, decisions=decisions)
    head = gm.report[gm.report["clause"] == "1.1"].iloc[0]
    return gm.grades.set_index("grade").geometry.area[1], head, gm


def _side(d: str, *items: RingItem) -> SideBound:
    return SideBound((d,), items)


def test_a_four_sides_whose_sides_meet_is_closed_through_their_junctions() -> None:
    fs = FourSides((_side("N", RingItem("乙街")), _side("E", RingItem("二路")),
                    _side("S", RingItem("甲街")), _side("W", RingItem("一路"))))
    area, head, gm = _build(fs)
    assert area == pytest.approx(200 * 200, abs=1.0)
    assert head["kind"] == "four_sides"
    assert "closed through the junctions of its sides" in head["features"]
    assert (gm.report["status"] == "ok").all()


def test_a_four_sides_with_a_wall_that_meets_nothing_is_the_intersection_of_half_planes() -> None:
    # West side: 公安局's east wall (x = 470, y 630..670), which meets neither 丁街 nor 乙街:
    # the zone is x 470..800 (四路), y 400 (乙街)..800 (丁街).
    wall = RingItem("公安局东围墙", landmark="公安局", edge="E")
    fs = FourSides((_side("N", RingItem("丁街")), _side("E", RingItem("四路")),
                    _side("S", RingItem("乙街")), _side("W", wall)))
    area, head, _ = _build(fs)
    assert area == pytest.approx(330 * 400, abs=1.0)
    assert "intersection of the sides' half-planes" in head["features"]
    assert "西侧" in head["features"] and "do not meet" in head["features"]


def test_a_missing_side_leaves_the_zone_open_to_the_extent_line() -> None:
    # No west side: north of 甲街, south of 乙街, west of 二路 — out to the extent's west edge.
    fs = FourSides((_side("N", RingItem("乙街")), _side("E", RingItem("二路")),
                    _side("S", RingItem("甲街"))))
    area, head, _ = _build(fs)
    assert area == pytest.approx(400 * 200, abs=1.0)
    assert "no 西 side" in head["features"]


def test_an_offset_side_is_measured_from_a_dual_roads_centreline() -> None:
    # West side 20 m east of 五路's centreline (x = 600): x = 620; east 四路 (800); 甲街..乙街.
    fs = FourSides((_side("N", RingItem("乙街")), _side("E", RingItem("四路")),
                    _side("S", RingItem("甲街")),
                    _side("W", RingItem("五路", offset=Offset("E", 20)))))
    area, _, gm = _build(fs, _net(dual=True))
    assert area == pytest.approx(180 * 200, abs=1.0)
    row = gm.report[(gm.report["clause"] == "1.1") & (gm.report["text"] == "五路")]
    assert "20 m E of the centreline, halfway between carriageways" in row["features"].iloc[0]


def test_places_left_out_are_cut_where_the_network_draws_them_as_areas() -> None:
    # 乙街..丁街 × 二路..三路 (200 × 400) less 公安局 (40 × 40); 西山 is in no layer: a warning.
    fs = FourSides((_side("N", RingItem("丁街")), _side("E", RingItem("三路")),
                    _side("S", RingItem("乙街")), _side("W", RingItem("二路"))),
                   exclude_features=("公安局", "西山"))
    area, head, _ = _build(fs)
    assert area == pytest.approx(200 * 400 - 40 * 40, abs=1.0)
    assert "minus 公安局 (1,600 m²)" in head["features"]
    assert "西山 not cut out" in head["warnings"]


def test_frontage_without_a_depth_takes_the_county_default_or_a_decision(tmp_path) -> None:
    both = Frontage((RingItem("丙街"),))
    area, head, _ = _build(both, default=25)
    assert area == pytest.approx(1000 * 50, abs=1.0)
    assert "depth 25 m: the county's default_frontage_m" in head["features"]
    with pytest.raises(BuildError, match=r"gives no depth.*default_frontage_m.*width:<metres>"):
        _build(both)
    path = tmp_path / "decisions.csv"
    path.write_text("clause,item,text,resolve_as,note\n"
                    "1.1,width,frontage,width:15,the county's practice for 沿街 frontage\n",
                    encoding="utf-8")
    area, head, _ = _build(both, decisions=read_decisions(path))
    assert area == pytest.approx(1000 * 30, abs=1.0)
    assert "width:15" in head["decision"]


def test_a_one_sided_band_is_measured_from_the_centreline() -> None:
    # 五路东侧30米: from the centreline x = 600 to x = 630, over the extent's height.
    area, _, _ = _build(Frontage((RingItem("五路"),), "E", 30), _net(dual=True))
    assert area == pytest.approx(30 * 1000, abs=1.0)


def test_a_walk_is_traced_leg_by_leg() -> None:
    # From 水塔 (900, 300) north to 丙街 (y 600), west to where 三路 crosses 丙街 (600, 600),
    # south along 三路 to 甲街
    # (y 200), east until abreast of 水塔 (x 900), back to the start: 300 × 400.
    steps = (WalkStep("start", (RingItem("水塔"),), "E"), WalkStep("head", direction="N"),
             WalkStep("to", (RingItem("丙街"),)), WalkStep("turn", direction="W"),
             WalkStep("cross", (RingItem("四路"),)),
             WalkStep("to", (RingItem("三路"), RingItem("丙街"))),
             WalkStep("turn", direction="S"), WalkStep("along", (RingItem("三路"),)),
             WalkStep("to", (RingItem("甲街"),)), WalkStep("turn", direction="E"),
             WalkStep("cross", (RingItem("二路"),)), WalkStep("to", (RingItem("水塔"),)),
             WalkStep("close"))
    area, head, gm = _build(Walk(steps))
    assert area == pytest.approx(300 * 400, abs=1.0)
    legs = gm.report[(gm.report["clause"] == "1.1") & (gm.report["kind"] == "item")]
    assert legs["length_m"].round(1).tolist() == [300.0, 300.0, 400.0, 300.0, 100.0]
    # The east leg (x 600 → 900) crosses 四路 but not 二路, as the text (wrongly) says.
    assert "does not cross 二路" in legs["warnings"].iloc[3]
    assert head["status"] == "ok"


def test_an_administrative_area_is_the_units_polygons() -> None:
    net = _net(admin=True)
    area, head, _ = _build(AdminArea(("东城街道办事处",)), net)
    assert area == pytest.approx(500 * 1000, abs=1.0)
    assert "东城街道办事处 as 东城街道" in head["features"]
    area, head, _ = _build(AdminArea(("东城街道",), part="部分地域"), net)
    assert "drawn whole" in head["warnings"]
    with pytest.raises(BuildError, match=r"no unit named '南城街道'.*closest"):
        _build(AdminArea(("南城街道",)), net)
    with pytest.raises(BuildError, match=r"--admin FILE --admin-field NAME"):
        _build(AdminArea(("东城街道",)), _net())


def test_a_walk_along_a_road_in_sections_goes_on_across_the_gap() -> None:
    # 六路 runs north along x = 700 in two sections, 60 m apart (y 470..530): from its crossing
    # with 甲街 (700, 200), along 六路 north to 丙街 (y 600), west to 三路 (x 600), south along
    # 三路 to 甲街, back along 甲街 to the start: 100 × 400.
    t = grid_town()
    extra = gpd.GeoDataFrame(
        {"name": ["六路", "六路"], "road_class": ["支路"] * 2, "road_id": ["s1", "s2"]},
        geometry=[LineString([xy(700, 0), xy(700, 470)]),
                  LineString([xy(700, 530), xy(700, 1000)])], crs=4546)
    roads = gpd.GeoDataFrame(pd.concat([t["roads"], extra], ignore_index=True), crs=4546)
    net = load_network(roads, t["water"], t["landmarks"], t["extent"])
    steps = (WalkStep("start", (RingItem("六路"), RingItem("甲街")), "S"),
             WalkStep("along", (RingItem("六路"),)), WalkStep("head", direction="N"),
             WalkStep("to", (RingItem("丙街"),)), WalkStep("turn", direction="W"),
             WalkStep("to", (RingItem("三路"),)), WalkStep("turn", direction="S"),
             WalkStep("along", (RingItem("三路"),)), WalkStep("to", (RingItem("甲街"),)),
             WalkStep("along", (RingItem("甲街"),)), WalkStep("head", direction="E"),
             WalkStep("close"))
    area, _, gm = _build(Walk(steps), net)
    assert area == pytest.approx(100 * 400, abs=1.0)
    legs = gm.report[(gm.report["clause"] == "1.1") & (gm.report["kind"] == "item")]
    assert "across a gap between sections" in legs["features"].iloc[0]
    assert "back to the start along the line" in legs["features"].iloc[-1]
