"""Benchmark parcels: landgrade against the shortcut-and-intersect shapely code.

    python benchmarks/bench_parcels.py                      # 100,000 parcels, under a minute
    python benchmarks/bench_parcels.py --parcels 300000 --json
    python benchmarks/bench_parcels.py --shapes mixed       # a third L-shapes, a third courtyards

N seeded rotated rectangles (sides 20–80 m, any angle) with centres uniform in the grading
extent's bounds (``--shapes mixed``: a third each rectangles, L-shapes and rectangles with a
hole), answered in this process, median of ``--repeat`` runs each, by

- **landgrade**: ``load_engine().assign(parcels)``: grade (largest share), area share per grade,
  area-weighted prices, nearest route, status and every other answer column;
- **strong baseline**: what a skilled shapely user writes: an ``STRtree`` of the zones,
  ``contains_properly`` on the prepared zones to skip parcels wholly inside one zone (share 1),
  ``intersection`` only for the rest, and ``STRtree.query_nearest(all_matches=True)`` on the
  routes (ties: the lowest route row).

Every parcel's shares per grade must be identical at the published precision (1e-4; the
baseline's GEOS overlay rounded the same way), its nearest route identical and its distance
identical at 0.01 m, else the run exits 1. Prints times and ``ratio`` = baseline / landgrade.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import geopandas as gpd
import numpy as np
import shapely
from _common import CRS, PeakRSS, first_nearest, machine, median_cpu, median_time

from landgrade.build.grade_map import GradeMap
from landgrade.engine import Engine, load_engine
from landgrade.engine.answer import DISTANCE_DECIMALS, SHARE_DECIMALS

# Unit outlines (x, y in [-1, 1]), closed: a rectangle, an L (non-convex), a courtyard's hole.
_RECT = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float)
_ELL = np.array([(-1, -1), (1, -1), (1, 0), (0, 0), (0, 1), (-1, 1), (-1, -1)], dtype=float)
_HOLE = np.array([(-.4, -.4), (-.4, .4), (.4, .4), (.4, -.4), (-.4, -.4)], dtype=float)


def random_parcels(grade_map: GradeMap, n: int, seed: int = 2,
                   shapes: str = "rect") -> gpd.GeoDataFrame:
    """n rotated parcels, sides 20–80 m, centres uniform in the extent's bounds: rectangles
    (``shapes="rect"``), or (``"mixed"``) a third each rectangles, L-shapes and rectangles
    with a courtyard (a hole)."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = grade_map.extent.total_bounds
    cx, cy = rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)
    w, h = rng.uniform(20, 80, (2, n)) / 2
    a = rng.uniform(0, np.pi, n)
    c, s = np.cos(a), np.sin(a)

    def place(unit: np.ndarray, rows: np.ndarray) -> np.ndarray:
        dx = unit[None, :, 0] * w[rows, None]
        dy = unit[None, :, 1] * h[rows, None]
        x = cx[rows, None] + dx * c[rows, None] - dy * s[rows, None]
        y = cy[rows, None] + dx * s[rows, None] + dy * c[rows, None]
        return np.stack([x, y], axis=-1)

    geoms = np.empty(n, dtype=object)
    kind = np.zeros(n, dtype=int) if shapes == "rect" else np.arange(n) % 3
    rect, ell, yard = (np.flatnonzero(kind == k) for k in range(3))
    geoms[rect] = shapely.polygons(place(_RECT, rect))
    geoms[ell] = shapely.polygons(place(_ELL, ell))
    holes = shapely.linearrings(place(_HOLE, yard))[:, None]
    geoms[yard] = shapely.polygons(shapely.linearrings(place(_RECT, yard)), holes=holes)
    return gpd.GeoDataFrame({"pid": np.arange(n)}, geometry=geoms, crs=CRS)


