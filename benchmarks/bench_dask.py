"""Benchmark ``landgrade assign --dask`` with 1 and 2 workers on a partitioned GeoParquet.

    python benchmarks/bench_dask.py                       # 400,000 points in 4 parts, ~1 min
    python benchmarks/bench_dask.py --points 5000000 --parts 10 --json

Writes N seeded random points (bundled Dongkou map's extent bounds) as one GeoParquet file and
as ``--parts`` GeoParquet parts; answers the file with the single-process ``assign`` and the
parts with :func:`landgrade.jobs.dask.assign_parts` on a local cluster of 1, then 2 worker processes
(one thread each), first cold (each worker loads the engine) then warm. The concatenated parts
must equal the single-process output exactly (every
column, row for row), else exit 1. Prints wall time, throughput (points/s) and each worker's
peak RSS (``VmHWM``, read on the worker at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
from _common import machine, random_points

from landgrade.engine.cache import cached_map_and_index
from landgrade.jobs.assign import assign_command
from landgrade.jobs.dask import assign_parts, local_cluster


def _hwm_mb() -> float:
    with open("/proc/self/status") as f:
        line = next(ln for ln in f if ln.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def run_cluster(parts: Path, out: Path, workers: int) -> dict:
    from distributed import Client

    with local_cluster(workers) as c:
        t0 = time.perf_counter()
        assign_parts(parts, out, scheduler=c.scheduler_address, progress=False)
        wall = time.perf_counter() - t0
        # Again on the warm cluster (engine loaded on every worker): the answering alone.
        shutil.rmtree(out)
        t0 = time.perf_counter()
        assign_parts(parts, out, scheduler=c.scheduler_address, progress=False)
        warm = time.perf_counter() - t0
        with Client(c) as client:
            hwm = client.run(_hwm_mb)
    return {"wall_s": round(wall, 2), "warm_wall_s": round(warm, 2),
            "peak_rss_mb_per_worker": sorted(round(v) for v in hwm.values())}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, default=400_000)
    p.add_argument("--parts", type=int, default=4)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    t_start = time.perf_counter()
    res: dict = {"points": args.points, "parts": args.parts}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # A private map cache, built once here and inherited by every subprocess / worker,
        # so that other landgrade runs on the machine cannot evict it mid-benchmark.
        os.environ["LANDGRADE_CACHE"] = str(tmp_path / "cache")
        grade_map, _, _ = cached_map_and_index()
        whole, parts = tmp_path / "whole.parquet", tmp_path / "parts"
        parts.mkdir()
        per = -(-args.points // args.parts)
        chunks = []
        for i in range(args.parts):
            n = min(per, args.points - i * per)
            chunk = random_points(grade_map, n, seed=100 + i)
            chunk["pid"] += i * per
            chunk.to_parquet(parts / f"part.{i:03d}.parquet")
            chunks.append(chunk)
        pd.concat(chunks, ignore_index=True).to_parquet(whole)
        del chunks
        t0 = time.perf_counter()
        assign_command(whole, tmp_path / "single.parquet", progress=False)
        res["single_process_s"] = round(time.perf_counter() - t0, 2)
        single = gpd.read_parquet(tmp_path / "single.parquet")
        for workers in (1, 2):
            out = tmp_path / f"out{workers}"
            r = run_cluster(parts, out, workers)
            got = pd.concat([gpd.read_parquet(f) for f in sorted(out.iterdir())],
                            ignore_index=True)
            try:
                pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(single))
                r["identical_to_single_process"] = True
            except AssertionError as e:
                r["identical_to_single_process"] = False
                r["difference"] = str(e)[:300]
            r["points_per_s"] = round(args.points / r["wall_s"])
            r["warm_points_per_s"] = round(args.points / r["warm_wall_s"])
            res[f"workers_{workers}"] = r
    res["speedup_2_vs_1"] = round(res["workers_1"]["wall_s"] / res["workers_2"]["wall_s"], 2)
    res["warm_speedup_2_vs_1"] = round(
        res["workers_1"]["warm_wall_s"] / res["workers_2"]["warm_wall_s"], 2)
    res["timing"] = ("wall time of assign_parts on a running LocalCluster (worker start-up not "
                     "included; the engine load on each worker is), then again on the warm "
                     "cluster (warm_*); single process: assign_command on the whole file in "
                     "this process, engine load included")
    res["machine"] = machine()
    res["wall_s"] = round(time.perf_counter() - t_start, 1)
    print(json.dumps(res, indent=None if args.json else 2, ensure_ascii=False))
    if not all(res[f"workers_{w}"]["identical_to_single_process"] for w in (1, 2)):
        print("FAIL: dask output differs from the single-process output", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
