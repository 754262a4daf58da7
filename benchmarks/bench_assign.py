"""Benchmark landgrade's assign against the plain geopandas spatial joins.

    python benchmarks/bench_assign.py --points 1000000 --json
    python benchmarks/bench_assign.py --stream 5000000 --json
    python benchmarks/bench_assign.py --points 1000000 --synthetic --json

``--points N``: N seeded random points in the grading extent's bounds, answered in this process
by (a) ``Engine.assign`` and (b) the baseline ``geopandas.sjoin(predicate="within")`` on the
grades + ``geopandas.sjoin_nearest`` on the routes (ties: lowest route row, the engine's rule).
Both must give the same grade and route for every point; any mismatch is reported and the run
exits 1. Prints times (best of ``--repeat`` runs), ``speedup`` = baseline / landgrade, and
memory: the tracemalloc peak of each side in a separate untimed run, the growth of resident
memory during the timed runs (psutil, sampled every 5 ms) and the process's peak RSS.

``--stream N``: writes N random points to a GeoParquet file in a temporary folder, then runs
the streaming ``assign_command`` on it into a GeoParquet output, in a fresh subprocess, and
reports that subprocess's peak RSS (``VmHWM``; ``ru_maxrss`` would include the parent's memory,
as Linux keeps it across exec) — compare with a 1M-point stream.

The map is the bundled Dongkou build (cached), ``--map PATH`` for any build output, or
``--synthetic``: 5 zones of 500–3000 vertices and 80 routes.
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

from landgrade.engine import Engine
from landgrade.grade_map import GradeMap
from landgrade.grid import build_index

CRS = "EPSG:4546"


def synthetic_grade_map(seed: int = 0) -> GradeMap:
    """5 nested wobbly zones (500–3000 vertices each) in a 6 km square, and 80 polyline routes."""
    rng = np.random.default_rng(seed)
    cx, cy, half = 500_000.0, 3_000_000.0, 3_000.0
    extent = shapely.box(cx - half, cy - half, cx + half, cy + half)
    rings = []
    for k, nv in enumerate((3000, 2000, 1200, 500)):  # grade 4 outermost … grade 1 innermost
        t = np.linspace(0, 2 * np.pi, nv, endpoint=False)
        r = (2600 - 550 * k) * (1 + 0.08 * np.sin(7 * t + k) + 0.01 * rng.standard_normal(nv))
        rings.append(shapely.Polygon(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)]))
    zones = [rings[3]]
    zones += [shapely.difference(rings[i], rings[i + 1]) for i in (2, 1, 0)]
    zones.append(shapely.difference(extent, rings[0]))
    grades = gpd.GeoDataFrame(
        {"grade": [1, 2, 3, 4, 5], "area_m2": shapely.area(zones)}, geometry=zones, crs=CRS
    )
    lines = []
    for _ in range(80):
        n = rng.integers(5, 30)
        start = rng.uniform([cx - half, cy - half], [cx + half, cy + half])
        steps = rng.normal(0, 120, (n, 2)).cumsum(axis=0)
        lines.append(shapely.LineString(start + steps))
    routes = gpd.GeoDataFrame(
        {
            "id": [f"R{i:02d}" for i in range(80)],
            "name": [f"road {i}" for i in range(80)],
            "grade": rng.integers(1, 6, 80),
            "standard_depth_m": rng.choice([12.0, 16.0, 20.0], 80),
            "price": rng.integers(500, 6000, 80).astype(float),
        },
        geometry=lines,
        crs=CRS,
    )
    return GradeMap(grades=grades, extent=gpd.GeoDataFrame(geometry=[extent], crs=CRS),
                    routes=routes, metadata={"county": "synthetic", "schematic": "true"})


def random_points(grade_map: GradeMap, n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = grade_map.extent.total_bounds
    x, y = rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)
    return gpd.GeoDataFrame({"pid": np.arange(n)}, geometry=shapely.points(x, y), crs=CRS)


def baseline(grade_map: GradeMap, pts: gpd.GeoDataFrame) -> pd.DataFrame:
    """grade and route row per point with geopandas' own joins (route ties: lowest row)."""
    zones = grade_map.grades[["grade", "geometry"]]
    within = gpd.sjoin(pts[["geometry"]], zones, predicate="within", how="left")
    grade = within.groupby(level=0)["grade"].min().reindex(pts.index)
    routes = grade_map.routes[["geometry"]].reset_index(drop=True)
    near = gpd.sjoin_nearest(pts[["geometry"]], routes, how="left", distance_col="d")
    route = near.groupby(level=0)["index_right"].min().reindex(pts.index)
    return pd.DataFrame({"grade": grade, "route": route})


class PeakRSS:
    """Peak resident memory of this process while a block runs (psutil, sampled every 5 ms)."""

    def __enter__(self) -> PeakRSS:
        import threading

        import psutil

        self._proc = psutil.Process()
        self.start = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()

        def sample() -> None:
            while not self._stop.wait(0.005):
                self.peak = max(self.peak, self._proc.memory_info().rss)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def measure(fn):  # type: ignore[no-untyped-def]
    """Result, seconds and peak RSS growth (bytes) of one call."""
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        out = fn()
        elapsed = time.perf_counter() - t0
    return out, elapsed, mem.peak - mem.start


