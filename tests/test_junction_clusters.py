"""A junction is a cluster of crossings: a dual carriageway met at one junction is no ambiguity,
two junctions far apart are.

The real case is the Longgang OSM build (``tests/data/osm``, © OpenStreetMap contributors,
ODbL): every ring junction there is two dual carriageways crossing, every Table 7 route runs on
a dual carriageway, and the build is correct (``tests/test_osm_real.py`` checks its points and
lengths), so it must print no "N crossings" or "N possible stretches" warning. The constructed
case is the grid town (``synthetic.grid_town``) with 五路, a dual carriageway (x = 595 and
605), and 曲江, a river that crosses it twice, at y = 300 and y = 700: 400 m apart, two real
junctions.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString
from synthetic import grid_town, xy

from landgrade.build.builder import build_grade_map
from landgrade.build.grade_map import GradeMap
from landgrade.gazette.rules import Corridor, GradeRule, Residual, Ring, RingItem, Rules
from landgrade.network.junctions import BaseLine, JunctionResolver, parse_endpoint
from landgrade.network.layers import load_network

DATA = Path(__file__).parent / "data" / "osm"
AMBIGUOUS = ("crossings of", "possible stretches")


def _cli(args: list[object]):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def longgang(tmp_path_factory: pytest.TempPathFactory) -> tuple[GradeMap, str]:
    out = tmp_path_factory.mktemp("clusters") / "longgang.gpkg"
    result = _cli(["build", "--rules", DATA / "longgang_table5.txt",
                   "--roads", DATA / "longgang.osm.pbf", "--water", DATA / "longgang.osm.pbf",
                   "--extent", DATA / "longgang_extent.geojson",
                   "--routes", DATA / "longgang_routes.csv", "-o", out])
    assert result.exit_code == 0, result.output
    return GradeMap.read(out), result.output


def test_a_correct_real_osm_build_prints_no_junction_or_stretch_warning(longgang) -> None:
    gm, printed = longgang
    assert not any(w in printed for w in AMBIGUOUS), printed
    report = gm.report
    warned = report["warnings"].fillna("")
    assert not warned.str.contains("|".join(AMBIGUOUS)).any()
    # Every junction and route row is ok; the junctions met on two carriageways say so.
    rows = report[report["kind"].isin(["junction", "route"])]
    assert (rows["status"] == "ok").all(), rows[rows["status"] != "ok"]
    junctions = report[report["kind"] == "junction"]
    dual = junctions["features"].str.contains("crossing points in 1 junction(s)", regex=False)
    assert dual.sum() >= 6, junctions[["item", "features"]]


def test_both_carriageways_crossed_are_one_junction_on_the_real_roads() -> None:
    net = load_network(DATA / "longgang.osm.pbf", extent=DATA / "longgang_extent.geojson")
    resolver = JunctionResolver(net, 2.0)
    # 龙岗大道's carriageways are 31.7 m apart where 荷坳路 crosses them: a wide median, still
    # one junction (the two crossings lie abreast, 1.5 m apart along the road).
    for road, other in (("爱南路", "红棉路"), ("龙岗大道", "荷坳路"), ("龙飞大道", "龙翔大道")):
        base = BaseLine(net.feature(road), road)
        found, _ = resolver.candidates(base, parse_endpoint(other))
        assert len(found) == 2 and {j.node for j in found} == {0}, (road, other)


# -- a real ambiguity -----------------------------------------------------------------------------
def _town_with_a_river_crossing_a_dual_road_twice():
    t = grid_town()
    extra = gpd.GeoDataFrame(
        {"name": ["五路", "五路"], "road_class": ["主干道"] * 2, "road_id": ["w1", "w2"]},
        geometry=[LineString([xy(595, 0), xy(595, 1000)]),
                  LineString([xy(605, 1000), xy(605, 0)])], crs=4546)
    roads = gpd.GeoDataFrame(pd.concat([t["roads"][t["roads"]["name"] != "三路"], extra],
                                       ignore_index=True), crs=4546)
    river = gpd.GeoDataFrame({"name": ["曲江"]}, geometry=[LineString(
        [xy(0, 300), xy(900, 300), xy(900, 700), xy(0, 700)])], crs=4546)
    water = gpd.GeoDataFrame(pd.concat([t["water"][t["water"]["name"] == "沟渠"], river],
                                       ignore_index=True), crs=4546)
    return load_network(roads, water, t["landmarks"], t["extent"])


def test_a_river_crossing_a_dual_road_twice_far_apart_still_warns() -> None:
    net = _town_with_a_river_crossing_a_dual_road_twice()
    base = BaseLine(net.feature("五路"), "五路")
    found, _ = JunctionResolver(net).candidates(base, parse_endpoint("曲江"))
    # Four crossing points: two junctions, each on both carriageways.
    assert len(found) == 4
    assert sorted({j.node for j in found}) == [0, 1]
    ys = {j.node: round(j.y - xy(0, 0)[1]) for j in found}
    assert ys == {0: 300, 1: 700}
    # The ring 五路-曲江-四路-丁街 can close at either crossing of 曲江: a real ambiguity on
    # two junctions (four crossing points); 丁街 crosses both carriageways of 五路 10 m apart
    # along itself: one junction, no warning.
    ring = Ring((RingItem("五路"), RingItem("曲江"), RingItem("四路"), RingItem("丁街")))
    corridor = Corridor(("五路",), "曲江", "丁街", 20)
    rules = Rules((GradeRule(1, (ring,)), GradeRule(2, (corridor,)), GradeRule(3, (Residual(),))))
    routes = pd.DataFrame({"id": ["A01"], "name": ["五路 1"], "from": ["曲江"], "to": ["丁街口"]})
    gm = build_grade_map(rules, net, routes=routes)
    r = gm.report.set_index(["kind", "clause", "item"])
    assert r.loc[("junction", "1.1", "1>2"), "warnings"].startswith("2 crossings of 五路 and 曲江")
    assert r.loc[("junction", "1.1", "2>3"), "warnings"].startswith("2 crossings of 曲江 and 四路")
    assert r.loc[("junction", "1.1", "4>1"), "status"] == "ok"
    assert "4 crossing points in 2 junction(s)" in r.loc[("junction", "1.1", "1>2"), "features"]
    # The consistent, shortest ring closes at y = 700: 四路 (x = 800) to 五路 (x = 605 or 595,
    # the carriageway it runs on), 曲江 (y = 700) to 丁街 (y = 800): 195 or 205 × 100 m; at
    # y = 300 it would be five times that.
    assert 19_500 - 1 <= gm.grades.set_index("grade").geometry.area[1] <= 20_500 + 1
    corridor_row = gm.report[(gm.report["kind"] == "corridor")].iloc[0]
    assert corridor_row["warnings"].startswith("2 possible stretches between 曲江 and 丁街")
    route = gm.report[gm.report["kind"] == "route"].iloc[0]
    assert route["warnings"].startswith("2 possible stretches;")


def test_a_crossing_decision_counts_junctions_not_carriageways(tmp_path: Path) -> None:
    from landgrade.build.decisions import read_decisions

    net = _town_with_a_river_crossing_a_dual_road_twice()
    path = tmp_path / "decisions.csv"
    path.write_text("clause,item,text,resolve_as,note\n"
                    "A01,from,曲江,crossing:2,the second junction along 五路 (south to north)\n",
                    encoding="utf-8")
    routes = pd.DataFrame({"id": ["A01"], "name": ["五路 1"], "from": ["曲江"], "to": ["丁街口"]})
    rules = Rules((GradeRule(1, (Residual(),)),))
    gm = build_grade_map(rules, net, routes=routes, decisions=read_decisions(path))
    route = gm.routes.set_index("id").loc["A01"]
    # crossing:2 is the junction at y = 700 (not the other carriageway of the one at y = 300):
    # 100 m to 丁街 at y = 800, on either carriageway.
    assert route["length_m"] == pytest.approx(100.0, abs=0.5)
    row = gm.report[gm.report["kind"] == "route"].iloc[0]
    assert row["status"] == "ok"
