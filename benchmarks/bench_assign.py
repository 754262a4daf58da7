"""Benchmark the engine analysts use against the plain and the strong geopandas/shapely code.

    python benchmarks/bench_assign.py                       # 200,000 points, about a minute
    python benchmarks/bench_assign.py --points 1000000 --json
    python benchmarks/bench_assign.py --points 1000000 --no-plain   # skip the slow sjoin side
    python benchmarks/bench_assign.py --stream 5000000 --json

``--points N``: N seeded random points in the grading extent's bounds, answered in this process,
median of ``--repeat`` runs each, by

- **landgrade**: ``load_engine().assign(points)`` — the engine analysts use: the cached grade map
  and index, the county's price book and outline check, every answer column (grade, five prices
  with term and plot ratio, nearest route with distance, depth flag and price, status, message);
- **strong baseline**: what a skilled shapely user writes: ``shapely.contains_xy`` on each
  prepared zone (better grades first, only points not yet placed) + ``STRtree.query_nearest(
  all_matches=True, return_distance=True)`` on the routes exploded into 2-point segments (ties:
  the lowest route row). Grade and route only; its tree is built inside the timed call;
- **plain baseline**: ``geopandas.sjoin(predicate="within")`` + ``geopandas.sjoin_nearest``.

Every point's grade, route row and distance must be identical between landgrade and each
baseline (distance bit-for-bit with the strong one's, rounded to the published 0.01 m), else
the run exits 1. Prints times,
``ratio_strong`` and ``ratio_plain`` (baseline / landgrade), and memory. ``load_engine`` keeps
freed memory for reuse in this process (:mod:`landgrade.memory`), so both sides run with it;
``LANDGRADE_KEEP_FREED_MEMORY=0`` measures glibc's defaults instead (``allocator`` says which).

``--stream N``: ``assign_command`` GeoParquet → GeoParquet on N points in a fresh subprocess;
its time and peak RSS (``VmHWM``).

Maps: the bundled Dongkou build (schematic road network), ``--map PATH`` (any build output, with
its county's prices if a county folder matches) or ``--synthetic`` (5 zones of 500–3000 vertices,
80 routes, no prices).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from _common import (
    PeakRSS,
    first_nearest,
    machine,
    median_cpu,
    median_time,
    random_points,
    route_segments,
    synthetic_grade_map,
    traced_peak,
)

from landgrade.build.grade_map import GradeMap
from landgrade.engine import Engine, load_engine
from landgrade.engine.answer import DISTANCE_DECIMALS, NO_ROUTE_STATUSES


def strong_baseline(grade_map: GradeMap, pts: gpd.GeoDataFrame) -> pd.DataFrame:
    """grade, route row and distance per point with prepared shapely zones and a segment tree."""
    xy = shapely.get_coordinates(pts.geometry.to_numpy())
    x, y = xy[:, 0], xy[:, 1]
    zones = grade_map.grades.sort_values("grade", kind="stable")
    grade = np.full(len(x), -1)
    todo = np.arange(len(x))
    for g, geom in zip(zones["grade"].to_numpy(), zones.geometry.to_numpy(), strict=True):
        shapely.prepare(geom)
        hit = shapely.contains_xy(geom, x[todo], y[todo])
        grade[todo[hit]] = g
        todo = todo[~hit]
    segs, owner = route_segments(grade_map.routes.geometry.to_numpy())
    tree = shapely.STRtree(segs)
    (pi, si), d = tree.query_nearest(pts.geometry.to_numpy(), all_matches=True,
                                     return_distance=True)
    route, dist = first_nearest(pi, owner[si], d, len(x))
    return pd.DataFrame({"grade": grade, "route": route, "dist": dist})


def plain_baseline(grade_map: GradeMap, pts: gpd.GeoDataFrame) -> pd.DataFrame:
    """grade, route row and distance per point with geopandas' own joins (ties: lowest row)."""
    zones = grade_map.grades[["grade", "geometry"]]
    within = gpd.sjoin(pts[["geometry"]], zones, predicate="within", how="left")
    grade = within.groupby(level=0)["grade"].min().reindex(pts.index)
    routes = grade_map.routes[["geometry"]].reset_index(drop=True)
    near = gpd.sjoin_nearest(pts[["geometry"]], routes, how="left", distance_col="d")
    near = near.reset_index().sort_values(["index", "index_right"]).groupby("index").first()
    return pd.DataFrame({"grade": grade.fillna(-1).astype(int).to_numpy(),
                         "route": near["index_right"].reindex(pts.index).to_numpy(),
                         "dist": near["d"].reindex(pts.index).to_numpy()})


