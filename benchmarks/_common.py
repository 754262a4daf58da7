"""Shared parts of the benchmarks: maps, seeded inputs, timing and memory probes.

Every benchmark times landgrade and its baseline in the same process (or, for file jobs, in
subprocesses started the same way), on the same inputs, checks the answers are identical and
prints ``ratio = baseline time / landgrade time``.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from landgrade.build.grade_map import GradeMap

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


def random_xy(grade_map: GradeMap, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """n seeded uniform coordinates in the grading extent's bounds (working CRS)."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = grade_map.extent.total_bounds
    return rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)


def random_points(grade_map: GradeMap, n: int, seed: int = 1) -> gpd.GeoDataFrame:
    x, y = random_xy(grade_map, n, seed)
    return gpd.GeoDataFrame({"pid": np.arange(n)}, geometry=shapely.points(x, y), crs=CRS)


def route_segments(routes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Routes exploded into 2-point LineStrings, and the route row of each (a user's code)."""
    coords, idx = shapely.get_coordinates(routes, return_index=True)
    same = idx[1:] == idx[:-1]
    seg = np.stack([coords[:-1][same], coords[1:][same]], axis=1)
    return shapely.linestrings(seg), idx[:-1][same]


def first_nearest(pi: np.ndarray, ri: np.ndarray, d: np.ndarray, n: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """From all equally-near (point, route) matches keep the lowest route row per point."""
    order = np.lexsort((ri, pi))
    pi, ri, d = pi[order], ri[order], d[order]
    first = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]])
    route, dist = np.full(n, -1), np.full(n, np.nan)
    route[pi[first]], dist[pi[first]] = ri[first], d[first]
    return route, dist


CPU_TIMES: dict[int, list[float]] = {}


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[Any, float, list[float]]:
    """Result of the last call, median seconds and all times of ``repeat`` calls.

    The CPU seconds of this process for each call are kept in ``CPU_TIMES[id(fn)]``: on a
    machine shared with other jobs, wall times of the two sides drift with the load; CPU
    times much less.
    """
    times, cpu, out = [], [], None
    for _ in range(repeat):
        out = None  # free the previous result first: it is not part of the next run
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU_TIMES[id(fn)] = cpu
    return out, statistics.median(times), times


def median_cpu(fn: Callable[[], Any]) -> float:
    return statistics.median(CPU_TIMES[id(fn)])


class PeakRSS:
    """Peak resident memory of this process while a block runs (psutil, sampled every 5 ms)."""

    def __enter__(self) -> PeakRSS:
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


def traced_peak(fn: Callable[[], Any]) -> int:
    """Peak bytes of traced allocations (Python objects and numpy buffers) during one call."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpus} cores, load average {load:.2f} at the end of the run"
