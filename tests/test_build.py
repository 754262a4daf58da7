"""Building grade maps on the grid town; every expected area and length is computed by hand.

Hand computation of ``synthetic.TABLE5`` (town coordinates, metres):

- grade 1 = ring x 200..400 × y 200..400 (40 000) + 一路 west strip 16 × 200 (3 200)
  + 甲街 south strip 20 × 200 (4 000) + the 三路 corridor 40 × 200 (8 000) = 55 200 (the
  16 × 20 square diagonally beyond the 一路/甲街 junction belongs to neither strip).
- grade 2 = ring x 200..600 × y 200..500 (120 000) + 三路 east strip 16 × 200 (3 200) and its
  override 30 × 100 on 乙街–清江 (3 000), minus grade 1 inside it (ring 40 000, corridor west
  half 4 000, corridor east half over the strip 3 200) = 79 000; + the region north of 清江
  and west of 二路, 400 × 500 = 200 000 → 279 000.
- grade 3 = south of 清江 and west of 沟渠 (沟渠 extended north to the extent line):
  700 × 500 = 350 000 minus grades 1 and 2 there (55 200 + 79 000) = 215 800.
- grade 4 = the rest: 1 000 000 − 55 200 − 279 000 − 215 800 = 450 000.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString
from synthetic import ROUTES, TABLE5_AREAS, grid_town, table5_rules, xy

from landgrade.build.builder import build_grade_map
from landgrade.build.context import BuildError
from landgrade.build.decisions import DecisionError, Decisions, read_decisions
from landgrade.build.geometry import one_sided_strip
from landgrade.errors import LandgradeError
from landgrade.gazette.rules import Corridor, GradeRule, Residual, Ring, RingItem, Rules
from landgrade.network.layers import load_network


@pytest.fixture(scope="module")
def town():
    return grid_town()


@pytest.fixture(scope="module")
def net(town):
    return load_network(town["roads"], town["water"], town["landmarks"], town["extent"])


@pytest.fixture(scope="module")
def gm(net):
    return build_grade_map(table5_rules(), net, routes=ROUTES)


def grade_at(gm, x, y):
    hits = gm.grades[gm.grades.contains(shapely.Point(*xy(x, y)))]
    return int(hits["grade"].iloc[0]) if len(hits) else None


def test_grade_areas_match_hand_computation(gm):
    areas = dict(zip(gm.grades["grade"], gm.grades["area_m2"], strict=True))
    for g, expected in TABLE5_AREAS.items():
        assert areas[g] == pytest.approx(expected, rel=1e-6), g


def test_grades_partition_the_extent(gm):
    geoms = gm.grades.geometry.values
    total = shapely.union_all(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(total.area, abs=1e-3)
    assert total.symmetric_difference(gm.extent.geometry.iloc[0]).area < 1e-3


@pytest.mark.parametrize(
    ("x", "y", "grade"),
    [
        (300, 300, 1),  # inside the grade-1 ring
        (190, 300, 1),  # 一路 west strip (16 m)
        (180, 300, 3),  # beyond it
        (190, 190, 3),  # diagonally beyond the junction: in neither strip
        (610, 300, 1),  # 三路 corridor, east half
        (625, 450, 2),  # override: 30 m east strip between 乙街 and 清江
        (625, 300, 3),  # only 16 m east of 三路 between 甲街 and 乙街
        (610, 190, 3),  # the corridor ends flat at 甲街
        (300, 700, 2),  # region north of 清江, west of 二路
        (500, 700, 4),  # residual
        (750, 100, 4),  # east of 沟渠
    ],
)
def test_points_fall_in_the_expected_grade(gm, x, y, grade):
    assert grade_at(gm, x, y) == grade


def test_routes_follow_the_roads_between_their_endpoints(gm):
    r = gm.routes.set_index("id")
    assert r.loc["A01", "length_m"] == pytest.approx(200)
    assert r.loc["B03", "length_m"] == pytest.approx(100)
    # 丁街 from 二路 to the extent line: both ends are candidates, the shorter (west) is taken.
    assert r.loc["C04", "length_m"] == pytest.approx(400)
    assert r.loc["D05", "geometry"].coords[-1] == pytest.approx(xy(800, 0))
    assert list(r.columns[:7]) == ["name", "from", "to", "grade", "road_class",
                                   "standard_depth_m", "price"]
    assert (r["status"] == "ok").all()


def test_report_has_a_row_per_clause_item_junction_and_route(gm):
    rep = gm.report
    assert set(rep.loc[rep["kind"] == "route", "clause"]) == set(ROUTES["id"])
    ring = rep[(rep["clause"] == "1.1") & (rep["kind"] == "item")]
    assert list(ring["item"]) == ["1", "2", "3", "4"]
    assert ring["length_m"].tolist() == pytest.approx([200, 200, 200, 200])
    ditch = rep[(rep["clause"] == "3.1") & (rep["item"] == "2")]
    assert "extended 500.0 m" in ditch["warnings"].iloc[0]


def test_ring_that_does_not_close_names_the_gap(net):
    rules = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("甲街"), RingItem("二路"),
                                       RingItem("弯路"))),)),))
    with pytest.raises(BuildError) as e:
        build_grade_map(rules, net)
    msg = str(e.value)
    assert "grade 1, area 1" in msg and "item 3 二路" in msg and "item 4 弯路" in msg
    assert "100.0 m" in msg


def test_unknown_name_in_rules_suggests(net):
    rules = Rules((GradeRule(1, (Corridor(("三璐",), "甲街", "乙街", 20),)),))
    with pytest.raises(LandgradeError) as e:
        build_grade_map(rules, net)
    assert "三璐" in str(e.value) and "三路" in str(e.value)


def test_within_clips_the_ring_to_that_side(net):
    rules = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("甲街"), RingItem("三路"),
                                       RingItem("丁街")), within="清江以南"),)),
                   GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net)
    assert gm.grades.set_index("grade").loc[1, "area_m2"] == pytest.approx(400 * 300)


def test_extent_line_item_takes_the_arc_that_closes_the_ring(net):
    # 二路 from 清江 down to the extent, the extent line, 清江 back: the short arc is the
    # south-west block x 0..400 × y 0..500.
    rules = Rules((GradeRule(1, (Ring((RingItem("二路"), RingItem("基准地价范围界线"),
                                       RingItem("清江")), within="清江以南"),)),
                   GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net)
    assert gm.grades.set_index("grade").loc[1, "area_m2"] == pytest.approx(400 * 500)


def _net_with_meander(town):
    meander = gpd.GeoDataFrame(
        {"name": ["曲江"]},
        geometry=[LineString([xy(0, 480), xy(300, 480), xy(300, 520), xy(100, 520),
                              xy(100, 560), xy(1000, 560)])], crs=4546)
    water = gpd.GeoDataFrame(pd.concat([town["water"], meander]), crs=4546)
    return load_network(town["roads"], water, town["landmarks"], town["extent"])


MEANDER_RING = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("甲街"), RingItem("三路"),
                                          RingItem("曲江"))),)), GradeRule(2, (Residual(),))))


def test_multiple_crossings_choose_the_consistent_one_and_report_it(town):
    gm = build_grade_map(MEANDER_RING, _net_with_meander(town))
    j = gm.report[(gm.report["kind"] == "junction") & (gm.report["item"] == "4>1")].iloc[0]
    assert j["junctions"] == "500200.0 3000560.0"
    assert "3 crossings" in j["warnings"]
    assert gm.grades.set_index("grade").loc[1, "area_m2"] == pytest.approx(400 * 360)
    assert grade_at(gm, 150, 540) == 2


def test_decision_picks_another_crossing(tmp_path, town):
    p = tmp_path / "decisions.csv"
    p.write_text("clause,item,text,resolve_as,note\n"
                 "1.1,4>1,曲江-一路,crossing:1,the river's first crossing is the old ford\n"
                 "1.1,2,甲街错,road:h0,stale on purpose\n"
                 "9.9,from,x,point:1 2,nothing asks for this\n", encoding="utf-8")
    gm = build_grade_map(MEANDER_RING, _net_with_meander(town), decisions=read_decisions(p))
    rep = gm.report
    j = rep[(rep["kind"] == "junction") & (rep["item"] == "4>1")].iloc[0]
    assert j["junctions"] == "500200.0 3000480.0"
    assert "decision on line 2" in j["decision"]
    # 曲江 from its 三路 crossing west to x=100 and back east to 一路: the tab x 100..200 ×
    # y 520..560 is now inside, the pocket x 200..300 × y 480..520 outside.
    assert grade_at(gm, 150, 540) == 1
    assert grade_at(gm, 250, 500) == 2
    dec = rep[rep["kind"] == "decision"].set_index("clause")
    assert dec.loc["1.1", "status"].tolist() == ["ok", "stale"]
    assert dec.loc["9.9", "status"] == "unused"


def test_decision_file_errors_name_the_row(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("clause,item,text,resolve_as,note\n2.1,9,未命名道路,road:r1,\n", encoding="utf-8")
    with pytest.raises(DecisionError, match=r"line 2.*note"):
        read_decisions(p)
    p.write_text("clause,item,text,resolve_as,note\n2.1,9,x,street:r1,why\n", encoding="utf-8")
    with pytest.raises(DecisionError, match="resolve_as"):
        read_decisions(p)
    # Two rows for one clause, item and text: only the first could ever apply.
    p.write_text("clause,item,text,resolve_as,note\n2.1,9,x,road:r1,why\n"
                 "2.1,9,x,road:r2,other\n", encoding="utf-8")
    with pytest.raises(DecisionError, match=r"line 3: repeats line 2 \(clause 2\.1, item 9"):
        read_decisions(p)


def test_unnamed_road_needs_a_decision_and_uses_it(tmp_path, net):
    rules = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("未命名道路", "S", 10),
                                       RingItem("二路"), RingItem("乙街"))),)),
                   GradeRule(2, (Residual(),))))
    with pytest.raises(BuildError, match="road:<road_id>"):
        build_grade_map(rules, net)
    p = tmp_path / "d.csv"
    p.write_text("clause,item,text,resolve_as,note\n1.1,2,未命名道路,road:h0,drawn as 甲街\n",
                 encoding="utf-8")
    gm = build_grade_map(rules, net, decisions=read_decisions(p))
    assert gm.grades.set_index("grade").loc[1, "area_m2"] == pytest.approx(200 * 200 + 10 * 200)


def test_unresolved_route_is_flagged_not_dropped(net):
    extra = pd.DataFrame(
        {"id": ["X99"], "name": ["无名路"], "from": ["甲街路口"], "to": ["乙街路口"]})
    routes = pd.concat([ROUTES, extra], ignore_index=True)
    gm = build_grade_map(table5_rules(), net, routes=routes, decisions=Decisions())
    x = gm.routes.set_index("id").loc["X99"]
    assert x["status"] == "unresolved" and x["geometry"] is None
    row = gm.report[gm.report["clause"] == "X99"].iloc[0]
    assert row["status"] == "unresolved" and "无名路" in row["warnings"]


def test_grade_boundary_endpoint_resolves_against_built_grades(net):
    routes = pd.DataFrame({"id": ["B01"], "name": ["二路 2"], "from": ["丙街路口"],
                           "to": ["二级边界"]})
    gm = build_grade_map(table5_rules(), net, routes=routes)
    # 二路 runs along the east edge of the grade-2 region (x < 400, y > 500); from 丙街 (y=600)
    # the nearest edge of grades 1–2 along it is where it leaves the region, at 清江 (y=500)
    # or at the top (y=1000): the shorter is 100 m.
    assert gm.routes["length_m"].iloc[0] == pytest.approx(100)


def test_strip_side_is_judged_per_segment():
    line = LineString([(0, 0), (100, 0), (100, 100)])
    poly, misfit = one_sided_strip(line, "N", 10)
    # North of the east-west segment: 100 × 10; the north-south segment has no north side.
    assert misfit == pytest.approx(0.5)
    assert poly.intersection(shapely.box(0, 0, 100, 10)).area == pytest.approx(1000)
    diag, misfit = one_sided_strip(LineString([(0, 0), (100, 100)]), "N", 10)
    assert diag.area == pytest.approx(10 * 100 * 2 ** 0.5)
    assert misfit == 0
    assert diag.contains(shapely.Point(40, 50))


def test_side_that_does_not_fit_warns_with_the_clause(net):
    rules = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("甲街", "E", 10),
                                       RingItem("二路"), RingItem("乙街"))),)),
                   GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net)
    row = gm.report[(gm.report["clause"] == "1.1") & (gm.report["item"] == "2")].iloc[0]
    assert row["status"] == "warning" and "E side does not fit" in row["warnings"]


# -- the command line ----------------------------------------------------------------------------
def _cli(args):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    return CliRunner().invoke(app, args)


def test_cli_build_writes_a_grade_map(tmp_path):
    import json

    from synthetic import write_town

    from landgrade.build.grade_map import GradeMap

    folder = write_town(tmp_path / "town")
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(table5_rules().to_dict(), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.gpkg"
    res = _cli(["build", "--rules", str(rules), "--roads", str(folder / "roads.geojson"),
                "--water", str(folder / "water.geojson"), "--extent",
                str(folder / "extent.geojson"), "--routes", str(folder / "routes.csv"),
                "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert f"grade 1: {TABLE5_AREAS[1]:,.0f} m²" in res.output
    gm = GradeMap.read(out)
    areas = dict(zip(gm.grades["grade"], gm.grades["area_m2"], strict=True))
    assert areas == pytest.approx(TABLE5_AREAS)
    assert gm.routes.set_index("id").loc["A01", "length_m"] == pytest.approx(200)
    assert gm.routes.crs.to_epsg() == 4546
    assert set(gm.report["kind"]) >= {"grade", "ring", "route"}
    assert gm.metadata["crs"] == "EPSG:4546"


def test_cli_build_from_a_county_folder(tmp_path):
    from synthetic import write_town

    from landgrade.build.grade_map import GradeMap

    folder = write_town(tmp_path / "town")
    out = tmp_path / "out.gpkg"
    res = _cli(["build", "--county", str(folder), "--quiet", "-o", str(out)])
    assert res.exit_code == 0, res.output
    gm = GradeMap.read(out)
    areas = dict(zip(gm.grades["grade"], gm.grades["area_m2"], strict=True))
    assert areas == pytest.approx(TABLE5_AREAS)
    assert gm.schematic
    assert "schematic" in res.output


def test_cli_errors_are_messages_not_tracebacks(tmp_path, town):
    from synthetic import write_town

    folder = write_town(tmp_path / "town")
    shp = tmp_path / "roads.shp"
    town["roads"].to_file(shp, engine="pyogrio", encoding="utf-8")
    shp.with_suffix(".prj").unlink()
    res = _cli(["build", "--county", str(folder), "--roads", str(shp), "-o",
                str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2
    assert "roads.shp" in res.output and "no CRS" in res.output
    assert "Traceback" not in res.output


def test_a_named_stretch_of_a_road_is_drawn_on_that_road(net):
    rules = Rules((GradeRule(1, (Ring((RingItem("一路"), RingItem("甲街西段", "S", 10),
                                       RingItem("二路"), RingItem("乙街"))),)),
                   GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net)
    assert gm.grades.set_index("grade").loc[1, "area_m2"] == pytest.approx(200 * 200 + 10 * 200)
    row = gm.report[(gm.report["clause"] == "1.1") & (gm.report["item"] == "2")].iloc[0]
    assert "stretch of 甲街" in row["warnings"]


def test_decision_file_with_an_unquoted_comma_names_the_line(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(
        "clause,item,text,resolve_as,note\n2.1,9,未命名道路,road:r1,ok\n"
        "2.1,11,未命名道路,road:r2,east of the pond, north of the school\n",
        encoding="utf-8",
    )
    with pytest.raises(DecisionError, match=r"d\.csv, line 3: 6 fields .* quote"):
        read_decisions(p)


def test_county_build_records_its_folder_so_prices_follow_the_map(tmp_path, dongkou_dir):
    from landgrade.build.builder import build_county
    from landgrade.gazette.county import county_of_map

    gm = build_county(dongkou_dir)
    out = gm.to_gpkg(tmp_path / "dk.gpkg")
    from landgrade.build.grade_map import GradeMap

    meta = GradeMap.read(out).metadata
    folder = county_of_map(meta)
    assert folder is not None and folder.root.resolve() == dongkou_dir.resolve()
    assert meta["schematic"] == "true"


def test_schematic_network_is_said_in_the_report_unless_roads_are_replaced(tmp_path, dongkou_dir):
    from landgrade.build.builder import build_county
    from landgrade.gazette.labels import SCHEMATIC_NOTE

    report = build_county(dongkou_dir).report
    assert report.iloc[0]["kind"] == "network" and report.iloc[0]["text"] == SCHEMATIC_NOTE
    # The same folder with another road layer (a survey, say) is no longer schematic.
    from landgrade.build.builder import BuildInputs, build_from

    gm = build_from(BuildInputs(county=dongkou_dir, roads=dongkou_dir / "roads.geojson"))
    assert not gm.schematic and "network" not in set(gm.report["kind"])


@pytest.mark.parametrize("value", ["nan nan", "1 inf", "1", "east 2"])
def test_decided_point_must_be_two_finite_numbers(tmp_path, value):
    p = tmp_path / "d.csv"
    p.write_text(f"clause,item,text,resolve_as,note\n1.1,1>2,一路-甲街,point:{value},why\n",
                 encoding="utf-8")
    with pytest.raises(DecisionError, match=r"d\.csv: line 2: point:<x> <y>"):
        read_decisions(p)


def test_cli_build_into_a_missing_folder_is_an_error(tmp_path):
    from synthetic import write_town

    folder = write_town(tmp_path / "town")
    res = _cli(["build", "--county", str(folder), "--quiet", "-o",
                str(tmp_path / "no" / "out.gpkg")])
    assert res.exit_code == 2
    assert "does not exist" in res.output and "Traceback" not in res.output


def test_routes_need_one_id_each_and_empty_endpoints_are_flagged(tmp_path, net):
    from landgrade.build.routes import read_routes

    p = tmp_path / "routes.csv"
    head = "id,name,from,to\n"
    p.write_text(head + "A01,一路 1,甲街路口,乙街路口\n,甲街 2,一路口,二路口\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"line 3 has no id"):
        read_routes(p)
    rows = "A01,一路 1,甲街路口,乙街路口\nB02,三路,甲街,乙街\nA01,甲街,一路口,二路口\n"
    p.write_text(head + rows, encoding="utf-8")
    with pytest.raises(BuildError, match=r"id A01 is on lines 2, 4"):
        read_routes(p)
    p.write_text(head + "A01,一路 1,,乙街路口\n", encoding="utf-8")
    gm = build_grade_map(table5_rules(), net, routes=read_routes(p))
    row = gm.report[gm.report["kind"] == "route"].iloc[0]
    assert row["status"] == "unresolved" and row["warnings"].startswith("from left empty")
    assert gm.routes["status"].tolist() == ["unresolved"]


def test_cli_build_with_a_broken_rules_json_is_an_error(tmp_path):
    from synthetic import write_town

    folder = write_town(tmp_path / "town")
    rules = tmp_path / "rules.json"
    rules.write_text("{grades: 1", encoding="utf-8")
    res = _cli(["build", "--county", str(folder), "--rules", str(rules), "-o",
                str(tmp_path / "x.gpkg")])
    assert res.exit_code == 2
    assert "rules.json: not a rules JSON file" in res.output and "Traceback" not in res.output