def engine_answers(engine: Engine, out: gpd.GeoDataFrame) -> pd.DataFrame:
    """landgrade's grade, route row and distance, in the baselines' terms."""
    ids = pd.Index(engine.routes["id"].astype(str))
    route = ids.get_indexer(out["route_id"].astype(object).where(out["route_id"].notna(), None))
    return pd.DataFrame({"grade": out["grade"].fillna(-1).astype(int).to_numpy(),
                         "route": route, "dist": out["route_m"].to_numpy()})


def compare(ours: pd.DataFrame, base: pd.DataFrame, withheld: np.ndarray) -> dict:
    """Rows whose grade, route or distance differ (rows withheld by rule are not compared)."""
    keep = ~withheld
    return {
        "grade": int((ours["grade"].to_numpy() != base["grade"].to_numpy()).sum()),
        "route": int((ours["route"].to_numpy() != base["route"].to_numpy())[keep].sum()),
        # landgrade publishes distances to 0.01 m (answer.DISTANCE_DECIMALS): the baseline's
        # exact GEOS distance, rounded the same way, must match to the bit.
        "distance": int((ours["dist"].to_numpy()
                         != np.round(base["dist"].to_numpy(), DISTANCE_DECIMALS))[keep].sum()),
    }


def load_map_and_engine(args: argparse.Namespace) -> tuple[GradeMap, Engine, str]:
    if args.synthetic:
        gm = synthetic_grade_map()
        return gm, Engine(gm), "synthetic (no price book)"
    engine = load_engine(map_path=args.map)
    name = str(args.map) if args.map else "dongkou (bundled build, schematic road network)"
    return engine.grade_map, engine, name


