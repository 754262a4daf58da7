"""The engine on hand-drawn maps whose answers are known by construction.

The hand map (working CRS, offsets from X0, Y0), a 300 × 200 m extent::

    grade 1: the square x 0–100 plus a corridor y 95–105 from x 100 to 250
    grade 2: the rest (x 100–300)
    route R1 (row 0): y = 100 along the corridor, standard depth 16 m, 3000 yuan/m²
    route R2 (row 1): x = 50 across the square, standard depth 20 m, 5000 yuan/m²
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.engine import Engine
from landgrade.engine.answer import DISTANCE_DECIMALS, use_short
from landgrade.engine.grid import build_index, nearest_route_geoms, point_segment_distance
from landgrade.errors import LandgradeError

X0, Y0 = 500_000.0, 3_000_000.0
CRS = "EPSG:4546"
USES = ("commercial", "residential", "industrial", "public_1", "public_2")
PRICES = {1: [3194, 1800, 600, 1200, 900], 2: [2248, 1500, 500, 1000, 800]}


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def hand_map() -> GradeMap:
    corridor = box(100, 95, 250, 105)
    g1 = shapely.union(box(0, 0, 100, 200), corridor)
    g2 = shapely.difference(box(100, 0, 300, 200), corridor)
    grades = gpd.GeoDataFrame({"grade": [1, 2], "area_m2": [g1.area, g2.area]},
                              geometry=[g1, g2], crs=CRS)
    routes = gpd.GeoDataFrame(
        {"id": ["R1", "R2"], "name": ["一路", "二路"], "grade": [1, 1],
         "road_class": ["次干道", "主干道"], "standard_depth_m": [16.0, 20.0],
         "price": [3000.0, 5000.0]},
        geometry=[shapely.LineString([(X0, Y0 + 100), (X0 + 300, Y0 + 100)]),
                  shapely.LineString([(X0 + 50, Y0), (X0 + 50, Y0 + 200)])],
        crs=CRS,
    )
    extent = gpd.GeoDataFrame(geometry=[box(0, 0, 300, 200)], crs=CRS)
    return GradeMap(grades=grades, extent=extent, routes=routes, metadata={"county": "hand"})


@dataclasses.dataclass
class FakeConnotation:
    term_years: int
    plot_ratio: float
    valuation_date: str = "2021-10-01"


class FakePriceBook:
    """The PriceBook surface the engine uses, with prices chosen for these tests."""

    uses = USES

    def urban_price_table(self) -> pd.DataFrame:
        return pd.DataFrame.from_dict(PRICES, orient="index", columns=list(USES)).astype(float)

    def connotation(self, grade: int, use: str, area: str = "urban") -> FakeConnotation:
        return FakeConnotation(40 if use == "commercial" else 70, 1.0 + grade / 10)

    def town_class(self, town: str) -> int:
        if town != "高沙镇":
            raise KeyError(town)
        return 1

    def town_prices(self, town: str, grade: int) -> dict[str, float]:
        self.town_class(town)
        if grade not in (1, 2):
            raise KeyError(grade)
        return {u: 100.0 * grade + i for i, u in enumerate(USES)}


@pytest.fixture(scope="module")
def engine() -> Engine:
    outline = box(-1000, -1000, 1300, 1200)
    gm = hand_map()
    return Engine(gm, FakePriceBook(), index=build_index(gm, max_cells=32), outline=outline)


def rel(x: float, y: float) -> tuple[float, float]:
    return X0 + x, Y0 + y


def test_use_short_keys_fit_ten_characters() -> None:
    assert [use_short(u) for u in USES] == ["comm", "resi", "indu", "pub1", "pub2"]


@pytest.mark.parametrize(
    ("x", "y", "grade", "route", "dist", "within"),
    [
        (20, 20, 1, "R2", 30.0, False),      # in the square, 30 m from R2, beyond its 20 m
        (200, 102, 1, "R1", 2.0, True),      # inside the corridor strip
        (200, 110, 2, "R1", 10.0, True),     # just outside the strip, within R1's 16 m
        (200, 150, 2, "R1", 50.0, False),
        (75, 125, 1, "R1", 25.0, False),     # equally near R1 and R2: first route wins
    ],
)
def test_hand_checked_points(engine: Engine, x, y, grade, route, dist, within) -> None:
    r = engine.locate(*rel(x, y), crs=CRS).iloc[0]
    assert r["grade"] == grade
    assert r["in_extent"]
    assert r["route_id"] == route
    assert r["route_m"] == pytest.approx(dist)
    assert bool(r["route_in"]) is within
    assert r["status"] == "ok"
    assert not r["on_bound"]
    assert r["p_comm"] == PRICES[grade][0]
    assert r["p_pub2"] == PRICES[grade][4]
    assert r["t_comm"] == 40 and r["t_resi"] == 70
    assert r["r_comm"] == pytest.approx(1.0 + grade / 10)
    assert r["val_date"] == "2021-10-01"
    if within:
        assert r["route_px"] == (3000.0 if route == "R1" else 5000.0)
    else:  # beyond the standard depth the route is named but offers no road-line price
        assert np.isnan(r["route_px"])


def test_point_on_shared_boundary_takes_the_better_grade(engine: Engine) -> None:
    r = engine.locate(*rel(100, 50), crs=CRS).iloc[0]
    assert r["grade"] == 1 and r["on_bound"]
    corner = engine.locate(*rel(250, 100), crs=CRS).iloc[0]  # corridor's end, on the boundary
    assert corner["grade"] == 1 and corner["on_bound"]


def test_outside_extent_and_outside_county(engine: Engine) -> None:
    out = engine.locate([X0 + 400, X0 + 5000], [Y0 + 50, Y0 + 50], crs=CRS)
    assert out["in_extent"].tolist() == [False, False]
    assert out["grade"].isna().all()
    assert out["p_comm"].isna().all()
    assert out["status"].tolist() == ["outside_extent", "outside_county"]
    assert out["route_id"].iloc[0] == "R1"
    assert out["route_m"].iloc[0] == round(np.hypot(100, 50), DISTANCE_DECIMALS)
    # 5 km out of the county the nearest road answers nothing: no route, not a far one.
    assert pd.isna(out["route_id"].iloc[1]) and np.isnan(out["route_m"].iloc[1])
    assert not out["route_in"].iloc[1] and np.isnan(out["route_px"].iloc[1])


def test_outer_edge_of_extent_is_inside(engine: Engine) -> None:
    r = engine.locate(*rel(300, 50), crs=CRS).iloc[0]
    assert r["grade"] == 2 and r["in_extent"] and r["on_bound"]


def test_locate_from_wgs84_matches_working_crs(engine: Engine) -> None:
    from landgrade.io.crs import transform

    lon, lat = transform(X0 + 200, Y0 + 102, CRS, "EPSG:4326")
    r = engine.locate(lon, lat).iloc[0]  # default CRS: WGS84
    assert r["grade"] == 1 and r["route_id"] == "R1"
    assert r["route_m"] == pytest.approx(2.0, abs=1e-3)


def test_locate_bad_coordinates_are_flagged_or_refused(engine: Engine) -> None:
    # NaN / inf rows are flagged null_geometry; the finite row beside them is still answered
    x, y = rel(200, 102)
    r = engine.locate([np.nan, x, np.inf], [y, y, y], crs=CRS)
    assert r["status"].tolist() == ["null_geometry", "ok", "null_geometry"]
    assert r["grade"].iloc[1] == 1 and r["route_id"].iloc[1] == "R1"
    with pytest.raises(LandgradeError, match="2 x values but 1 y"):
        engine.locate([x, x], [y], crs=CRS)
    with pytest.raises(LandgradeError, match="must be numbers"):
        engine.locate(["east"], [y], crs=CRS)


def test_suspect_coordinates_get_a_crs_status(engine: Engine) -> None:
    from landgrade.io.crs import transform

    lon, lat = transform(X0 + 20, Y0 + 20, CRS, "EPSG:4326")
    swapped = engine.locate(lat, lon).iloc[0]
    assert swapped["status"] == "crs_suspect_swapped"
    prefixed = engine.locate(37_000_000 + X0 + 20, Y0 + 20, crs=CRS).iloc[0]
    assert prefixed["status"] == "crs_suspect_zone_prefix"
    assert "zone-prefixed" in prefixed["message"]  # the fix, for any county (not one EPSG)
    # A point read in the wrong CRS gets no route distance measured from the wrong place.
    assert pd.isna(swapped["route_id"]) and pd.isna(prefixed["route_id"])
    assert np.isnan(prefixed["route_m"])


def test_parcel_area_shares_and_weighted_prices(engine: Engine) -> None:
    parcels = gpd.GeoDataFrame(
        {"pid": [1, 2, 3]},
        geometry=[box(80, 0, 120, 50),    # 50/50 between grades 1 and 2: tie -> grade 1
                  box(90, 0, 130, 50),    # 1/4 in grade 1, 3/4 in grade 2
                  box(250, 0, 350, 50)],  # half in grade 2, half outside the extent
        crs=CRS,
    )
    out = engine.assign(parcels)
    assert out["share_1"].tolist() == pytest.approx([0.5, 0.25, 0.0])
    assert out["share_2"].tolist() == pytest.approx([0.5, 0.75, 0.5])
    assert out["share_out"].tolist() == pytest.approx([0.0, 0.0, 0.5])
    assert out["grade"].tolist() == [1, 2, 2]
    assert out["area_m2"].tolist() == pytest.approx([2000, 2000, 5000])
    c1, c2 = PRICES[1][0], PRICES[2][0]
    # weighted prices are rounded to Table 6's whole yuan
    weighted = np.round([(c1 + c2) / 2, 0.25 * c1 + 0.75 * c2, c2])
    assert out["p_comm"].tolist() == weighted.tolist()
    # parcel 2's nearest route: R2 at x=50 is 40 m away, R1 at y=100 is 50 m away
    assert out["route_id"].tolist() == ["R2", "R2", "R1"]
    assert out["route_m"].tolist() == pytest.approx([30.0, 40.0, 50.0])


def _intersect_shares(gm: GradeMap, parcels: np.ndarray) -> np.ndarray:
    """Share per grade (1, 2) of each parcel by plain shapely intersection, no shortcut."""
    zones = gm.grades
    return np.array([[sum(shapely.intersection(p, z).area
                          for z in zones.geometry[zones["grade"] == g]) / p.area
                      for g in (1, 2)] for p in parcels])


def test_parcel_wholly_inside_one_zone_gets_share_one_without_intersecting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (a) deep inside the square: every grid cell under it is grade 1's interior;
    # (b) inside the corridor strip, which is too thin for any grid cell to lie inside it,
    #     so contains_properly on the prepared zone decides; (c) deep inside grade 2.
    inside = [box(10, 10, 40, 60), box(150, 97, 170, 103), box(200, 130, 260, 190)]
    cells = engine.index.zone_holding_boxes(shapely.bounds(np.array(inside)))
    assert (cells[[0, 2]] >= 0).all() and cells[1] == -1
    calls: list[int] = []
    real = shapely.intersection
    monkeypatch.setattr(shapely, "intersection",
                        lambda a, b, **kw: calls.append(len(np.atleast_1d(a))) or real(a, b))
    out = engine.assign(gpd.GeoDataFrame({"pid": [1, 2, 3]}, geometry=inside, crs=CRS))
    assert calls == []  # no intersection was computed for any of them
    assert out["share_1"].tolist() == [1.0, 1.0, 0.0]
    assert out["share_2"].tolist() == [0.0, 0.0, 1.0]
    assert out["share_out"].tolist() == [0.0, 0.0, 0.0]
    assert out["grade"].tolist() == [1, 1, 2]
    assert out["p_comm"].tolist() == [PRICES[1][0], PRICES[1][0], PRICES[2][0]]
    # the intersect path agrees: the whole parcel is in that zone
    expect = _intersect_shares(hand_map(), np.array(inside))
    np.testing.assert_allclose(out[["share_1", "share_2"]].to_numpy(), expect, rtol=0,
                               atol=1e-15)


def test_straddling_parcels_get_the_intersection_shares() -> None:
    gm = hand_map()
    engine = Engine(gm, FakePriceBook(), index=build_index(gm, max_cells=32))
    rng = np.random.default_rng(3)
    cx, cy = rng.uniform(0, 300, 400), rng.uniform(0, 200, 400)
    w, h, turn = rng.uniform(5, 60, 400), rng.uniform(5, 60, 400), rng.uniform(0, 180, 400)
    import shapely.affinity as aff

    parcels = np.array([aff.rotate(box(x - a / 2, y - b / 2, x + a / 2, y + b / 2), t)
                        for x, y, a, b, t in zip(cx, cy, w, h, turn, strict=True)])
    out = engine.assign(gpd.GeoDataFrame({"pid": np.arange(400)}, geometry=parcels, crs=CRS))
    got = out[["share_1", "share_2"]].to_numpy()
    expect = _intersect_shares(gm, parcels)
    straddle = (expect > 0).sum(axis=1) + (expect.sum(axis=1) < 1 - 1e-9) > 1
    assert straddle.sum() > 50  # the random parcels do cross grade and extent boundaries
    # one zone row per grade here, so each share is one intersection area / parcel area,
    # published to 1e-4 (answer.SHARE_DECIMALS)
    np.testing.assert_array_equal(got[straddle], np.round(expect[straddle], 4))
    np.testing.assert_array_equal(got, np.round(expect, 4))
    np.testing.assert_array_equal(out["share_out"], np.round(1 - expect.sum(axis=1), 4))


def test_bad_geometries_are_flagged_not_dropped(engine: Engine) -> None:
    bowtie = shapely.Polygon([rel(10, 10), rel(60, 60), rel(60, 10), rel(10, 60)])
    gdf = gpd.GeoDataFrame(
        {"pid": [7, 7, 8, 9, 10]},
        geometry=[bowtie, shapely.Polygon(), None, shapely.Point(), shapely.Point(rel(20, 20))],
        crs=CRS,
    )
    out = engine.assign(gdf)
    assert out["pid"].tolist() == [7, 7, 8, 9, 10]
    assert out["status"].tolist() == [
        "invalid_geometry_repaired", "empty_geometry", "null_geometry", "empty_geometry", "ok",
    ]
    assert out["grade"].iloc[0] == 1
    assert out["grade"].iloc[1:4].isna().all()
    assert out["message"].iloc[2]  # every status explains itself


def test_assign_keeps_order_index_and_attributes(engine: Engine) -> None:
    gdf = gpd.GeoDataFrame(
        {"name": ["c", "a", "b"], "grade": [9, 9, 9]},
        geometry=[shapely.Point(rel(200, 150)), shapely.Point(rel(20, 20)),
                  shapely.Point(rel(400, 50))],
        crs=CRS, index=[30, 10, 20],
    )
    out = engine.assign(gdf)
    assert out.index.tolist() == [30, 10, 20]
    assert out["name"].tolist() == ["c", "a", "b"]
    assert out["src_grade"].tolist() == [9, 9, 9]  # an input column is kept, renamed
    assert out["grade"].tolist()[:2] == [2, 1] and pd.isna(out["grade"].iloc[2])
    assert all(len(c) <= 10 for c in out.columns)


def test_town_prices_from_arguments_and_columns(engine: Engine) -> None:
    gdf = gpd.GeoDataFrame(
        {"town": ["高沙镇", "高沙镇", "无此镇", None], "tg": [2, 1, 1, None]},
        geometry=[shapely.Point(rel(5000, 0))] * 4, crs=CRS,
    )
    out = engine.assign(gdf, town_field="town", town_grade_field="tg")
    assert out["p_comm"].tolist()[:2] == [200.0, 100.0]
    assert out["p_pub2"].tolist()[:2] == [204.0, 104.0]
    assert out["price_src"].tolist() == ["town", "town", "", ""]
    assert out["town_cls"].tolist()[:2] == [1, 1]
    # (5000, 0) lies outside the county outline (-1000..1300 m): the town's prices are shown
    # as asked, but a point outside the county is never reported ok
    assert out["status"].tolist() == ["outside_county"] * 2 + ["unknown_town", "outside_county"]
    assert "town grade 2 shown unchecked" in out["message"].iloc[0]
    one = engine.assign(gdf.iloc[:1], town="高沙镇", town_grade=1)
    assert one["p_resi"].iloc[0] == 101.0


def test_a_town_without_a_usable_town_grade_is_flagged_not_priced_as_urban(engine) -> None:
    gdf = gpd.GeoDataFrame(
        {"town": ["高沙镇", "高沙镇", "高沙镇", ""], "tg": ["x", "1.5", "", "1"]},
        geometry=[shapely.Point(rel(20, 20))] * 4, crs=CRS,
    )
    out = engine.assign(gdf, town_field="town", town_grade_field="tg")
    assert out["status"].tolist() == ["bad_town_grade"] * 3 + ["ok"]
    assert "'x'" in out["message"].iloc[0] and "'1.5'" in out["message"].iloc[1]
    assert out["price_src"].tolist() == ["urban"] * 4  # no town price was made up
    for half in ({"town": "高沙镇"}, {"town_grade": 1}, {"town_field": "town"}):
        with pytest.raises(LandgradeError, match="both a town and its town grade"):
            engine.assign(gdf, **half)


def random_map(seed: int) -> GradeMap:
    """Voronoi zones dissolved into 4 grades (many shared edges) and 30 random routes."""
    rng = np.random.default_rng(seed)
    extent = box(0, 0, 2000, 1500)
    seeds = shapely.multipoints(rng.uniform([X0, Y0], [X0 + 2000, Y0 + 1500], (60, 2)))
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=extent)), extent
    )
    labels = rng.integers(1, 5, len(cells))
    zones = [shapely.union_all(cells[labels == g]) for g in (1, 2, 3, 4)]
    grades = gpd.GeoDataFrame({"grade": [1, 2, 3, 4]}, geometry=zones, crs=CRS)
    lines = [shapely.LineString(rng.uniform([X0, Y0], [X0 + 2000, Y0 + 1500], (4, 2)))
             for _ in range(30)]
    lines.append(lines[3])  # a duplicate route: every distance to it is an exact tie
    routes = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(31)]}, geometry=lines, crs=CRS)
    return GradeMap(grades=grades, extent=gpd.GeoDataFrame(geometry=[extent], crs=CRS),
                    routes=routes)


def test_locate_agrees_with_grade_polygons_on_10000_points(tmp_path) -> None:
    gm = random_map(3)
    path = gm.to_gpkg(tmp_path / "map.gpkg")
    exported = GradeMap.read(path)  # the polygons as a user gets them back
    engine = Engine(exported, index=build_index(exported, max_cells=64))
    rng = np.random.default_rng(4)
    x = rng.uniform(X0 - 100, X0 + 2100, 10_000)
    y = rng.uniform(Y0 - 100, Y0 + 1600, 10_000)
    ours = engine.locate(x, y, crs=CRS)
    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=CRS)
    joined = gpd.sjoin(pts, exported.grades[["grade", "geometry"]], predicate="within",
                       how="left")
    expected = joined["grade"].groupby(level=0).min()
    assert ((ours["grade"].astype(float) == expected) | expected.isna() & ours["grade"].isna()
            ).all()
    assert (ours["in_extent"] == expected.notna()).all()


def test_points_on_shared_edges_take_the_lowest_touching_grade() -> None:
    gm = random_map(5)
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    bounds = shapely.boundary(gm.grades.geometry.to_numpy())
    verts = shapely.get_coordinates(bounds)  # vertices lie exactly on the zones' boundaries
    out = engine.locate(verts[:, 0], verts[:, 1], crs=CRS)
    pts = shapely.points(verts)
    touching = np.array([
        min(g for g, z in zip(gm.grades["grade"], gm.grades.geometry, strict=True)
            if z.intersects(p))
        for p in pts
    ])
    assert (out["grade"].to_numpy(dtype=float) == touching).all()
    assert out["on_bound"].all()


def test_nearest_route_equals_geopandas_sjoin_nearest_with_ties() -> None:
    gm = random_map(6)
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    rng = np.random.default_rng(7)
    x = rng.uniform(X0 - 300, X0 + 2300, 3000)
    y = rng.uniform(Y0 - 300, Y0 + 1800, 3000)
    verts = shapely.get_coordinates(gm.routes.geometry.to_numpy())  # shared-vertex ties
    x, y = np.r_[x, verts[:, 0]], np.r_[y, verts[:, 1]]
    ours = engine.locate(x, y, crs=CRS)
    pts = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=CRS)
    near = gpd.sjoin_nearest(pts, gm.routes[["geometry"]], distance_col="d")
    expected_row = near.groupby(level=0)["index_right"].min()
    expected_d = near.groupby(level=0)["d"].min()
    assert (ours["route_id"].astype(str).to_numpy()
            == gm.routes["id"].to_numpy()[expected_row.to_numpy()]).all()
    # identical once both are rounded to the answer's 0.01 m
    assert (ours["route_m"].to_numpy() == expected_d.round(DISTANCE_DECIMALS).to_numpy()).all()
    assert (ours["route_id"].iloc[3000:] != "R30").all()  # the duplicate never wins a tie


def test_point_segment_distance_matches_geos_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    seg = rng.uniform(0, 1000, (500, 4)) + np.array([X0, Y0, X0, Y0])
    seg[:20, 2:] = seg[:20, :2]  # degenerate segments: a point
    px, py = rng.uniform(X0, X0 + 1000, 500), rng.uniform(Y0, Y0 + 1000, 500)
    lines = shapely.linestrings(seg.reshape(-1, 2, 2))
    assert (point_segment_distance(px, py, seg)
            == shapely.distance(shapely.points(px, py), lines)).all()


def test_nearest_route_geoms_ties_pick_first_row() -> None:
    idx = build_index(hand_map(), max_cells=16)
    geom = np.array([shapely.Point(rel(75, 125)), None])
    route, dist = nearest_route_geoms(idx, geom)
    assert route.tolist() == [0, -1]
    assert dist[0] == pytest.approx(25.0) and np.isnan(dist[1])


def test_map_without_routes_answers_grades() -> None:
    gm = dataclasses.replace(hand_map(), routes=None)
    out = Engine(gm).locate(*rel(20, 20), crs=CRS).iloc[0]
    assert out["grade"] == 1
    assert pd.isna(out["route_id"]) and np.isnan(out["route_m"])


def test_cache_reuses_a_prepared_map_and_notices_a_changed_file(tmp_path, monkeypatch) -> None:
    from landgrade.engine import cache

    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path / "cache"))
    path = hand_map().to_gpkg(tmp_path / "m.gpkg")
    gm, index, key = cache.cached_map_and_index(map_path=path)
    assert gm.grades["grade"].tolist() == [1, 2] and index.grade_values.tolist() == [1, 2]

    def no_reading(*_a, **_k):
        raise AssertionError("the cached map should have been used")

    monkeypatch.setattr(GradeMap, "read", no_reading)
    again, _, key2 = cache.cached_map_and_index(map_path=path)
    assert key2 == key and again.grades["grade"].tolist() == [1, 2]
    monkeypatch.undo()
    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path / "cache"))
    changed = dataclasses.replace(hand_map(), grades=hand_map().grades.assign(grade=[1, 3]))
    changed.to_gpkg(path)
    _, index3, key3 = cache.cached_map_and_index(map_path=path)
    assert key3 != key and index3.grade_values.tolist() == [1, 3]


def test_lines_are_graded_on_the_line_and_routed_by_the_whole_line(engine: Engine) -> None:
    line = shapely.LineString([rel(10, 5), rel(10, 15)])  # inside grade 1, 40 m from R2
    far_end = shapely.LineString([rel(400, 0), rel(400, 98)])  # outside; 2 m from R1's line
    out = engine.assign(gpd.GeoDataFrame(geometry=[line, far_end], crs=CRS))
    assert out["grade"].iloc[0] == 1 and out["route_id"].iloc[0] == "R2"
    assert out["route_m"].iloc[0] == pytest.approx(40.0)
    assert out["route_id"].iloc[1] == "R1"
    assert out["route_m"].iloc[1] == pytest.approx(np.hypot(100, 2))
    assert out["status"].tolist() == ["ok", "outside_extent"]


def test_gcj02_input_is_converted_before_grading(engine: Engine) -> None:
    from landgrade.io.crs import transform

    lon, lat = transform(X0 + 200, Y0 + 102, CRS, "gcj02")
    assert engine.locate(lon, lat, crs="gcj02").iloc[0]["grade"] == 1
    # the same numbers read as WGS84 land hundreds of metres away, outside the extent
    assert pd.isna(engine.locate(lon, lat, crs="EPSG:4326").iloc[0]["grade"])


def test_an_unusable_cache_folder_warns_and_still_answers(tmp_path, monkeypatch, capsys) -> None:
    from landgrade.engine import cache

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("LANDGRADE_CACHE", str(not_a_folder / "cache"))
    path = hand_map().to_gpkg(tmp_path / "m.gpkg")
    gm, index, _ = cache.cached_map_and_index(map_path=path)
    assert gm.grades["grade"].tolist() == [1, 2] and index.grade_values.tolist() == [1, 2]
    # in the bundled county's language (no --lang reaches the cache): Chinese for Dongkou
    assert "警告：缓存文件夹不可用" in capsys.readouterr().err


def test_cache_drops_older_builds_of_the_same_county_only(tmp_path, monkeypatch) -> None:
    from landgrade.engine import cache

    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path))
    for name in ("county-x-aaa.map.pkl", "county-x-aaa.index.pkl", "county-xy-ccc.map.pkl",
                 "map-ddd.map.pkl"):
        (tmp_path / name).write_bytes(b"")
    cache._prune("county-x-bbb")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["county-xy-ccc.map.pkl",
                                                          "map-ddd.map.pkl"]


def test_answers_are_rounded_to_what_they_mean(engine: Engine) -> None:
    """0.01 m, 0.01 m², shares to 1e-4, weighted prices to the gazette's whole yuan."""
    parcel = shapely.Polygon([rel(80, 0), rel(113.3333, 0), rel(113.3333, 33.3333), rel(80, 33.3)])
    out = engine.assign(gpd.GeoDataFrame(geometry=[parcel], crs=CRS))
    area = shapely.area(parcel)
    assert out["area_m2"].iloc[0] == round(area, 2) != area
    gm = engine.grade_map.grades
    grade_1 = gm.geometry[gm["grade"] == 1].iloc[0]
    share_1 = shapely.area(parcel.intersection(grade_1)) / area
    assert out["share_1"].iloc[0] == round(share_1, 4) != share_1
    c1, c2 = PRICES[1][0], PRICES[2][0]
    assert out["p_comm"].iloc[0] == round(share_1 * c1 + (1 - share_1) * c2)
    dist = out["route_m"].iloc[0]
    assert dist == round(dist, 2)


