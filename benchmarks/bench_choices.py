"""Why landgrade does not use rtree or fiona at run time: both measured in one process.

    python benchmarks/bench_choices.py --points 200000 --json

On the bundled grade map (``load_engine()``) and N seeded random points in the grading extent's
bounds (EPSG:4546):

1. **Nearest route**, four ways, each vectorised as far as its library allows:

   a. rtree bounding-box nearest (``Index.nearest_v``) over the routes' bounds, and over the
      routes exploded to 2-point segments: the route it names, and how often that route is
      farther than the exact nearest one (it ranks boxes, not lines);
   b. rtree made exact: the exact distance ``d0`` to the box-nearest candidate bounds the
      answer, so every box meeting the point's box grown by ``d0`` (``intersection_v``) is a
      candidate; exact distances with shapely; the minimum;
   c. shapely 2 ``STRtree.query_nearest`` over the 2-point segments (exact);
   d. landgrade ``Engine.locate(x, y, crs="EPSG:4546")`` — the engine's grid index (exact),
      timed with everything ``locate`` answers (grade, prices, status), not the route alone.

   Ties (equally near routes, e.g. beyond the shared end of two routes) go to the route listed
   first, the engine's rule; b, c and d must name the same route for every point, or the run
   exits 1. The index builds (a–c) are timed apart from the queries; d's index is cached.

2. **I/O**: the points as a GeoDataFrame with integer, float and Chinese-text columns, written
   and read back as a Shapefile by fiona and by pyogrio (reads with ``use_arrow=True``), and as
   GeoParquet. Each read-back must equal the frame written (values and coordinates). Also
   compares the vector drivers each library can read.

Times are ``time.perf_counter`` seconds, the best of 2 runs each; ratios are time / landgrade
(part 1) or time / pyogrio (part 2).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.engine import load_engine

CRS = "EPSG:4546"
REPEAT = 2


def best_of(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[Any, float]:
    """The last result of ``fn`` and its best wall time over ``repeat`` runs."""
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def nearest_per_point(
    pt: np.ndarray, route: np.ndarray, dist: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per point, the route at the least distance among (point, route, distance) candidates;
    ties go to the lowest route row. Points without a candidate get -1."""
    order = np.lexsort((route, dist, pt))
    pt, route, dist = pt[order], route[order], dist[order]
    first = np.flatnonzero(np.r_[True, pt[1:] != pt[:-1]])
    best_route = np.full(n, -1, dtype=np.int64)
    best_dist = np.full(n, np.nan)
    best_route[pt[first]] = route[first]
    best_dist[pt[first]] = dist[first]
    return best_route, best_dist