def strong_baseline(grade_map: GradeMap, parcels: gpd.GeoDataFrame, grades: list[int]) -> dict:
    geoms = parcels.geometry.to_numpy()
    zones = grade_map.grades.sort_values("grade", kind="stable")
    zone_geoms = shapely.make_valid(zones.geometry.to_numpy())
    col = np.searchsorted(grades, zones["grade"].to_numpy())
    shapely.prepare(zone_geoms)
    area = shapely.area(geoms)
    table = np.zeros((len(geoms), len(grades)))
    pi, zi = shapely.STRtree(zone_geoms).query(geoms, predicate="intersects")
    inside = shapely.contains_properly(zone_geoms[zi], geoms[pi])
    table[pi[inside], col[zi[inside]]] = 1.0
    pi, zi = pi[~inside], zi[~inside]
    part = np.zeros_like(table)
    np.add.at(part, (pi, col[zi]), shapely.area(shapely.intersection(geoms[pi], zone_geoms[zi])))
    cut = np.unique(pi)
    table[cut] = part[cut] / area[cut, None]
    routes = grade_map.routes.geometry.to_numpy()
    (gi, ri), d = shapely.STRtree(routes).query_nearest(geoms, all_matches=True,
                                                        return_distance=True)
    route, dist = first_nearest(gi, ri, d, len(geoms))
    return {"shares": table, "route": route, "dist": dist}


def _route_rows(engine: Engine, out: gpd.GeoDataFrame) -> np.ndarray:
    import pandas as pd

    ids = pd.Index(engine.routes["id"].astype(str))
    return ids.get_indexer(out["route_id"].astype(object).where(out["route_id"].notna(), None))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--parcels", type=int, default=100_000)
    p.add_argument("--shapes", choices=("rect", "mixed"), default="rect",
                   help="rectangles, or a third each rectangles, L-shapes and courtyards")
    p.add_argument("--repeat", type=int, default=3, help="runs per side; the median is kept")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    t0 = time.perf_counter()
    engine = load_engine()
    gm = engine.grade_map
    grades = engine._prices.grades
    parcels = random_parcels(gm, args.parcels, shapes=args.shapes)
    warm = parcels.iloc[:500]
    engine.assign(warm)
    strong_baseline(gm, warm, grades)
    res: dict = {"map": "dongkou (bundled build, schematic road network)",
                 "parcels": args.parcels, "shapes": args.shapes}
    def f_ours() -> gpd.GeoDataFrame:
        return engine.assign(parcels)

    def f_base() -> dict:
        return strong_baseline(gm, parcels, grades)

    with PeakRSS() as m1:
        ours, t_ours, runs_ours = median_time(f_ours, args.repeat)
    with PeakRSS() as m2:
        base, t_base, runs_base = median_time(f_base, args.repeat)
    mine = {"shares": ours[[f"share_{g}" for g in grades]].to_numpy(),
            "route": _route_rows(engine, ours), "dist": ours["route_m"].to_numpy()}
    held = engine.index.zone_holding_boxes(shapely.bounds(parcels.geometry.to_numpy())) >= 0
    res.update({
        "landgrade_s": round(t_ours, 3), "landgrade_runs_s": [round(t, 3) for t in runs_ours],
        "strong_s": round(t_base, 3), "strong_runs_s": [round(t, 3) for t in runs_base],
        "ratio_strong": round(t_base / t_ours, 2),
        "landgrade_cpu_s": round(median_cpu(f_ours), 3),
        "strong_cpu_s": round(median_cpu(f_base), 3),
        "ratio_strong_cpu": round(median_cpu(f_base) / median_cpu(f_ours), 2),
        "mismatches": {
            # published precision (landgrade.answer): shares 1e-4, distances 0.01 m
            "shares": int((mine["shares"] != np.round(base["shares"], SHARE_DECIMALS))
                          .any(axis=1).sum()),
            "route": int((mine["route"] != base["route"]).sum()),
            "distance": int((mine["dist"] != np.round(base["dist"], DISTANCE_DECIMALS)).sum()),
        },
        "parcels_held_by_grid": int(held.sum()),
        "parcels_straddling": int(((base["shares"] > 0).sum(axis=1) > 1).sum()),
        "landgrade_peak_rss_growth_mb": round((m1.peak - m1.start) / 2**20, 1),
        "strong_peak_rss_growth_mb": round((m2.peak - m2.start) / 2**20, 1),
        "timing": f"median of {args.repeat} runs per side, same process, same parcels",
        "machine": machine(),
        "wall_s": round(time.perf_counter() - t0, 1),
    })
    print(json.dumps(res, indent=None if args.json else 2, ensure_ascii=False))
    if any(res["mismatches"].values()):
        print("FAIL: landgrade and the baseline disagree", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