def test_parcel_and_line_nearest_routes_equal_geos_query_nearest() -> None:
    """The vertex-bounded search gives query_nearest's route and distance, ties included."""
    import shapely.affinity as aff

    from landgrade.engine.grid import nearest_route_shapes

    gm = random_map(7)
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    rng = np.random.default_rng(8)
    n = 600
    cx, cy = rng.uniform(X0 - 200, X0 + 2200, n), rng.uniform(Y0 - 200, Y0 + 1700, n)
    w, h, t = rng.uniform(5, 120, n), rng.uniform(5, 120, n), rng.uniform(0, 180, n)
    parcels = [aff.rotate(shapely.box(x - a / 2, y - b / 2, x + a / 2, y + b / 2), r)
               for x, y, a, b, r in zip(cx, cy, w, h, t, strict=True)]
    lines = [shapely.LineString([(x, y), (x + a, y - b)]) for x, y, a, b in
             zip(cx[:100], cy[:100], w[:100], h[:100], strict=True)]
    # a parcel crossed by route R3 (and its duplicate): distance 0, the first of the two wins
    r3 = gm.routes.geometry.iloc[3]
    mid = r3.interpolate(0.5, normalized=True)
    parcels.append(shapely.box(mid.x - 5, mid.y - 5, mid.x + 5, mid.y + 5))
    geoms = np.array(parcels + lines)
    route, dist = nearest_route_shapes(engine.index, geoms, engine._seg_tree)
    expect_route, expect_dist = nearest_route_geoms(engine.index, geoms)
    np.testing.assert_array_equal(route, expect_route)
    np.testing.assert_array_equal(dist, expect_dist)
    assert route[n] == 3 and dist[n] == 0.0
