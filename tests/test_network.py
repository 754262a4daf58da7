"""The network model: reading layers, CRS handling, names and aliases."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, box
from synthetic import grid_town, xy

from landgrade.errors import LandgradeError
from landgrade.network.layers import load_network, route_road_name


@pytest.fixture(scope="module")
def town():
    return grid_town()


def test_road_pieces_are_merged_into_one_line(town):
    net = load_network(town["roads"], town["water"], town["landmarks"], town["extent"])
    line = net.feature("一路")
    assert line.geom_type == "LineString"
    assert line.length == pytest.approx(1000.0)


def test_alias_and_junction_marker_resolve_to_the_drawn_name(town):
    net = load_network(town["roads"], town["water"], extent=town["extent"],
                       aliases={"清江河": "清江", "一马路": "一路"})
    assert net.canonical("清江河") == "清江"
    assert net.canonical("一马路口") == "一路"
    assert net.canonical("ー路") is None  # a look-alike character is not folded


def test_unknown_name_suggests_the_closest(town):
    net = load_network(town["roads"], extent=town["extent"])
    with pytest.raises(LandgradeError) as e:
        net.feature("一璐", context="clause 1.1 item 1")
    msg = str(e.value)
    assert "clause 1.1 item 1" in msg and "一璐" in msg and "一路" in msg


def test_layer_without_crs_is_an_error_naming_the_file(tmp_path, town):
    shp = tmp_path / "roads.shp"
    town["roads"].to_file(shp, engine="pyogrio", encoding="utf-8")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(LandgradeError, match=r"roads\.shp"):
        load_network(shp, extent=town["extent"])


def test_wgs84_input_is_reprojected_to_the_working_crs(tmp_path, town):
    path = tmp_path / "roads.geojson"
    town["roads"].to_crs(4326).to_file(path, driver="GeoJSON", engine="pyogrio")
    net = load_network(path, extent=town["extent"].to_crs(4326))
    assert net.roads.crs.to_epsg() == 4546
    x0, y0 = net.feature("二路").coords[0]
    assert (x0, y0) == pytest.approx(xy(400, 0), abs=0.01)
    assert net.extent.area == pytest.approx(1_000_000, rel=1e-6)


def test_water_polygon_stands_for_its_outline(town):
    lake = gpd.GeoDataFrame({"name": ["池塘"]}, geometry=[box(*xy(100, 100), *xy(150, 150))],
                            crs=4546)
    net = load_network(town["roads"], lake, extent=town["extent"])
    assert net.water_is_polygon("池塘")
    assert net.feature("池塘").length == pytest.approx(200.0)


def test_road_by_id_and_unknown_id(town):
    net = load_network(town["roads"], extent=town["extent"])
    assert net.road("h0").length == pytest.approx(1000.0)
    with pytest.raises(LandgradeError, match="road_id"):
        net.road("nope")


def test_missing_extent_and_name_field_are_errors(town):
    with pytest.raises(LandgradeError, match="extent"):
        load_network(town["roads"])
    with pytest.raises(LandgradeError, match="--name-field"):
        load_network(town["roads"], extent=town["extent"], name_field="NAME")


def test_name_field_option(town):
    roads = town["roads"].rename(columns={"name": "路名"})
    net = load_network(roads, extent=town["extent"], name_field="路名")
    assert net.has("甲街")


def test_route_road_name_drops_the_section_number():
    assert route_road_name("桔城路 4") == "桔城路"
    assert route_road_name("雪峰中路 5") == "雪峰中路"
    assert route_road_name("裕峰国际城南路") == "裕峰国际城南路"


def test_feature_geometry_is_the_drawn_line(town):
    net = load_network(town["roads"], extent=town["extent"])
    assert net.feature("弯路").equals(LineString([xy(0, 900), xy(300, 900), xy(300, 1000)]))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_vertex_and_degrees_labelled_as_metres_are_errors_naming_the_feature(town):
    roads = town["roads"].copy()
    roads.loc[3, "geometry"] = LineString([(float("nan"), 0.0), xy(400, 500)])
    with pytest.raises(LandgradeError, match=r"feature 4 \(二路\): the coordinate is missing"):
        load_network(roads, extent=town["extent"])
    degrees = town["roads"].to_crs(4326).set_crs(4546, allow_override=True)
    with pytest.raises(LandgradeError, match=r"feature 1 \(一路\) and 12 other.*degrees"):
        load_network(degrees, extent=town["extent"])


def test_features_without_geometry_are_left_out_and_said(town):
    from landgrade.build.builder import build_grade_map
    from landgrade.gazette.rules import GradeRule, Residual, Rules

    roads = town["roads"].copy()
    roads.loc[8, "geometry"] = None  # 甲街, drawn as one feature
    net = load_network(roads, extent=town["extent"])
    assert not net.has("甲街")
    report = build_grade_map(Rules((GradeRule(1, (Residual(),)),)), net).report
    row = report.iloc[0]
    assert row["kind"] == "network" and row["status"] == "warning"
    assert "1 feature(s) without geometry left out (feature 9)" in row["warnings"]


# -- real-data road model --------------------------------------------------------------------------
def test_name_field_is_found_per_layer_and_the_choice_is_said(town):
    roads = town["roads"].rename(columns={"name": "道路名称"})
    water = town["water"].rename(columns={"name": "名称"})
    net = load_network(roads, water, extent=town["extent"])
    assert net.feature("一路").length == pytest.approx(1000.0)
    assert net.has("清江")
    said = "\n".join(net.choices)
    assert "'道路名称'" in said and "'名称'" in said


def test_name_zh_falls_back_to_name_per_feature(town):
    roads = town["roads"].copy()
    roads["name:zh"] = roads["name"].where(roads["name"] != "二路", None)
    roads.loc[roads["name:zh"].notna(), "name"] = "Road"
    net = load_network(roads, extent=town["extent"])
    assert net.has("二路") and net.has("一路") and not net.has("Road")


def test_no_name_field_is_an_error_naming_the_fields(town):
    roads = town["roads"].rename(columns={"name": "foo"})
    with pytest.raises(LandgradeError, match=r"no name field found \(fields: foo"):
        load_network(roads, extent=town["extent"])


def test_name_field_with_no_names_says_so_not_missing(town):
    # An OSM extract whose ways carry no name tag has the column, all empty.
    roads = town["roads"].copy()
    roads["name"] = None
    with pytest.raises(LandgradeError, match=r"no feature has a name \(name empty in all "
                       rf"{len(roads)} features\)"):
        load_network(roads, extent=town["extent"])


def test_name_field_options_per_layer():
    from landgrade.network.fields import parse_name_fields

    assert parse_name_fields(["roads=道路名称", "名称"]) == {"roads": "道路名称", "*": "名称"}
    with pytest.raises(LandgradeError, match="no layer before '='"):
        parse_name_fields(["=道路名称"])
    with pytest.raises(LandgradeError, match="two fields for roads"):
        parse_name_fields(["roads=a", "roads=b"])


def test_id_field_names_the_road_of_a_decision_and_shared_ids_are_one_road(town):
    roads = town["roads"].copy()
    roads["编码"] = roads["road_id"].str[:2]  # v0a, v0b → v0: the two pieces of 一路
    net = load_network(roads, extent=town["extent"], id_field="编码")
    assert net.road("v0").length == pytest.approx(1000.0)
    with pytest.raises(LandgradeError, match="no id field 'ID'"):
        load_network(roads, extent=town["extent"], id_field="ID")


def test_pieces_with_gaps_up_to_the_snap_tolerance_are_one_line(town):
    roads = town["roads"].copy()
    # 一路's two pieces miss each other by 1.5 m at y = 500.
    first = roads.index[roads["road_id"] == "v0a"][0]
    roads.loc[first, "geometry"] = LineString([xy(200, 0), xy(200, 498.5)])
    net = load_network(roads, extent=town["extent"])
    assert net.feature("一路").geom_type == "LineString"
    strict = load_network(roads, extent=town["extent"], snap_m=1.0)
    assert strict.feature("一路").geom_type == "MultiLineString"


def test_a_t_end_1_3_m_short_meets_within_the_default_snap(town):
    from landgrade.network.junctions import BaseLine, JunctionResolver

    roads = town["roads"].copy()
    bend = roads.index[roads["road_id"] == "bend"][0]
    # 弯路 ends 1.3 m short of 一路 (x = 200) instead of on it.
    roads.loc[bend, "geometry"] = LineString([xy(201.3, 900), xy(300, 900), xy(300, 1000)])
    net = load_network(roads, extent=town["extent"])
    found = JunctionResolver(net, net.snap_m).crossings(BaseLine(net.feature("弯路"), "弯路"),
                                                        net.feature("一路"), "一路")
    assert len(found) == 1 and (found[0].x, found[0].y) == pytest.approx(xy(201.3, 900))


def test_slip_and_service_roads_never_belong_to_a_named_road(town):
    import pandas as pd

    roads = town["roads"].copy()
    roads["highway"] = "primary"
    spurs = gpd.GeoDataFrame(
        {"name": ["甲街", "甲街"], "road_id": ["s1", "s2"], "highway": ["primary_link", "service"]},
        geometry=[LineString([xy(300, 200), xy(300, 150)]), LineString([xy(700, 200),
                                                                          xy(700, 260)])],
        crs=roads.crs)
    net = load_network(pd.concat([roads, spurs], ignore_index=True), extent=town["extent"])
    line = net.feature("甲街")
    assert line.geom_type == "LineString" and line.length == pytest.approx(1000.0)
    assert any("2 named slip/service" in c for c in net.choices)
    assert net.road("s1").length == pytest.approx(50.0)  # still there for a decision


def test_name_field_by_file_name_and_an_unknown_layer(tmp_path, town):
    path = tmp_path / "道路中心线.geojson"
    town["roads"].rename(columns={"name": "路名"}).to_file(path, driver="GeoJSON",
                                                          engine="pyogrio")
    net = load_network(path, extent=town["extent"], name_field={"道路中心线": "路名"})
    assert net.has("一路")
    with pytest.raises(LandgradeError, match=r"--name-field road=…: no such layer"):
        load_network(path, extent=town["extent"], name_field={"road": "路名"})


def test_overlapping_pieces_noded_into_slivers_are_one_line(town):
    roads = town["roads"].copy()
    # 一路's pieces overlap: the first runs 0.8 m past y = 500 and the second starts 0.5 m to
    # the west and crosses it at y = 500.5. Noded, that is two slivers (0.3 m and 0.7 m).
    first = roads.index[roads["road_id"] == "v0a"][0]
    second = roads.index[roads["road_id"] == "v0b"][0]
    roads.loc[first, "geometry"] = LineString([xy(200, 0), xy(200, 500.8)])
    roads.loc[second, "geometry"] = LineString([xy(199.5, 500), xy(200.5, 501), xy(200, 1000)])
    loose = load_network(roads, extent=town["extent"], snap_m=0)
    assert len(loose.feature("一路").geoms) == 4
    line = load_network(roads, extent=town["extent"]).feature("一路")
    assert line.geom_type == "LineString" and line.length == pytest.approx(1000.0, abs=1.0)


def test_carriageways_meeting_at_one_node_stay_two_carriageways():
    from landgrade.network.junctions import BaseLine
    from landgrade.network.lines import merge_lines

    # Two carriageways 12 m apart taper into one node at x = 1040 and go on as one line.
    north = LineString([(0, 6), (1000, 6), (1040, 0)])
    south = LineString([(0, -6), (1000, -6), (1040, 0)])
    on = LineString([(1040, 0), (1500, 0)])
    assert shapely.line_merge(shapely.union_all([north, south])).geom_type == "LineString"
    for pieces, n in (([north, south], 2), ([north, south, on], 3)):
        base = BaseLine(merge_lines(pieces, 2.0, hairpins=True), "road")
        assert len(base.parts) == n
        assert sorted(round(p.length) for p in base.parts)[-2:] == [1040, 1040]  # 1000 + √(40²+6²)


def test_roads_in_degrees_without_prj_name_the_fix(tmp_path):
    # A shapefile whose .prj was lost: one road at Dongkou's longitude, 0.01° long.
    roads = gpd.GeoDataFrame({"name": ["一路"]},
                             geometry=[LineString([(110.55, 27.05), (110.56, 27.05)])])
    path = tmp_path / "roads.shp"
    roads.to_file(path)
    assert not path.with_suffix(".prj").exists()
    extent = gpd.GeoDataFrame(geometry=[box(110.5, 27.0, 110.6, 27.1)], crs=4326)
    with pytest.raises(LandgradeError) as e:
        load_network(path, extent=extent)
    msg = str(e.value)
    assert "roads.shp: the layer has no CRS" in msg
    assert "x 110.550..110.560, y 27.050..27.050 look like degrees" in msg
    assert "ogr2ogr -a_srs EPSG:4326" in msg


def test_roads_that_miss_the_extent_say_how_far_off_they_are(town):
    # The town's roads moved 5 km east: the extent is 1 km wide, so they are 4 km clear of it
    # (the roads span x = 0..1000, the extent too, per synthetic.grid_town).
    roads = town["roads"].copy()
    roads["geometry"] = roads.geometry.translate(xoff=5000)
    with pytest.raises(LandgradeError, match=r"no road reaches the grading extent .*the nearest "
                       r"is 4\.0 km away"):
        load_network(roads, extent=town["extent"])