def run_points(args: argparse.Namespace) -> dict:
    grade_map, engine, name = load_map_and_engine(args)
    pts = random_points(grade_map, args.points)
    warm = pts.iloc[:1000]
    engine.assign(warm)  # first-call costs (imports, caches) are not what is measured
    strong_baseline(grade_map, warm)
    sides = {"landgrade": lambda: engine.assign(pts),
             "strong": lambda: strong_baseline(grade_map, pts)}
    if args.plain:
        plain_baseline(grade_map, warm)
        sides["plain"] = lambda: plain_baseline(grade_map, pts)
    res: dict = {"map": name, "points": args.points, "grades": len(grade_map.grades),
                 "routes": len(grade_map.routes)}
    results, rss = {}, {}
    for side, fn in sides.items():
        with PeakRSS() as mem:
            results[side], res[f"{side}_s"], times = median_time(fn, args.repeat)
        res[f"{side}_runs_s"] = [round(t, 3) for t in times]
        res[f"{side}_cpu_s"] = median_cpu(fn)
        rss[side] = mem.peak - mem.start
    ours = results.pop("landgrade")
    withheld = np.isin(ours["status"].cat.codes.to_numpy(), NO_ROUTE_STATUSES)
    answers = engine_answers(engine, ours)
    res["answer_columns"] = len(ours.columns) - len(pts.columns)
    res["rows_without_route_by_rule"] = int(withheld.sum())
    for side, base in results.items():
        res[f"ratio_{side}"] = round(res[f"{side}_s"] / res["landgrade_s"], 2)
        res[f"ratio_{side}_cpu"] = round(res[f"{side}_cpu_s"] / res["landgrade_cpu_s"], 2)
        res[f"mismatches_{side}"] = compare(answers, base, withheld)
    for side in sides:
        res[f"{side}_s"] = round(res[f"{side}_s"], 3)
        res[f"{side}_cpu_s"] = round(res[f"{side}_cpu_s"], 3)
        res[f"{side}_peak_rss_growth_mb"] = round(rss[side] / 2**20, 1)
    from landgrade.engine.memory import keep_freed_memory_once

    res["allocator"] = ("freed memory kept (landgrade.memory)" if keep_freed_memory_once()
                        else "glibc defaults")
    res["landgrade_peak_alloc_mb"] = round(traced_peak(lambda: engine.assign(pts)) / 2**20, 1)
    res["statuses"] = {k: int(v) for k, v in ours["status"].value_counts().items() if v}
    res["timing"] = (f"median of {args.repeat} runs per side, same process, same points, after "
                     "a 1000-point warm-up; the engine's index is cached on disk by load_engine; "
                     "_cpu_s: CPU seconds of this process (steadier when the machine is shared)")
    res["memory"] = ("peak_rss_growth: psutil RSS sampled every 5 ms over the timed runs, peak "
                     "minus start; peak_alloc: tracemalloc peak of one untimed run")
    res["process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    res["machine"] = machine()
    return res


def run_stream(args: argparse.Namespace) -> dict:
    grade_map, _, _ = load_map_and_engine(args)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        map_path = tmp_path / "map.gpkg"
        grade_map.to_gpkg(map_path)
        src = tmp_path / "points.parquet"
        from landgrade.io import ChunkWriter

        with ChunkWriter(src) as w:  # written in slices so this process stays small too
            for lo in range(0, args.stream, 1_000_000):
                chunk = random_points(grade_map, min(1_000_000, args.stream - lo), seed=lo + 1)
                chunk["pid"] += lo
                w.write(chunk)
        out = tmp_path / "out.parquet"
        from landgrade.engine.cache import cached_map_and_index

        cached_map_and_index(map_path=map_path)  # as after a first run: the index is on disk
        code = (
            "import time\n"
            "from landgrade.jobs.assign import assign_command\n"
            "t = time.perf_counter()\n"
            f"assign_command({str(src)!r}, {str(out)!r}, map_path={str(map_path)!r}, "
            "progress=False)\n"
            "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0]\n"
            "print(time.perf_counter() - t, hwm.split()[1])\n"
        )
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if res.returncode:
            sys.stderr.write(res.stderr)
            raise SystemExit(1)
        elapsed, rss_kb = res.stdout.split()[-2:]
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(out).metadata.num_rows
    return {
        "stream_points": args.stream,
        "rows_written": rows,
        "assign_s": round(float(elapsed), 2),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "memory": "VmHWM (peak RSS) of the assign subprocess; map index already cached",
        "machine": machine(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, default=0, help="points (default 200,000)")
    p.add_argument("--stream", type=int, default=0, help="points for the streaming run")
    p.add_argument("--map", type=Path)
    p.add_argument("--synthetic", action="store_true")
    p.add_argument("--no-plain", dest="plain", action="store_false",
                   help="skip the sjoin baseline (the slow one)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeat", type=int, default=3, help="runs per side; the median is kept")
    args = p.parse_args()
    if not args.points and not args.stream:
        args.points = 200_000
    t0 = time.perf_counter()
    results = {}
    if args.points:
        results["assign"] = run_points(args)
    if args.stream:
        results["stream"] = run_stream(args)
    results["wall_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(results, indent=None if args.json else 2, ensure_ascii=False))
    a = results.get("assign")
    if a and any(any(v.values()) for k, v in a.items() if k.startswith("mismatches_")):
        print("FAIL: landgrade and a baseline disagree", file=sys.stderr)
        raise SystemExit(1)



if __name__ == "__main__":
    main()
