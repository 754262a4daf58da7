"""OpenStreetMap input, and a build on a real OSM extract of a Chinese district.

The extract (``tests/data/osm/longgang.osm.pbf`` and the same as ``.osm``) is real OSM data of
part of Longgang District, Shenzhen (© OpenStreetMap contributors, ODbL; ATTRIBUTION.md there),
with dual carriageways split at every junction, slip roads, service roads and unnamed pieces.
``longgang_table5.txt`` is a Table 5-style description written on its real road names: a ring
with one-sided strips on four dual carriageways, a corridor on 龙岗大道, a second ring of five
roads (strips on a dual and a single carriageway), a region and the residual. The expected
grades of ``longgang_points.csv`` and the route lengths of ``longgang_route_lengths.csv`` were
measured by hand from the OSM geometry, without the builder, by
``scripts/measure_longgang_points.py`` (each row says how).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.network.osm import OSMError, is_osm, read_osm_roads, read_osm_water

DATA = Path(__file__).parent / "data" / "osm"
PBF = DATA / "longgang.osm.pbf"
XML = DATA / "longgang.osm"
POINTS = pd.read_csv(DATA / "longgang_points.csv", dtype={"id": str})
LENGTHS = pd.read_csv(DATA / "longgang_route_lengths.csv", dtype={"id": str})
ROUTES = pd.read_csv(DATA / "longgang_routes.csv", dtype={"id": str})


def _cli(args: list[str]):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


def _xml_ways() -> list[dict[str, str]]:
    """Every way's tags, straight from the OSM XML (the reader's independent reference)."""
    root = ET.parse(XML).getroot()
    return [{"id": w.get("id"), **{t.get("k"): t.get("v") for t in w.iter("tag")}}
            for w in root.iter("way")]


# -- the reader ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [PBF, XML], ids=["pbf", "xml"])
def test_roads_are_every_highway_way_named_from_name_zh(path: Path) -> None:
    roads = read_osm_roads(path)
    # An area (highway=services with area=yes) is not a road line.
    ways = {w["id"]: w for w in _xml_ways() if "highway" in w and w.get("area") != "yes"}
    assert list(roads.columns) == ["osm_id", "name", "highway", "ref", "geometry"]
    assert roads.crs.to_epsg() == 4326
    assert sorted(roads["osm_id"]) == sorted(f"way/{i}" for i in ways)
    assert set(roads.geometry.geom_type) == {"LineString"}
    by_id = roads.set_index("osm_id")
    for wid, w in ways.items():
        row = by_id.loc[f"way/{wid}"]
        expected = w.get("name:zh") or w.get("name")
        assert (row["name"] if isinstance(row["name"], str) else None) == expected, wid
        assert row["highway"] == w["highway"]
        assert (row["ref"] if isinstance(row["ref"], str) else None) == w.get("ref"), wid
    # The dual carriageways the fixture description is written on are there, in pieces.
    counts = roads["name"].value_counts()
    for name in ("龙岗大道", "龙翔大道", "龙飞大道", "爱南路", "红棉路"):
        assert counts[name] >= 2, name
    assert {"motorway_link", "service", "footway"} <= set(roads["highway"])


def test_water_is_waterway_lines_and_water_areas() -> None:
    water = read_osm_water(PBF)
    assert list(water.columns) == ["osm_id", "name", "waterway", "natural", "geometry"]
    lines = water[water.geometry.geom_type.isin(["LineString", "MultiLineString"])]
    areas = water[water.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    assert set(lines["waterway"]) == {"river"}
    assert "龙岗河" in set(lines["name"])
    assert (areas["natural"] == "water").all()
    assert "龙口水库" in set(areas["name"])
    # The reservoir is a multipolygon relation; ponds are closed ways.
    assert {"relation", "way"} <= {i.split("/")[0] for i in areas["osm_id"]}
    assert len(areas) == sum(1 for w in _xml_ways() if w.get("natural") == "water"
                             and w.get("type") != "multipolygon") + 1


def _tiny_osm(tmp_path: Path, ways: str) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
        '<node id="1" version="1" lat="22.68" lon="114.20"/>\n'
        '<node id="2" version="1" lat="22.69" lon="114.21"/>\n'
        '<node id="3" version="1" lat="22.69" lon="114.20"/>\n' + ways + "</osm>\n",
        encoding="utf-8")
    return path


def test_name_zh_wins_over_a_pinyin_name_and_tags_survive_quoting(tmp_path: Path) -> None:
    path = _tiny_osm(tmp_path, (
        '<way id="7" version="1"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="primary"/><tag k="name" v="Jiefang Donglu"/>'
        '<tag k="name:zh" v="解放东路"/><tag k="ref" v="S2=&gt;&quot;x&quot;"/></way>\n'
        '<way id="8" version="1"><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="residential"/><tag k="name" v="解放西路"/></way>\n'))
    roads = read_osm_roads(path).set_index("osm_id")
    assert roads.loc["way/7", "name"] == "解放东路"
    assert roads.loc["way/7", "ref"] == 'S2=>"x"'
    assert roads.loc["way/8", "name"] == "解放西路"


def test_an_overpass_geojson_export_is_read_as_it_comes(tmp_path: Path) -> None:
    def feature(osm_id: str, geom: dict, **tags: str) -> dict:
        return {"type": "Feature", "id": osm_id, "geometry": geom,
                "properties": {"@id": osm_id, **tags}}

    line = {"type": "LineString", "coordinates": [[114.20, 22.68], [114.21, 22.69]]}
    ring = {"type": "Polygon", "coordinates": [[[114.20, 22.68], [114.21, 22.68],
                                                 [114.21, 22.69], [114.20, 22.68]]]}
    path = tmp_path / "export.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("way/1", line, highway="primary", name="Longfei Dadao", **{"name:zh": "龙飞大道"}),
        feature("way/2", line, highway="primary_link"),
        feature("node/3", {"type": "Point", "coordinates": [114.2, 22.68]},
                highway="traffic_signals"),
        feature("way/4", line, waterway="river", name="龙岗河"),
        feature("way/5", ring, natural="water", name="池塘"),
        feature("way/6", ring, building="yes", name="楼"),
    ]}, ensure_ascii=False), encoding="utf-8")
    assert is_osm(path)
    roads = read_osm_roads(path)
    assert roads["osm_id"].tolist() == ["way/1", "way/2"]
    assert roads["name"].iloc[0] == "龙飞大道" and roads["name"].isna().iloc[1]
    water = read_osm_water(path)
    assert water["osm_id"].tolist() == ["way/4", "way/5"]
    assert water["name"].tolist() == ["龙岗河", "池塘"]


def test_an_ordinary_geojson_is_not_taken_for_osm(dongkou_dir: Path) -> None:
    assert not is_osm(dongkou_dir / "roads.geojson")
    assert is_osm(PBF) and is_osm(XML)


def test_bad_osm_files_are_one_line_errors_naming_the_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.osm"
    junk.write_text("not xml at all", encoding="utf-8")
    with pytest.raises(OSMError, match=r"junk\.osm: not a readable OpenStreetMap"):
        read_osm_roads(junk)
    river_only = _tiny_osm(tmp_path, '<way id="9" version="1"><nd ref="1"/><nd ref="2"/>'
                                     '<tag k="waterway" v="river"/></way>\n')
    with pytest.raises(OSMError, match=r"tiny\.osm: no highway=\* lines"):
        read_osm_roads(river_only)
    with pytest.raises(OSMError, match=r"roads\.geojson: not an Overpass export"):
        read_osm_roads(Path(__file__).parents[1] / "geo" / "dongkou" / "roads.geojson")
    result = _cli(["build", "--rules", DATA / "longgang_table5.txt", "--roads", junk,
                   "--extent", DATA / "longgang_extent.geojson", "-o", tmp_path / "x.gpkg"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "junk.osm" in lines[0]
    result = _cli(["build", "--rules", DATA / "longgang_table5.txt", "--roads", PBF,
                   "--landmarks", PBF, "--extent", DATA / "longgang_extent.geojson",
                   "-o", tmp_path / "x.gpkg"])
    assert result.exit_code == 2 and "--roads and --water only" in result.output
    assert not (tmp_path / "x.gpkg").exists()


# -- the build on the real district -------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> GradeMap:
    out = tmp_path_factory.mktemp("longgang") / "longgang.gpkg"
    result = _cli(["build", "--rules", DATA / "longgang_table5.txt", "--roads", PBF,
                   "--water", PBF, "--extent", DATA / "longgang_extent.geojson",
                   "--routes", DATA / "longgang_routes.csv", "--quiet", "-o", out])
    assert result.exit_code == 0, result.output
    return GradeMap.read(out)


def test_input_notes_name_the_file_one_way(built: GradeMap) -> None:
    # The review page lists these one under the other: one file, one spelling of its name.
    notes = built.report.loc[built.report["kind"] == "input", "text"]
    assert len(notes) >= 3
    assert all(t.startswith("longgang.osm.pbf: ") for t in notes), notes.tolist()


def _grade_at(gm: GradeMap, lon: float, lat: float) -> list[int]:
    """The grades whose zone holds the point (a partition: exactly one inside the extent)."""
    p = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(gm.grades.crs).iloc[0]
    return sorted(int(g) for g in gm.grades.loc[gm.grades.contains(p), "grade"])


# The strip points (P02, P04, P06, P08, P10, P12) stand 10 m beyond the outer carriageway on
# the strip's side, so 27–45 m from the other carriageway: right only when a dual carriageway is
# one road and a strip is measured from the carriageway on its side.
@pytest.mark.parametrize("pid", POINTS["id"])
def test_every_hand_measured_point_gets_its_grade(built: GradeMap, pid: str) -> None:
    p = POINTS.set_index("id").loc[pid]
    assert _grade_at(built, p["lon"], p["lat"]) == [int(p["grade"])], p["how"]


# Route lengths within 3 %: junction clusters are 15–30 m across here, and a route between the
# nearest raw crossings is short by about that much; a junction is its cluster's centre.
@pytest.mark.parametrize("rid", LENGTHS["id"])
def test_every_route_is_within_3_percent_of_its_length_along_the_road(
        built: GradeMap, rid: str) -> None:
    routes = built.routes.set_index("id")
    expected = LENGTHS.set_index("id").loc[rid]
    assert routes.loc[rid, "status"] == "ok"
    line = routes.loc[rid, "geometry"]
    length = float(shapely.length(line))
    assert abs(length - expected["length_m"]) <= 0.03 * expected["length_m"], (
        f"{rid}: built {length:.1f} m, measured {expected['length_m']} m ({expected['how']})")


def test_every_grade_is_non_empty_and_the_grades_partition_the_extent(built: GradeMap) -> None:
    areas = built.grades.set_index("grade").geometry.area
    assert sorted(areas.index) == [1, 2, 3, 4]
    assert (areas > 1000).all(), areas
    extent = built.extent.geometry.iloc[0]
    assert abs(areas.sum() - extent.area) < 1.0
    assert set(ROUTES["id"]) == set(built.routes["id"])


def test_the_map_is_built_in_the_districts_own_gauss_krueger_zone(built: GradeMap) -> None:
    # 114.19–114.23 °E: the CGCS2000 3-degree zone of central meridian 114 °E is EPSG:4547.
    assert built.grades.crs.to_epsg() == 4547
    assert str(built.metadata["crs"]).upper().endswith("4547")


def test_a_closed_riverbank_way_is_water_area(tmp_path: Path) -> None:
    path = _tiny_osm(tmp_path, (
        '<way id="11" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>'
        '<tag k="waterway" v="riverbank"/><tag k="name" v="平溪江"/></way>\n'
        '<way id="12" version="1"><nd ref="1"/><nd ref="2"/>'
        '<tag k="waterway" v="ditch"/></way>\n'))
    water = read_osm_water(path).set_index("osm_id")
    assert water.loc["way/11"].geometry.geom_type == "Polygon"
    assert water.loc["way/11", "name"] == "平溪江"
    assert water.loc["way/12"].geometry.geom_type == "LineString"
    assert water.loc["way/12", "waterway"] == "ditch"


def test_city_blocks_of_the_real_roads_get_geos_shares_and_nearest_routes(
    built: GradeMap,
) -> None:
    """Parcels as messy as real ones: the blocks the real OSM roads enclose (non-convex, many
    vertices, edges along and across the grade strips), whole and split in four. Shares must be
    GEOS's overlay at the published 1e-4, and nearest route and distance GEOS's own."""
    from landgrade.engine import Engine
    from landgrade.engine.grid import build_index, nearest_route_geoms

    crs = built.grades.crs
    roads = read_osm_roads(PBF).to_crs(crs)
    blocks = shapely.get_parts(shapely.polygonize(shapely.get_parts(
        shapely.union_all(roads.geometry.to_numpy()))))
    blocks = blocks[shapely.area(blocks) > 200]
    # Split each block by the lines through its centroid: more edges inside zones, on strips.
    c = shapely.centroid(blocks)
    x, y = shapely.get_x(c), shapely.get_y(c)
    b = shapely.bounds(blocks)
    quarters = [shapely.intersection(blocks, shapely.box(*q)) for q in (
        (b[:, 0], b[:, 1], x, y), (x, b[:, 1], b[:, 2], y),
        (b[:, 0], y, x, b[:, 3]), (x, y, b[:, 2], b[:, 3]))]
    parcels = np.concatenate([blocks, *quarters])
    parcels = parcels[shapely.area(parcels) > 1.0]
    assert len(parcels) > 100 and (shapely.get_num_coordinates(parcels) > 8).mean() > 0.3
    engine = Engine(built, index=build_index(built))
    out = engine.assign(gpd.GeoDataFrame(geometry=parcels, crs=crs))
    zones = engine.index.grade_geoms
    expect = np.stack([shapely.area(shapely.intersection(parcels, z)) for z in zones], axis=1)
    expect /= shapely.area(parcels)[:, None]
    cols = [f"share_{g}" for g in engine.index.grade_values]
    np.testing.assert_array_equal(out[cols].to_numpy(), np.round(expect, 4))
    assert (out[cols].to_numpy() > 0).sum(axis=1).max() >= 3  # some cross several grades
    route, dist = nearest_route_geoms(engine.index, parcels)
    ids = engine.routes["id"].astype(str).to_numpy()
    assert out["route_id"].astype(str).tolist() == ids[route].tolist()
    np.testing.assert_array_equal(out["route_m"].to_numpy(), np.round(dist, 2))