def lowest_of_groups(ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The lowest id of each query's group of results (rtree returns ties together)."""
    counts = counts.astype(np.int64)
    starts = np.cumsum(counts) - counts
    out = np.full(len(counts), -1, dtype=np.int64)
    has = counts > 0
    out[has] = np.minimum.reduceat(ids, starts[has])
    return out


# --- 1. nearest route --------------------------------------------------------------------------
def bench_nearest(engine: Any, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    from rtree import index as rindex

    routes = engine.grade_map.routes.reset_index(drop=True)
    route_geoms = routes.geometry.to_numpy()
    route_ids = routes["id"].astype(str).to_numpy()
    # The engine's own 2-point segments, so every method ranks the same segments.
    segs = shapely.linestrings(engine.index.seg.reshape(-1, 2, 2))
    seg_route = engine.index.seg_route
    n = len(x)
    pts = shapely.points(x, y)
    xy = np.ascontiguousarray(np.c_[x, y])

    def rtree_over(geoms: np.ndarray) -> Any:
        b = shapely.bounds(geoms)
        return rindex.Index((np.arange(len(geoms), dtype=np.int64), b[:, :2].copy(),
                             b[:, 2:].copy()))

    def strtree() -> shapely.STRtree:
        return shapely.STRtree(segs)

    (tree_routes, t_build_routes) = best_of(lambda: rtree_over(route_geoms))
    (tree_segs, t_build_segs) = best_of(lambda: rtree_over(segs))
    (str_tree, t_build_str) = best_of(strtree)

    # (a) box-nearest ranks boxes, not lines. A point inside several boxes is at distance 0
    # from all of them; rtree returns them all and the lowest row is taken (the engine's rule).
    def bbox_routes() -> np.ndarray:
        ids, counts = tree_routes.nearest_v(xy, xy, num_results=1)
        return lowest_of_groups(ids, counts)

    def bbox_segs() -> np.ndarray:
        ids, counts = tree_segs.nearest_v(xy, xy, num_results=1)
        return seg_route[lowest_of_groups(ids, counts)]

    # (b) exact with rtree: the box-nearest candidate's exact distance d0 bounds the answer.
    def exact_rtree(tree: Any, geoms: np.ndarray, owner: np.ndarray) -> np.ndarray:
        ids, counts = tree.nearest_v(xy, xy, num_results=1)
        d0 = shapely.distance(pts, geoms[lowest_of_groups(ids, counts)])
        lo = xy - d0[:, None]
        hi = xy + d0[:, None]
        cand, counts = tree.intersection_v(lo, hi)
        pair_pt = np.repeat(np.arange(n), counts.astype(np.int64))
        d = shapely.distance(pts[pair_pt], geoms[cand])
        return nearest_per_point(pair_pt, owner[cand], d, n)[0]

    def exact_rtree_routes() -> np.ndarray:
        return exact_rtree(tree_routes, route_geoms, np.arange(len(route_geoms)))

    def exact_rtree_segs() -> np.ndarray:
        return exact_rtree(tree_segs, segs, seg_route)

    # (c) shapely STRtree over segments: all equally near segments, then the lowest route.
    def str_nearest() -> tuple[np.ndarray, np.ndarray]:
        (pi, si), d = str_tree.query_nearest(pts, return_distance=True, all_matches=True)
        return nearest_per_point(pi, seg_route[si], d, n)

    # (d) landgrade.
    def landgrade() -> np.ndarray:
        return engine.locate(x, y, crs=CRS)["route_id"].to_numpy(dtype=str)

    a_routes, t_a_routes = best_of(bbox_routes)
    a_segs, t_a_segs = best_of(bbox_segs)
    b_routes, t_b_routes = best_of(exact_rtree_routes)
    b_segs, t_b_segs = best_of(exact_rtree_segs)
    (c_route, c_dist), t_c = best_of(str_nearest)
    d_id, t_d = best_of(landgrade)

    # Agreement of the exact methods, by route id.
    mismatch = {
        "rtree_exact_routes": int((route_ids[b_routes] != d_id).sum()),
        "rtree_exact_segments": int((route_ids[b_segs] != d_id).sum()),
        "strtree_segments": int((route_ids[c_route] != d_id).sum()),
    }
    # Points with two or more equally near routes (decided by the lowest-row rule).
    (pi, si), _ = str_tree.query_nearest(pts, return_distance=True, all_matches=True)
    routes_at_min = pd.DataFrame({"p": pi, "r": seg_route[si]}).groupby("p")["r"].nunique()
    ties = int((routes_at_min > 1).sum())

    def wrongness(chosen: np.ndarray) -> dict[str, Any]:
        # Wrong = strictly farther than the nearest route (an equally near route is not wrong).
        d_chosen = shapely.distance(pts, route_geoms[chosen])
        excess = d_chosen - c_dist
        wrong = excess > 0
        return {
            "wrong_share": float(wrong.mean()),
            "wrong_points": int(wrong.sum()),
            "excess_m_median": float(np.median(excess[wrong])) if wrong.any() else 0.0,
            "excess_m_max": float(excess.max()),
        }

    def row(t: float, **extra: Any) -> dict[str, Any]:
        return {"seconds": t, "ratio_vs_landgrade": t / t_d, **extra}

    return {
        "routes": len(route_geoms),
        "segments": len(segs),
        "build_seconds": {"rtree_routes": t_build_routes, "rtree_segments": t_build_segs,
                          "strtree_segments": t_build_str},
        "methods": {
            "a_rtree_bbox_routes": row(t_a_routes, exact=False, **wrongness(a_routes)),
            "a_rtree_bbox_segments": row(t_a_segs, exact=False, **wrongness(a_segs)),
            "b_rtree_exact_routes": row(t_b_routes, exact=True),
            "b_rtree_exact_segments": row(t_b_segs, exact=True),
            "c_strtree_segments": row(t_c, exact=True),
            "d_landgrade_locate": row(t_d, exact=True),
        },
        "mismatches_vs_landgrade": mismatch,
        "tied_points": ties,
    }


# --- 2. I/O -------------------------------------------------------------------------------------
def sample_frame(engine: Any, x: np.ndarray, y: np.ndarray, seed: int) -> gpd.GeoDataFrame:
    """Points with the attribute kinds a valuer's file has: ids, grades, prices, Chinese text."""
    rng = np.random.default_rng(seed)
    n = len(x)
    names = engine.grade_map.routes["name"].astype(str).to_numpy()
    pick = rng.integers(0, len(names), n)
    house = rng.integers(1, 400, n)
    return gpd.GeoDataFrame(
        {
            "pid": np.arange(n, dtype=np.int64),
            "grade": rng.integers(1, 6, n).astype(np.int64),
            "price": np.round(rng.uniform(300, 6000, n), 2),
            "road": names[pick],
            "addr": [f"{names[k]} No.{i}" for k, i in zip(pick, house, strict=True)],
        },
        geometry=shapely.points(x, y),
        crs=CRS,
    )


def same_frame(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> bool:
    """Same columns, values (dtype-blind for numbers) and exactly the same coordinates."""
    if len(a) != len(b) or list(a.columns) != list(b.columns):
        return False
    for col in a.columns:
        if col == a.geometry.name:
            continue
        va, vb = a[col].to_numpy(), b[col].to_numpy()
        if va.dtype.kind in "iuf":
            if not np.array_equal(va.astype(float), vb.astype(float)):
                return False
        elif not np.array_equal(va.astype(str), vb.astype(str)):
            return False
    ca = shapely.get_coordinates(a.geometry.to_numpy())
    cb = shapely.get_coordinates(b.geometry.to_numpy())
    return ca.shape == cb.shape and bool(np.array_equal(ca, cb))


def bench_io(gdf: gpd.GeoDataFrame, folder: Path) -> dict[str, Any]:
    import fiona
    import pyogrio

    shp_fiona = folder / "fiona" / "points.shp"
    shp_pyogrio = folder / "pyogrio" / "points.shp"
    parquet = folder / "points.parquet"
    for p in (shp_fiona, shp_pyogrio):
        p.parent.mkdir()

    # Warm both engines (lazy imports, GDAL driver registration) outside the timings.
    tiny = folder / "warm"
    tiny.mkdir()
    for engine in ("fiona", "pyogrio"):
        gdf.head(10).to_file(tiny / f"{engine}.shp", engine=engine, encoding="utf-8")
        gpd.read_file(tiny / f"{engine}.shp", engine=engine)

    def write(engine: str, path: Path) -> Callable[[], None]:
        return lambda: gdf.to_file(path, engine=engine, encoding="utf-8")

    _, w_fiona = best_of(write("fiona", shp_fiona))
    _, w_pyogrio = best_of(write("pyogrio", shp_pyogrio))
    _, w_parquet = best_of(lambda: gdf.to_parquet(parquet))
    r_fiona_df, r_fiona = best_of(lambda: gpd.read_file(shp_fiona, engine="fiona"))
    r_pyogrio_df, r_pyogrio = best_of(
        lambda: gpd.read_file(shp_pyogrio, engine="pyogrio", use_arrow=True))
    r_parquet_df, r_parquet = best_of(lambda: gpd.read_parquet(parquet))
    # Cross-reads: each library reads the other's file the same way.
    cross_fp = gpd.read_file(shp_fiona, engine="pyogrio", use_arrow=True)
    cross_pf = gpd.read_file(shp_pyogrio, engine="fiona")

    fiona_read = {k for k, mode in fiona.supported_drivers.items() if "r" in mode}
    pyogrio_read = set(pyogrio.list_drivers(read=True))
    return {
        "rows": len(gdf),
        "shapefile_mb": {
            "fiona": sum(p.stat().st_size for p in shp_fiona.parent.iterdir()) / 1e6,
            "pyogrio": sum(p.stat().st_size for p in shp_pyogrio.parent.iterdir()) / 1e6,
        },
        "geoparquet_mb": parquet.stat().st_size / 1e6,
        "write": {
            "fiona_shp": {"seconds": w_fiona, "ratio_vs_pyogrio": w_fiona / w_pyogrio},
            "pyogrio_shp": {"seconds": w_pyogrio, "ratio_vs_pyogrio": 1.0},
            "geoparquet": {"seconds": w_parquet, "ratio_vs_pyogrio": w_parquet / w_pyogrio},
        },
        "read": {
            "fiona_shp": {"seconds": r_fiona, "ratio_vs_pyogrio": r_fiona / r_pyogrio},
            "pyogrio_shp": {"seconds": r_pyogrio, "ratio_vs_pyogrio": 1.0},
            "geoparquet": {"seconds": r_parquet, "ratio_vs_pyogrio": r_parquet / r_pyogrio},
        },
        "read_back_equal": {
            "fiona_shp": same_frame(gdf, r_fiona_df),
            "pyogrio_shp": same_frame(gdf, r_pyogrio_df),
            "geoparquet": same_frame(gdf, r_parquet_df),
            "fiona_file_by_pyogrio": same_frame(gdf, cross_fp),
            "pyogrio_file_by_fiona": same_frame(gdf, cross_pf),
        },
        "read_drivers": {
            "fiona": len(fiona_read),
            "pyogrio": len(pyogrio_read),
            "fiona_only": sorted(fiona_read - pyogrio_read),
        },
    }


# --- report -------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    import fiona
    import pyarrow
    import pyogrio
    import rtree

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "shapely": shapely.__version__,
        "geos": shapely.geos_version_string,
        "geopandas": gpd.__version__,
        "rtree": rtree.__version__,
        "libspatialindex": rtree.core.rt.SIDX_Version().decode(),
        "fiona": fiona.__version__,
        "fiona_gdal": fiona.__gdal_version__,
        "pyogrio": pyogrio.__version__,
        "pyogrio_gdal": pyogrio.__gdal_version_string__,
        "pyarrow": pyarrow.__version__,
    }


def print_table(res: dict[str, Any]) -> None:
    m = res["machine"]
    print(f"{m['cpus']} CPUs, {m['cpu_model']}; Python {m['python']}, shapely {m['shapely']} "
          f"(GEOS {m['geos']}), geopandas {m['geopandas']}, rtree {m['rtree']} "
          f"(libspatialindex {m['libspatialindex']}), fiona {m['fiona']} (GDAL "
          f"{m['fiona_gdal']}), pyogrio {m['pyogrio']} (GDAL {m['pyogrio_gdal']}), "
          f"pyarrow {m['pyarrow']}")
    nr = res["nearest"]
    print(f"\nNearest route: {res['points']:,} points, {nr['routes']} routes "
          f"({nr['segments']} segments); best of {REPEAT}")
    print(f"{'method':<26}{'seconds':>9}{'× landgrade':>13}  {'wrong':>8}  excess m (median/max)")
    for name, r in nr["methods"].items():
        wrong = (f"{r['wrong_share']:>7.1%}  {r['excess_m_median']:.1f} / {r['excess_m_max']:.1f}"
                 if not r["exact"] else f"{'exact':>7}")
        print(f"{name:<26}{r['seconds']:>9.3f}{r['ratio_vs_landgrade']:>12.1f}×  {wrong}")
    b = nr["build_seconds"]
    print("index builds (s): " + ", ".join(f"{k} {v:.4f}" for k, v in b.items()))
    print(f"route mismatches vs landgrade: {nr['mismatches_vs_landgrade']}; points with "
          f"equally near routes (lowest row taken): {nr['tied_points']}")
    io = res["io"]
    print(f"\nI/O: {io['rows']:,} points, 5 attribute columns (incl. Chinese text); Shapefile "
          f"{io['shapefile_mb']['pyogrio']:.1f} MB, GeoParquet {io['geoparquet_mb']:.1f} MB")
    print(f"{'format / library':<18}{'write s':>9}{'× pyogrio':>11}{'read s':>9}{'× pyogrio':>11}"
          f"  read-back equal")
    for k in ("fiona_shp", "pyogrio_shp", "geoparquet"):
        w, r = io["write"][k], io["read"][k]
        print(f"{k:<18}{w['seconds']:>9.3f}{w['ratio_vs_pyogrio']:>10.2f}×"
              f"{r['seconds']:>9.3f}{r['ratio_vs_pyogrio']:>10.2f}×  {io['read_back_equal'][k]}")
    eq = io["read_back_equal"]
    print(f"cross-reads equal: fiona's file by pyogrio {eq['fiona_file_by_pyogrio']}, "
          f"pyogrio's file by fiona {eq['pyogrio_file_by_fiona']}")
    d = io["read_drivers"]
    print(f"vector drivers that can read: fiona {d['fiona']}, pyogrio {d['pyogrio']}; "
          f"fiona-only: {d['fiona_only'] or 'none'}")
    print(f"\ntotal {res['total_seconds']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--points", type=int, default=200_000, help="random points (default 200000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    engine = load_engine()
    rng = np.random.default_rng(args.seed)
    xmin, ymin, xmax, ymax = engine.grade_map.extent.total_bounds
    x, y = rng.uniform(xmin, xmax, args.points), rng.uniform(ymin, ymax, args.points)
    engine.locate(x[:1000], y[:1000], crs=CRS)  # warm-up

    res: dict[str, Any] = {"points": args.points, "seed": args.seed, "machine": machine()}
    res["nearest"] = bench_nearest(engine, x, y)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fiona's deprecation notes would interleave the table
        res["io"] = bench_io(sample_frame(engine, x, y, args.seed), Path(tmp))
    res["total_seconds"] = time.perf_counter() - t0

    if args.json:
        print(json.dumps(res, ensure_ascii=False))
    else:
        print_table(res)
    bad = any(res["nearest"]["mismatches_vs_landgrade"].values()) or not all(
        res["io"]["read_back_equal"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
