"""The parcel kernels against GEOS: area per zone (overlay.zone_areas), nearest route
(grid.nearest_route_shapes) and strict convexity (shapes.convex_polygons), on shapes chosen to
break them: holes, several parts, L-shapes, shared edges, vertices on boundaries, tiny slivers.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity as aff
from test_engine import CRS, X0, Y0, random_map

from landgrade.engine import Engine
from landgrade.engine.grid import build_index, nearest_route_geoms, nearest_route_shapes
from landgrade.engine.overlay import ZoneEdges, zone_areas
from landgrade.engine.shapes import convex_polygons


def _geos_areas(zones: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Area of each geometry inside each zone, by GEOS overlay (the reference)."""
    return np.stack([shapely.area(shapely.intersection(geoms, z)) for z in zones], axis=1)


def _messy_parcels(gm, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, slice]]:
    n = 400
    cx, cy = rng.uniform(X0 - 100, X0 + 2100, n), rng.uniform(Y0 - 100, Y0 + 1600, n)
    w, h, t = rng.uniform(5, 150, n), rng.uniform(5, 150, n), rng.uniform(0, 180, n)
    rects = [aff.rotate(shapely.box(x - a / 2, y - b / 2, x + a / 2, y + b / 2), r)
             for x, y, a, b, r in zip(cx, cy, w, h, t, strict=True)]
    # Non-convex: an L (a box less a corner box), rotated.
    ells = [aff.rotate(shapely.box(x, y, x + 80, y + 60).difference(
        shapely.box(x + 40, y + 30, x + 90, y + 70)), r)
        for x, y, r in zip(cx[:100], cy[:100], t[:100], strict=True)]
    # Holes, clockwise shells, several parts.
    holed = [shapely.box(x - 60, y - 60, x + 60, y + 60).difference(
        shapely.box(x - 20, y - 25, x + 25, y + 20)) for x, y in zip(cx[:60], cy[:60], strict=True)]
    cw = [shapely.Polygon(list(p.exterior.coords)[::-1]) for p in rects[:40]]
    multi = [shapely.MultiPolygon([rects[i], rects[i + 1]]) for i in range(100, 160, 2)
             if not rects[i].intersects(rects[i + 1])]
    # Big parcels holding whole zone parts, and slivers along zone boundaries.
    big = [shapely.box(X0 + x, Y0 + y, X0 + x + 700, Y0 + y + 600)
           for x, y in [(-50, -40), (600, 300), (1250, 830)]]
    zones = gm.grades.geometry.to_numpy()
    edge = shapely.get_coordinates(shapely.boundary(zones[0]))[5:7]
    mid = edge.mean(axis=0)
    sliver = [shapely.Polygon([edge[0], edge[1], mid + np.array([0.01, 0.01])])]
    groups = {"rects": rects, "ells": ells, "holed": holed, "cw": cw, "multi": multi,
              "big": big, "sliver": sliver}
    out, spans, at = [], {}, 0
    for name, gs in groups.items():
        spans[name] = slice(at, at + len(gs))
        out += gs
        at += len(gs)
    return np.array(out, dtype=object), spans


def test_zone_areas_equal_geos_overlay_on_messy_parcels() -> None:
    gm = random_map(11)
    index = build_index(gm, max_cells=64)
    parcels, spans = _messy_parcels(gm, np.random.default_rng(12))
    ours, todo = zone_areas(index, ZoneEdges.of(index), parcels)
    expect = _geos_areas(index.grade_geoms, parcels)
    answered = ~todo
    # Nearly every shape is answered by the kernel, holes, L-shapes and multi-parts included...
    for name in ("rects", "ells", "holed", "cw", "multi", "big"):
        assert answered[spans[name]].mean() > 0.95, name
    # ...and agrees with GEOS far below the published 1e-4 share.
    area = shapely.area(parcels)
    err = np.abs(ours - expect)[answered] / area[answered, None]
    assert err.max() < 1e-9
    # Each parcel's areas add up to what lies inside the extent, parcel by parcel.
    inside = shapely.area(shapely.intersection(parcels, shapely.union_all(index.grade_geoms)))
    np.testing.assert_allclose(ours[answered].sum(axis=1), inside[answered], rtol=1e-9,
                               atol=1e-6)


