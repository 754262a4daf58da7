"""The build on a surveyed-style copy of the bundled network matches the clean build.

``surveyed_copy.py`` cuts the bundled (schematic) Dongkou roads into hundreds of pieces with
gaps of up to 1.5 m, jitters every vertex, nulls the names of unnamed roads, adds service
roads, draws three gazette roads as two section names each, renames the fields per layer in
Chinese, and writes the roads as a GBK shapefile without a ``.cpg`` in EPSG:4525. The map built
on it must agree with the clean map: each grade's area within 1 %, every Table 7 route within
2 % of its length, and at least 99 % of 20,000 random points in the same grade. A second copy
draws two main roads as dual carriageways 12 m apart.

Also here: the synthetic grid town with one gazette name drawn as two section names builds
exactly (the hand-computed areas of ``synthetic.TABLE5``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString
from surveyed_copy import SECTIONS, make_surveyed_copy
from synthetic import ROUTES, TABLE5_AREAS, grid_town, table5_rules, xy

from landgrade.build.builder import BuildInputs, build_from, build_grade_map
from landgrade.build.grade_map import GradeMap
from landgrade.network.layers import load_network

N_POINTS = 20_000


@pytest.fixture(scope="module")
def clean(dongkou_dir: Path) -> GradeMap:
    return build_from(BuildInputs(county=dongkou_dir))


def _build_copy(dongkou_dir: Path, folder: Path, **fields) -> GradeMap:
    return build_from(BuildInputs(
        county=dongkou_dir, roads=folder / "道路中心线.shp", water=folder / "水系.gpkg",
        landmarks=folder / "landmarks.geojson", aliases=folder / "aliases.csv",
        id_field="道路编码", **fields,
    ))


@pytest.fixture(scope="module")
def copy_files(tmp_path_factory, dongkou_dir: Path) -> dict[str, Path]:
    return make_surveyed_copy(dongkou_dir, tmp_path_factory.mktemp("surveyed"))


@pytest.fixture(scope="module")
def surveyed(copy_files, dongkou_dir: Path) -> GradeMap:
    # No --name-field: each layer's field is found among the usual spellings.
    return _build_copy(dongkou_dir, copy_files["roads"].parent)


@pytest.fixture(scope="module")
def dual(tmp_path_factory, dongkou_dir: Path) -> GradeMap:
    folder = tmp_path_factory.mktemp("dual")
    make_surveyed_copy(dongkou_dir, folder, dual=("文昌路", "蔡锷路"))
    return _build_copy(dongkou_dir, folder, name_field={
        "roads": "道路名称", "water": "名称", "landmarks": "NAME"})


def _random_points(extent, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = extent.bounds
    out = np.empty((0, 2))
    while len(out) < n:
        xy_ = np.column_stack([rng.uniform(x0, x1, 2 * n), rng.uniform(y0, y1, 2 * n)])
        out = np.vstack([out, xy_[shapely.contains_xy(extent, xy_[:, 0], xy_[:, 1])]])
    return out[:n]


def _grade_of(gm: GradeMap, pts: np.ndarray) -> np.ndarray:
    out = np.zeros(len(pts), dtype=int)
    for g, geom in zip(gm.grades["grade"], gm.grades.geometry, strict=True):
        out[shapely.contains_xy(geom, pts[:, 0], pts[:, 1])] = g
    return out


def test_the_copy_is_surveyed_style(copy_files):
    import geopandas as gpd

    shp = copy_files["roads"]
    assert not shp.with_suffix(".cpg").exists()
    roads = gpd.read_file(shp, encoding="GBK", engine="pyogrio")
    assert roads.crs.to_epsg() == 4525 and roads.total_bounds[0] > 37_000_000
    assert len(roads) > 500
    assert set(roads.columns) >= {"道路名称", "道路编码", "道路等级"}
    assert roads["道路名称"].isna().sum() > 20
    for first, second, _ in SECTIONS.values():
        assert {first, second} <= set(roads["道路名称"])
    # Pieces of one road miss each other: the union of a road's pieces is not one line.
    pieces = roads.to_crs(4546)
    r01 = shapely.line_merge(shapely.union_all(pieces.geometry[pieces["道路编码"] == "R01"]))
    gaps = shapely.get_parts(r01)
    assert len(gaps) > 10


def test_each_grade_area_within_one_percent(clean, surveyed):
    a = clean.grades.set_index("grade")["area_m2"]
    b = surveyed.grades.set_index("grade")["area_m2"]
    assert list(a.index) == list(b.index)
    assert ((b - a).abs() / a).max() < 0.01


def test_every_route_within_two_percent(clean, surveyed):
    a = clean.routes.set_index("id")
    b = surveyed.routes.set_index("id")
    assert len(b) == 74 and (b["status"] == "ok").all()
    rel = ((b["length_m"] - a["length_m"]).abs() / a["length_m"])
    assert rel.max() < 0.02, rel.sort_values().tail(3)


def test_random_points_get_the_same_grade(clean, surveyed):
    pts = _random_points(clean.extent.geometry.iloc[0], N_POINTS)
    same = (_grade_of(clean, pts) == _grade_of(surveyed, pts)).mean()
    assert same >= 0.99


def test_the_copy_builds_in_the_county_crs_with_found_fields_reported(surveyed):
    assert surveyed.crs.to_epsg() == 4546  # metadata.json names it; the input was EPSG:4525
    inputs = surveyed.report[surveyed.report["kind"] == "input"]["text"].str.cat(sep="\n")
    assert "'道路名称'" in inputs and "'名称'" in inputs and "'NAME'" in inputs
    assert "'道路编码'" in inputs
    assert "slip/service" in inputs  # the service spurs carrying a road's name are kept out
    assert not surveyed.report["warnings"].fillna("").str.contains("cannot be right").any()


def test_dual_carriageways_build_close_to_the_clean_map(clean, dual):
    a = clean.grades.set_index("grade")["area_m2"]
    b = dual.grades.set_index("grade")["area_m2"]
    assert ((b - a).abs() / a).max() < 0.01
    assert (dual.routes["status"] == "ok").all()
    # Routes run along one carriageway, or on to a dual road's centre: within 3 % (the inner
    # carriageway of a bend is a little shorter than the centreline).
    a, b = clean.routes.set_index("id"), dual.routes.set_index("id")
    assert ((b["length_m"] - a["length_m"]).abs() / a["length_m"]).max() < 0.03
    pts = _random_points(clean.extent.geometry.iloc[0], N_POINTS, seed=1)
    assert (_grade_of(clean, pts) == _grade_of(dual, pts)).mean() >= 0.99


# -- a gazette name drawn as two section names ---------------------------------------------------
def _sectioned_town():
    """The grid town with 甲街 drawn as 甲西街 (x < 500) and 甲东街 (x > 500), and 清江 as two
    pieces 0.8 m apart."""
    layers = grid_town()
    roads = layers["roads"]
    keep = roads[roads["name"] != "甲街"]
    import geopandas as gpd
    import pandas as pd

    pieces = gpd.GeoDataFrame(
        {"name": ["甲西街", "甲东街"], "road_class": ["次干道"] * 2, "road_id": ["h0w", "h0e"]},
        geometry=[LineString([xy(500, 200), xy(0, 200)]),  # drawn westwards, as surveys do
                  LineString([xy(500, 200), xy(1000, 200)])], crs=roads.crs)
    layers["roads"] = pd.concat([keep, pieces], ignore_index=True)
    water = layers["water"]
    river = gpd.GeoDataFrame(
        {"name": ["清江", "清江"]},
        geometry=[LineString([xy(0, 500), xy(500, 500)]),
                  LineString([xy(1000, 500), xy(500.8, 500)])], crs=water.crs)
    layers["water"] = pd.concat([water[water["name"] != "清江"], river], ignore_index=True)
    return layers


def test_a_gazette_name_drawn_as_two_section_names_builds_exactly():
    layers = _sectioned_town()
    aliases = {"甲街": ("甲西街", "甲东街")}
    net = load_network(layers["roads"], layers["water"], layers["landmarks"], layers["extent"],
                       aliases=aliases)
    assert net.members("甲街") == ("甲西街", "甲东街")
    assert net.feature("甲街").length == pytest.approx(1000.0)
    gm = build_grade_map(table5_rules(), net, routes=ROUTES)
    areas = dict(zip(gm.grades["grade"], gm.grades["area_m2"], strict=True))
    for g, expected in TABLE5_AREAS.items():
        assert areas[g] == pytest.approx(expected, rel=1e-6), g
    # Table 7's 甲街 2 runs from 一路 (x = 200) to 二路 (x = 400) across the 甲西街 section.
    route = gm.routes.set_index("id").loc["A02"]
    assert route["status"] == "ok" and route["length_m"] == pytest.approx(200.0)


def test_alias_rows_with_one_alias_mean_the_union(tmp_path):
    from landgrade.network.layers import read_aliases

    p = tmp_path / "aliases.csv"
    p.write_text("alias,name\n解放路,解放东路\n解放路,解放西路\n解放中路,解放路\n",
                 encoding="utf-8")
    assert read_aliases(p) == {"解放路": ("解放东路", "解放西路"), "解放中路": ("解放路",)}


def test_a_dual_carriageway_street_measures_its_strip_from_the_carriageway_on_that_side():
    """甲街 (y = 200) drawn as two carriageways at y = 194 and y = 206.

    Grade 1's ring runs along the north carriageway (the shorter closed path), and 甲街's south
    strip (含南侧20米) is measured from the south carriageway: the zone reaches y = 174, 6 m
    further than on the centreline. The 一路/甲街 junction is the cluster of the two crossings,
    (200, 200), so the 一路 west strip runs y = 200..400 and the 三路 corridor starts at y = 200:
    ring 200 × 194 + strip 200 × (206 − 174) + 一路 strip 16 × 200 + corridor 40 × 200
    = 38 800 + 6 400 + 3 200 + 8 000 = 56 400 m² (the centreline build's 55 200 + 200 × 6).
    """
    import geopandas as gpd
    import pandas as pd

    layers = grid_town()
    roads = layers["roads"]
    dual = gpd.GeoDataFrame(
        {"name": ["甲街", "甲街"], "road_class": ["主干道"] * 2, "road_id": ["h0s", "h0n"]},
        geometry=[LineString([xy(0, 194), xy(1000, 194)]),
                  LineString([xy(1000, 206), xy(0, 206)])], crs=roads.crs)
    layers["roads"] = pd.concat([roads[roads["name"] != "甲街"], dual], ignore_index=True)
    net = load_network(layers["roads"], layers["water"], layers["landmarks"], layers["extent"])
    gm = build_grade_map(table5_rules(), net, routes=ROUTES)
    g1 = gm.grades.set_index("grade").geometry.loc[1]
    assert g1.area == pytest.approx(56_400.0, rel=1e-6)
    for x, y, inside in [(300, 176, True), (300, 172, False), (300, 200, True),
                         (190, 202, True), (610, 202, True), (610, 196, False)]:
        assert g1.contains(shapely.Point(*xy(x, y))) is inside, (x, y)
    # Table 7's 甲街 2 runs from 一路 to 二路 along one carriageway: 200 m.
    route = gm.routes.set_index("id").loc["A02"]
    assert route["status"] == "ok" and route["length_m"] == pytest.approx(200.0)


def test_cli_build_on_the_copy_with_per_layer_fields_id_field_and_snap(copy_files, tmp_path,
                                                                     dongkou_dir):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    folder = copy_files["roads"].parent
    args = ["build", "--county", str(dongkou_dir), "--roads", str(copy_files["roads"]),
            "--water", str(copy_files["water"]), "--landmarks", str(copy_files["landmarks"]),
            "--aliases", str(copy_files["aliases"]), "--name-field", "roads=道路名称",
            "--name-field", "水系=名称", "--name-field", "NAME", "--id-field", "道路编码",
            "--strict", "--quiet", "--lang", "en"]
    out = tmp_path / "surveyed.gpkg"
    result = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "working CRS: EPSG:4546" in result.output and out.exists()
    assert GradeMap.read(out).crs.to_epsg() == 4546
    # With a snap tolerance below the copy's gaps, the pieces no longer join: a clear error.
    tight = tmp_path / "tight.gpkg"
    result = CliRunner().invoke(app, [*args, "--snap", "0.05", "-o", str(tight)])
    assert result.exit_code == 2 and not tight.exists()
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    assert folder.exists()


def test_a_half_plane_of_a_dual_carriageway_is_taken_from_the_road_as_a_whole():
    from landgrade.build.geometry import side_of

    extent = grid_town()["extent"].geometry.iloc[0]
    street = shapely.multilinestrings([LineString([xy(0, 194), xy(1000, 194)]),
                                       LineString([xy(1000, 206), xy(0, 206)])])
    # 以南 is south of the south carriageway, 以北 north of the north one; the median is the road.
    assert side_of(street, "S", extent).area == pytest.approx(1000 * 194)
    assert side_of(street, "N", extent).area == pytest.approx(1000 * 794)


def test_a_side_road_ending_at_the_near_carriageway_runs_on_to_the_crossing_centre():
    """短路 (x = 500) comes south from 乙街 (y = 400) and stops 0.4 m short of 甲街's north
    carriageway (y = 206); the junction's centre is between the carriageways, y = 200, so the
    route 乙街 → 甲街 is 200 m, as on a centreline network."""
    import geopandas as gpd
    import pandas as pd

    layers = grid_town()
    roads = layers["roads"]
    extra = gpd.GeoDataFrame(
        {"name": ["甲街", "甲街", "短路"], "road_class": ["主干道"] * 2 + ["支路"],
         "road_id": ["h0s", "h0n", "d1"]},
        geometry=[LineString([xy(0, 194), xy(1000, 194)]),
                  LineString([xy(1000, 206), xy(0, 206)]),
                  LineString([xy(500, 400), xy(500, 206.4)])], crs=roads.crs)
    roads = pd.concat([roads[roads["name"] != "甲街"], extra], ignore_index=True)
    net = load_network(roads, layers["water"], layers["landmarks"], layers["extent"])
    routes = pd.DataFrame({"id": ["X1"], "name": ["短路"], "from": ["乙街路口"],
                           "to": ["甲街路口"]})
    gm = build_grade_map(table5_rules(), net, routes=routes)
    route = gm.routes.set_index("id").loc["X1"]
    assert route["status"] == "ok" and route["length_m"] == pytest.approx(200.0)
    end = shapely.get_coordinates(route.geometry)[-1]
    assert tuple(end) == pytest.approx(xy(500, 200), abs=0.01)
