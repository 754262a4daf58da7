"""The bundled Dongkou network against the gazette: names, placement, topology, and its build.

The network is a schematic reconstruction, so the tests check what the gazette states, not
coordinates: every name Tables 5 and 7 use resolves; the layers lie inside the county outline at
the county seat; roads meet in the order Table 7's numbered sections imply; and the bundled build
draws every Table 5 area and every Table 7 route, with the routes in the grades they are priced at.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from landgrade.build.builder import build_county
from landgrade.build.grade_map import GradeMap
from landgrade.gazette.parse import parse_file
from landgrade.gazette.rules import Corridor, Region, Ring
from landgrade.network.junctions import parse_endpoint
from landgrade.network.layers import Network, load_network, route_road_name
from landgrade.outputs.audit import audit_grade_map

LAYERS = ("roads", "water", "landmarks", "extent")
COUNTY_SEAT_LONLAT = (110.57, 27.06)  # 洞口镇

# Junction orders along a road, from the gazette. Table 7 numbers each road's sections along the
# road (桔城路 1 … 6: 雪峰路 → 城西大道 → … → 雪峰路), so consecutive sections share a junction and
# the junctions follow one another in that order. Where Table 5 adds a junction (the grade-4 ring
# runs 惠民路 → 城西大道 → 洞口大道西段), it is inserted where the text puts it.
ORDERS: dict[str, list[str]] = {
    # 桔城路 1–6
    "桔城路": ["雪峰路", "城西大道", "龙安路", "健民路", "新村路", "蔡锷路", "雪峰路"],
    # 雪峰西路 1–3 (1 runs from 平溪北路 to the west end), 雪峰中路 4–6, 雪峰东路 7–10
    "雪峰路": ["平溪北路", "城西大道", "健民路", "峡口路", "桔城路", "金坪路", "road:U01",
             "芙蓉路", "城东大道"],
    # 文昌路 7 (北, 洞口大道 → 悦江山路), 1–3 (北), 4–6 (南)
    "文昌路": ["悦江山路", "洞口大道", "雪峰路", "双龙路", "平溪江", "road:U07", "凤凰路",
             "华荣路"],
    # 蔡锷北路 1–6, 蔡锷南路 7–8; 德民路 from Table 5 (grade-3 corridor 德民路 → 惠民路)
    "蔡锷路": ["惠民路", "德民路", "洞口大道", "雪峰路", "桔城路", "平溪江", "裕丰国际城南路",
             "沪昆高速"],
    # 城西大道 1–3; 惠民路 → 城西大道 → 洞口大道西段 in the grade-4 ring
    "城西大道": ["惠民路", "洞口大道", "雪峰路", "桔城路", "平溪江", "文昌路"],
    "双龙路": ["健民路", "新村路", "蔡锷路"],
    "太平路": ["桔城路", "泰龙路", "金坪路"],
    "华荣路": ["文昌路", "梨园西路", "河流"],
    "都梁路": ["凤凰路", "梨园西路", "江黎路", "沪昆高速"],
    # 梨园西路 1–3
    "梨园西路": ["沪昆高速", "裕丰国际城南路", "蔡锷路", "黄金路"],
    # Table 5 grade-3 ring starts on 金坪路 at 平溪江; 金坪路 1 runs 洞口大道 → 雪峰路
    "金坪路": ["平溪江", "雪峰路", "洞口大道"],
    # Table 5 grade-4 ring (平溪江 → 城东大道), 城东大道 1–2
    "城东大道": ["平溪江", "洞口大道", "站前大道"],
}
# 洞口大道 is drawn in two pieces (it meets 金坪路 twice); its sections 2, 1 run along the west
# piece, which 洞口大道西段 extends 1400 m west of 城西大道.
ORDERS_BY_ID: dict[str, list[str]] = {"R03": ["城西大道", "文昌路", "泰龙路", "金坪路"]}


@pytest.fixture(scope="module")
def network(dongkou_dir: Path) -> Network:
    return load_network(
        roads=dongkou_dir / "roads.geojson", water=dongkou_dir / "water.geojson",
        landmarks=dongkou_dir / "landmarks.geojson", extent=dongkou_dir / "extent.geojson",
        aliases=dongkou_dir / "aliases.csv",
    )


@pytest.fixture(scope="module")
def decided(dongkou_dir: Path) -> set[tuple[str, str]]:
    d = pd.read_csv(dongkou_dir / "decisions.csv", dtype=str)
    return set(zip(d["clause"], d["item"], strict=True))


@pytest.fixture(scope="module")
def outline(dongkou_dir: Path):
    return gpd.read_file(dongkou_dir / "outline.geojson").to_crs(4546).union_all()


@pytest.fixture(scope="module")
def built(dongkou_dir: Path) -> GradeMap:
    return build_county(dongkou_dir)


# -- layers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", LAYERS)
def test_layer_is_in_the_working_crs_and_says_schematic(dongkou_dir: Path, layer: str) -> None:
    path = dongkou_dir / f"{layer}.geojson"
    assert pyogrio.read_info(path)["crs"] == "EPSG:4546"
    gdf = gpd.read_file(path)
    assert len(gdf) and gdf["name"].notna().all()
    assert gdf["source"].str.contains("schematic").all()


def test_road_ids_are_unique_and_classes_are_table7s(dongkou_dir: Path) -> None:
    roads = gpd.read_file(dongkou_dir / "roads.geojson")
    assert roads["road_id"].is_unique
    routes = pd.read_csv(dongkou_dir / "routes.csv")
    aliases = dict(pd.read_csv(dongkou_dir / "aliases.csv").itertuples(index=False))
    drawn = dict(zip(roads["name"], roads["road_class"], strict=False))
    for r in routes.itertuples(index=False):
        road = route_road_name(r.name)
        road = aliases.get(road, road)
        if road in drawn:
            assert drawn[road] == r.road_class, f"{r.id} {r.name}: Table 7 says {r.road_class}"


def test_network_lies_inside_the_county_at_the_county_seat(dongkou_dir: Path, outline) -> None:
    extent = gpd.read_file(dongkou_dir / "extent.geojson").union_all()
    assert outline.contains(extent)
    for layer in ("roads", "water", "landmarks"):
        geoms = gpd.read_file(dongkou_dir / f"{layer}.geojson").geometry
        assert outline.contains(geoms.union_all()), layer
    seat = gpd.GeoSeries(gpd.points_from_xy([COUNTY_SEAT_LONLAT[0]], [COUNTY_SEAT_LONLAT[1]]),
                         crs=4326).to_crs(4546).iloc[0]
    assert extent.contains(seat)
    assert 5e6 < extent.area < 1e8  # a county seat: several km across, not a whole county


def _sketch_module():
    path = Path(__file__).resolve().parents[1] / "scripts" / "sketch_to_layers.py"
    spec = importlib.util.spec_from_file_location("sketch_to_layers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_layers_are_what_the_sketch_says(dongkou_dir: Path, tmp_path: Path) -> None:
    """The committed GeoJSON is regenerated from geo/dongkou/schematic, never edited apart."""
    written = _sketch_module().sketch_to_layers(dongkou_dir / "schematic", tmp_path)
    assert set(written) == set(LAYERS)
    for layer, path in written.items():
        fresh, committed = gpd.read_file(path), gpd.read_file(dongkou_dir / f"{layer}.geojson")
        assert list(fresh.columns) == list(committed.columns), layer
        assert fresh.drop(columns="geometry").equals(committed.drop(columns="geometry")), layer
        assert shapely.equals_exact(fresh.geometry.values, committed.geometry.values, 0.01).all()


def test_sketch_errors_name_the_row(tmp_path: Path) -> None:
    sketch = _sketch_module()
    (tmp_path / "nodes.csv").write_text("node,x,y,note\na,0,0,\nb,10,0,\n", encoding="utf-8")
    (tmp_path / "features.csv").write_text(
        "layer,id,name,road_class,nodes,note\nroads,R1,甲路,支路,a b,\nroads,R2,乙路,支路,a c,\n",
        encoding="utf-8")
    with pytest.raises(sketch.SketchError, match=r"row 3 \(R2 乙路\): unknown node\(s\) c"):
        sketch.sketch_to_layers(tmp_path, tmp_path)


# -- names ----------------------------------------------------------------------------------------
def _resolves(network: Network, decided: set[tuple[str, str]], clause: str, item: str,
              text: str) -> bool:
    ep = parse_endpoint(text)
    if ep.kind != "feature":
        return True  # extent, grade edges, road ends, distances: not names
    return network.has(ep.name or text) or (clause, item) in decided


def test_every_table7_name_resolves(dongkou_dir: Path, network: Network,
                                    decided: set[tuple[str, str]]) -> None:
    routes = pd.read_csv(dongkou_dir / "routes.csv").rename(columns={"from": "start", "to": "end"})
    missing = []
    for r in routes.itertuples(index=False):
        road = route_road_name(r.name)
        parts = [road] if network.has(road) else [p.strip() for p in road.split("-")]
        if not all(network.has(p) for p in parts) and (r.id, "road") not in decided:
            missing.append(f"{r.id} road {r.name}")
        for item, text in (("from", r.start), ("to", r.end)):
            if not _resolves(network, decided, r.id, item, text):
                missing.append(f"{r.id} {item} {text}")
    assert not missing


def test_every_table5_name_resolves(dongkou_dir: Path, network: Network,
                                    decided: set[tuple[str, str]]) -> None:
    rules = parse_file(dongkou_dir / "table5.txt")
    missing = []
    for g in rules.grades:
        for a_no, area in enumerate(g.areas, start=1):
            clause = f"{g.grade}.{a_no}"
            if isinstance(area, Ring):
                for k, it in enumerate(area.items, start=1):
                    if not _resolves(network, decided, clause, str(k), it.feature):
                        missing.append(f"{clause} item {k} {it.feature}")
            elif isinstance(area, Corridor):
                for f in area.features:
                    if not network.has(f):
                        missing.append(f"{clause} {f}")
                for item, text in (("from", area.from_), ("to", area.to)):
                    if not _resolves(network, decided, clause, item, text):
                        missing.append(f"{clause} {item} {text}")
            elif isinstance(area, Region):
                missing += [f"{clause} {b.feature}" for b in area.bounds
                            if not network.has(b.feature)]
    assert not missing


# -- topology -------------------------------------------------------------------------------------
def _crossings(network: Network, line, feature: str) -> np.ndarray:
    """Positions (m along ``line``) where ``feature`` meets it, ascending."""
    other = network.road(feature[5:]) if feature.startswith("road:") else network.feature(feature)
    pts = shapely.get_parts(shapely.intersection(line, shapely.buffer(other, 1.0)))
    return np.sort(np.array([line.project(p.centroid) for p in pts]))


def _assert_in_order(network: Network, line, label: str, order: list[str]) -> None:
    """Each junction exists after the previous one along the line (either direction)."""
    line = shapely.line_merge(line)
    assert line.geom_type == "LineString", f"{label} is drawn in pieces"
    found = {f: _crossings(network, line, f) for f in order}
    assert all(len(v) for v in found.values()), {f: len(v) for f, v in found.items()}

    def ordered(positions: dict[str, np.ndarray], reverse: bool) -> bool:
        at = -np.inf
        for f in (order[::-1] if reverse else order):
            later = positions[f][positions[f] > at + 0.5]
            if not len(later):
                return False
            at = later[0]
        return True

    assert ordered(found, False) or ordered(found, True), f"{label}: not in order {order}"


@pytest.mark.parametrize("road", sorted(ORDERS))
def test_table7_junction_order(network: Network, road: str) -> None:
    _assert_in_order(network, network.feature(road), road, ORDERS[road])


@pytest.mark.parametrize("road_id", sorted(ORDERS_BY_ID))
def test_table7_junction_order_by_id(network: Network, road_id: str) -> None:
    _assert_in_order(network, network.road(road_id), road_id, ORDERS_BY_ID[road_id])


def test_jucheng_road_meets_xuefeng_road_at_both_ends(network: Network) -> None:
    jucheng = network.feature("桔城路")
    meet = shapely.get_parts(shapely.intersection(jucheng, network.feature("雪峰路")))
    assert len(meet) == 2
    ends = shapely.get_coordinates(shapely.boundary(jucheng))
    assert sorted(map(tuple, shapely.get_coordinates(meet))) == sorted(map(tuple, ends))
    # ... and reaches 平溪江 between them (the grade-1 ring's 平溪江 → 桔城路 → 雪峰路 stretch)
    assert shapely.intersects(jucheng, network.feature("平溪江"))


def test_dongkou_road_meets_jinping_road_twice(network: Network) -> None:
    meet = shapely.intersection(network.feature("洞口大道"), network.feature("金坪路"))
    assert len(shapely.get_parts(meet)) == 2


def test_expressway_crosses_the_south_of_the_town(network: Network) -> None:
    expressway, river = network.feature("沪昆高速"), network.feature("平溪江")
    assert expressway.bounds[3] < river.bounds[1]  # wholly south of the river
    assert shapely.crosses(expressway, network.extent)


# -- the build ------------------------------------------------------------------------------------
def test_build_draws_every_table5_area(built: GradeMap) -> None:
    rep = built.report
    areas = rep[rep["kind"].isin(["ring", "corridor", "region", "residual"])]
    per_grade = areas.groupby(areas["clause"].str.split(".").str[0]).size().to_dict()
    assert per_grade == {"1": 3, "2": 2, "3": 3, "4": 3, "5": 1}
    assert not (areas["status"] == "error").any()
    assert (areas.loc[areas["kind"] != "residual", "area_m2"].astype(float) > 0).all()


def test_build_draws_all_74_routes(built: GradeMap) -> None:
    routes = built.routes
    assert len(routes) == 74
    assert (routes["status"] == "ok").all()
    assert (routes["length_m"] > 10).all()


def test_grades_partition_the_extent(built: GradeMap) -> None:
    extent = built.extent.union_all()
    grades = built.grades.geometry.to_numpy()
    assert sorted(built.grades["grade"].astype(int)) == [1, 2, 3, 4, 5]
    assert shapely.area(grades).sum() == pytest.approx(extent.area, rel=1e-6)
    overlap = shapely.area(shapely.intersection(grades[:, None], grades[None, :]))
    np.fill_diagonal(overlap, 0.0)
    assert overlap.max() < 1.0


def test_report_lists_every_decision_as_used(dongkou_dir: Path, built: GradeMap) -> None:
    rep = built.report
    rows = rep[rep["kind"] == "decision"]
    assert len(rows) == len(pd.read_csv(dongkou_dir / "decisions.csv"))
    assert (rows["status"] == "ok").all(), rows[rows["status"] != "ok"][["clause", "item"]]


def test_audit_agrees_with_table7_grades(built: GradeMap) -> None:
    audit = audit_grade_map(built)
    assert audit["agrees"].mean() >= 0.9, audit.loc[~audit["agrees"], ["id", "reason"]]
    # The gazette's own contrast across the grade-1 ring: 蔡锷北路 5 inside it, 6 outside.
    by_id = audit.set_index("id")
    assert by_id.loc["A14", "majority_grade"] == 1
    assert by_id.loc["B39", "majority_grade"] == 2


@pytest.mark.parametrize(
    ("nodes", "message"),
    [
        ("node,x,y\na,0,0\nb,ten,0\n", r"nodes\.csv, line 3: node 'b' needs numeric x and y"),
        ("node,x,y\na,0,0\n\nb,,0\n", r"nodes\.csv, line 4: node 'b' needs numeric"),
        ("node,x,y\na,0,0\na,1,0\n", r"nodes\.csv, line 3: node 'a' is defined twice"),
    ],
)
def test_sketch_node_errors_name_the_line(tmp_path: Path, nodes: str, message: str) -> None:
    sketch = _sketch_module()
    (tmp_path / "nodes.csv").write_text(nodes, encoding="utf-8")
    (tmp_path / "features.csv").write_text("layer,id,name,nodes\nroads,R1,甲路,a b\n",
                                           encoding="utf-8")
    with pytest.raises(sketch.SketchError, match=message):
        sketch.sketch_to_layers(tmp_path, tmp_path)


def test_sketch_in_another_encoding_is_a_clear_error(tmp_path: Path) -> None:
    sketch = _sketch_module()
    (tmp_path / "nodes.csv").write_text("node,x,y\na,0,0\nb,1,0\n", encoding="utf-8")
    (tmp_path / "features.csv").write_bytes("layer,id,name,nodes\nroads,R1,甲路,a b\n"
                                            .encode("gbk"))
    with pytest.raises(sketch.SketchError, match=r"features\.csv: not UTF-8"):
        sketch.sketch_to_layers(tmp_path, tmp_path)