def test_zone_areas_hand_back_what_touches_a_boundary() -> None:
    """A zone's own part as a parcel (edges on the boundary), a parcel with a vertex on a
    boundary: not answered by the kernel, so the engine overlays them with GEOS."""
    gm = random_map(11)
    index = build_index(gm, max_cells=64)
    zone_part = shapely.get_parts(index.grade_geoms[1])[0]
    vertex = shapely.get_coordinates(zone_part)[2]
    tip = shapely.Polygon([vertex, vertex + np.array([30, 5]), vertex + np.array([5, 30])])
    # The zone's part moved a nanometre and turned by 1e-8 rad: edges nearly on the boundary,
    # crossing it at angles where the crossing point is ill-conditioned.
    ghost = aff.rotate(aff.translate(zone_part, 1e-9, 0), 1e-8, origin="centroid",
                       use_radians=True)
    parcels = np.array([zone_part, tip, ghost], dtype=object)
    _, todo = zone_areas(index, ZoneEdges.of(index), parcels)
    assert todo.all()
    engine = Engine(gm, index=index)
    out = engine.assign(gpd.GeoDataFrame(geometry=parcels, crs=CRS))
    expect = _geos_areas(index.grade_geoms, parcels) / shapely.area(parcels)[:, None]
    grades = list(index.grade_values)
    got = out[[f"share_{g}" for g in grades]].to_numpy()
    np.testing.assert_array_equal(got, np.round(expect, 4))
    assert out["share_2"].iloc[0] == 1.0


def test_engine_shares_equal_geos_at_published_precision() -> None:
    gm = random_map(13)
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    parcels, _ = _messy_parcels(gm, np.random.default_rng(14))
    out = engine.assign(gpd.GeoDataFrame(geometry=parcels, crs=CRS))
    zones = engine.index.grade_geoms
    expect = _geos_areas(zones, parcels) / shapely.area(parcels)[:, None]
    cols = [f"share_{g}" for g in engine.index.grade_values]
    np.testing.assert_array_equal(out[cols].to_numpy(), np.round(expect, 4))


def test_nearest_route_of_messy_shapes_equals_geos() -> None:
    """Holes, L-shapes, several parts, lines; a route end pointing at the middle of an edge
    (the nearest point is on no vertex of the parcel); a route wholly inside a parcel."""
    gm = random_map(15)
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    parcels, _ = _messy_parcels(gm, np.random.default_rng(16))
    route = gm.routes.geometry.iloc[5]
    end = np.array(route.coords[0])
    before = np.array(route.coords[1])
    away = (end - before) / np.hypot(*(end - before))
    normal = np.array([-away[1], away[0]])
    # A long box 3 m beyond the route's end, square to it: its nearest point to every route
    # is the route's end, found in the middle of the box's long side.
    near = end + 3 * away
    side = [near + 200 * normal, near - 200 * normal]
    pointed = shapely.Polygon([side[0], side[1], side[1] + 20 * away, side[0] + 20 * away])
    mid = route.interpolate(0.5, normalized=True)
    holding = shapely.box(mid.x - 2000, mid.y - 2000, mid.x + 2000, mid.y + 2000)
    lines = [shapely.LineString([(X0 + 10 * i, Y0), (X0 + 10 * i + 50, Y0 + 900)])
             for i in range(30)]
    geoms = np.array([*parcels, pointed, holding, *lines], dtype=object)
    got_route, got_dist = nearest_route_shapes(engine.index, geoms, engine._seg_tree)
    want_route, want_dist = nearest_route_geoms(engine.index, geoms)
    np.testing.assert_array_equal(got_route, want_route)
    np.testing.assert_array_equal(got_dist, want_dist)
    k = len(parcels)
    vertices = shapely.points(shapely.get_coordinates(pointed))
    assert got_dist[k] < shapely.distance(vertices, engine.index.route_geoms[5]).min() - 1
    assert got_dist[k + 1] == 0.0