def traced_peak(fn) -> int:  # type: ignore[no-untyped-def]
    """Peak bytes of traced allocations (Python objects and numpy buffers) during one call."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def load_map(args: argparse.Namespace) -> GradeMap:
    if args.synthetic:
        return synthetic_grade_map()
    if args.map:
        return GradeMap.read(args.map)
    from landgrade.engine import load_grade_map

    return load_grade_map()


def run_points(args: argparse.Namespace) -> dict:
    grade_map = load_map(args)
    t0 = time.perf_counter()
    engine = Engine(grade_map, None, index=build_index(grade_map))
    prepare_s = time.perf_counter() - t0
    pts = random_points(grade_map, args.points)
    warm = pts.iloc[:1000]
    engine.assign(warm)  # first-call costs (imports, caches) are not what is measured
    baseline(grade_map, warm)
    runs_ours = [measure(lambda: engine.assign(pts)) for _ in range(args.repeat)]
    runs_base = [measure(lambda: baseline(grade_map, pts)) for _ in range(args.repeat)]
    ours, t_ours, _ = min(runs_ours, key=lambda r: r[1])
    base, t_base, _ = min(runs_base, key=lambda r: r[1])
    # RSS barely moves when freed heap from the preparation is reused, so memory is also
    # measured as the peak of traced allocations (numpy reports its buffers to tracemalloc),
    # in a separate, untimed run of each side.
    alloc_ours = traced_peak(lambda: engine.assign(pts))
    alloc_base = traced_peak(lambda: baseline(grade_map, pts))
    mem_ours = max(r[2] for r in runs_ours)
    mem_base = max(r[2] for r in runs_base)
    route_row = pd.Series(engine.routes.index).reindex(
        pd.Index(engine.routes["id"]).get_indexer(ours["route_id"])
    )
    ours_grade = ours["grade"].astype("float64").to_numpy()
    base_grade = base["grade"].astype("float64").to_numpy()
    grade_bad = ~((ours_grade == base_grade) | (np.isnan(ours_grade) & np.isnan(base_grade)))
    route_bad = route_row.to_numpy() != base["route"].to_numpy()
    return {
        "map": "synthetic" if args.synthetic else str(args.map or "dongkou (bundled, schematic)"),
        "points": args.points,
        "grades": len(grade_map.grades),
        "routes": len(grade_map.routes),
        "prepare_index_s": round(prepare_s, 3),  # once per map: cached on disk by load_engine
        "landgrade_s": round(t_ours, 3),
        "baseline_s": round(t_base, 3),
        "speedup": round(t_base / t_ours, 2),
        "timing": f"best of {args.repeat} runs each, same process, after a 1000-point warm-up",
        "grade_mismatches": int(grade_bad.sum()),
        "route_mismatches": int(route_bad.sum()),
        "landgrade_peak_alloc_mb": round(alloc_ours / 2**20, 1),
        "baseline_peak_alloc_mb": round(alloc_base / 2**20, 1),
        "landgrade_peak_rss_growth_mb": round(mem_ours / 2**20, 1),
        "baseline_peak_rss_growth_mb": round(mem_base / 2**20, 1),
        "memory_measure": (
            "peak_alloc: tracemalloc peak in an untimed run; rss_growth: psutil RSS sampled "
            "every 5 ms, peak minus start, largest over the timed runs"
        ),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": f"{_cpus()} cores",
    }


def run_stream(args: argparse.Namespace) -> dict:
    grade_map = load_map(args)
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
        from landgrade.cache import cached_map_and_index

        cached_map_and_index(map_path=map_path)  # as after a first run: the index is on disk
        code = (
            "import time\n"
            "from landgrade.assign import assign_command\n"
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
        elapsed, rss_kb = res.stdout.split()
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(out).metadata.num_rows
    return {
        "stream_points": args.stream,
        "rows_written": rows,
        "assign_s": round(float(elapsed), 2),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "memory_measure": "VmHWM (peak RSS) of the assign subprocess; map index already cached",
        "machine": f"{_cpus()} cores",
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, default=0)
    p.add_argument("--stream", type=int, default=0)
    p.add_argument("--map", type=Path)
    p.add_argument("--synthetic", action="store_true")
    p.add_argument("--json", action="store_true")
    p.add_argument("--repeat", type=int, default=2, help="runs per side; the best is kept")
    args = p.parse_args()
    if not args.points and not args.stream:
        args.points = 100_000
    results = {}
    if args.points:
        results["assign"] = run_points(args)
    if args.stream:
        results["stream"] = run_stream(args)
    print(json.dumps(results, indent=None if args.json else 2, ensure_ascii=False))
    a = results.get("assign")
    if a and (a["grade_mismatches"] or a["route_mismatches"]):
        print("FAIL: landgrade and the baseline disagree", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