def test_convex_polygons_agree_with_geos_validity_and_hold_their_point() -> None:
    sq = [(0, 0), (4, 0), (4, 4), (0, 4)]
    with np.errstate(invalid="ignore"):  # the ring with a NaN coordinate is meant
        nan_ring = shapely.linearrings([(0, 0), (np.nan, 0), (4, 4), (0, 4), (0, 0)])
    shapes = {
        "square": (shapely.Polygon(sq), True),
        "clockwise": (shapely.Polygon(sq[::-1]), True),
        "triangle": (shapely.Polygon([(0, 0), (5, 0), (1, 3)]), True),
        "bowtie": (shapely.Polygon([(0, 0), (4, 4), (4, 0), (0, 4)]), False),
        "pentagram": (shapely.Polygon([(np.cos(a), np.sin(a)) for a in
                                       np.pi / 2 + np.arange(5) * 4 * np.pi / 5]), False),
        "repeated": (shapely.Polygon([(0, 0), (4, 0), (4, 0), (4, 4), (0, 4)]), False),
        "collinear": (shapely.Polygon([(0, 0), (2, 0), (4, 0), (4, 4), (0, 4)]), True),
        "flat": (shapely.Polygon([(0, 0), (2, 0), (4, 0)]), False),
        "spike": (shapely.Polygon([(0, 0), (4, 0), (4, 4), (4, 8), (4, 4), (0, 4)]), False),
        "ell": (shapely.box(0, 0, 4, 4).difference(shapely.box(2, 2, 5, 5)), False),
        "holed": (shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 2, 2)), False),
        "multi": (shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
                  False),
        "empty": (shapely.Polygon(), False),
        "point": (shapely.Point(1, 1), False),
        "nan": (shapely.polygons(nan_ring), False),
    }
    geoms = np.array([g for g, _ in shapes.values()] + [None], dtype=object)
    convex, x, y = convex_polygons(geoms)
    assert dict(zip(shapes, convex[:-1].tolist(), strict=True)) == {
        k: v for k, (_, v) in shapes.items()}
    assert not convex[-1]
    # What it calls convex GEOS calls valid, and the mean vertex lies strictly inside.
    assert shapely.is_valid(geoms[convex]).all()
    assert shapely.contains_xy(geoms[convex], x[convex], y[convex]).all()
    assert np.isnan(x[~convex]).all()
    rng = np.random.default_rng(3)
    # Points on circles in angle order (convex), then the same with one vertex pulled in.
    angle = np.sort(rng.uniform(0, 2 * np.pi, (2000, 7)), axis=1)
    pts = np.stack([np.cos(angle), np.sin(angle)], axis=-1) * rng.uniform(1, 50, (2000, 1, 1))
    pts[1000:, 3] *= rng.uniform(0, 1, (1000, 1))
    rnd = shapely.polygons(np.concatenate([pts, pts[:, :1]], axis=1))
    c, x, y = convex_polygons(rnd)
    hull_equal = shapely.equals(shapely.convex_hull(rnd), rnd) & shapely.is_valid(rnd)
    assert c[:1000].mean() > 0.99
    assert (c <= hull_equal).all()
    assert shapely.contains_xy(rnd[c], x[c], y[c]).all()


def test_zones_that_are_not_plain_polygons_or_overlap_send_every_parcel_to_geos() -> None:
    import dataclasses

    gm = random_map(11)
    index = build_index(gm, max_cells=64)
    assert ZoneEdges.of(index).usable
    parcel = np.array([shapely.box(X0 + 100, Y0 + 100, X0 + 900, Y0 + 700)], dtype=object)
    zones = index.grade_geoms.copy()
    # make_valid can leave a zone as a collection with a stray line: its edges would be lost.
    zones[0] = shapely.GeometryCollection([zones[0], shapely.LineString([(X0, Y0), (X0, Y0 + 9)])])
    odd = dataclasses.replace(index, grade_geoms=zones)
    assert not ZoneEdges.of(odd).usable
    assert zone_areas(odd, ZoneEdges.of(odd), parcel)[1].all()
    overlapping = index.grade_geoms.copy()
    overlapping[1] = shapely.union(overlapping[1], shapely.buffer(overlapping[0], 5.0))
    over = dataclasses.replace(index, grade_geoms=overlapping)
    assert not ZoneEdges.of(over).usable


def test_a_route_inside_a_repaired_parcel_with_a_stray_line_is_at_distance_0() -> None:
    """make_valid may leave a parcel as polygon + line; a route wholly inside its polygon is
    0 m away, as GEOS says, and the loose line does not flip the inside test."""
    from landgrade.build.grade_map import GradeMap

    square = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)
    gm = GradeMap(
        grades=gpd.GeoDataFrame({"grade": [1]}, geometry=[square], crs=CRS),
        extent=gpd.GeoDataFrame(geometry=[square], crs=CRS),
        routes=gpd.GeoDataFrame({"id": ["R0", "R1"]}, geometry=[
            shapely.LineString([(X0 + 400, Y0 + 500), (X0 + 420, Y0 + 500)]),
            shapely.LineString([(X0 + 900, Y0 + 100), (X0 + 950, Y0 + 100)])], crs=CRS))
    engine = Engine(gm, index=build_index(gm, max_cells=64))
    holding = shapely.box(X0 + 350, Y0 + 450, X0 + 480, Y0 + 560)
    # crossing the inside test's ray (from the route's start towards +x), outside the square
    stray = shapely.LineString([(X0 + 600, Y0 + 400), (X0 + 600, Y0 + 600)])
    geoms = np.array([holding, shapely.GeometryCollection([holding, stray])], dtype=object)
    route, dist = nearest_route_shapes(engine.index, geoms, engine._seg_tree)
    want_route, want_dist = nearest_route_geoms(engine.index, geoms)
    np.testing.assert_array_equal(dist, want_dist)
    np.testing.assert_array_equal(route, want_route)
    assert dist.tolist() == [0.0, 0.0] and route.tolist() == [0, 0]
