"""Benchmark `landgrade assign` on files against a plain geopandas script, each in a subprocess.

    python benchmarks/bench_files.py                    # 1,000,000 points, about 2–3 minutes
    python benchmarks/bench_files.py --points 200000 --json
    python benchmarks/bench_files.py --formats parquet,csv

For each format pair (GeoParquet → GeoParquet, CSV → CSV, Shapefile → GeoPackage) the same N
seeded points (working CRS EPSG:4546, with an id and a Chinese text column) are answered by

- **landgrade**: ``landgrade assign IN -o OUT --no-progress`` (bundled Dongkou map, its index
  cached beforehand as after a first run): every answer column, streamed in chunks;
- **plain**: ``python -c`` of the script an analyst writes: read → ``sjoin(predicate="within")``
  on the grades → ``sjoin_nearest`` on the routes → write (``to_parquet`` / ``to_csv`` /
  ``to_file``), grade and route only.

Each side runs in a fresh subprocess (wall time, interpreter start and imports included) and its
peak RSS (``VmHWM``) is read at its end. Grade and route per point must agree, else exit 1.
Prints ``ratio`` = plain / landgrade per format.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import CRS, machine, random_points

from landgrade.engine.cache import cached_map_and_index

PLAIN = r"""
import sys, time
t0 = time.perf_counter()
import geopandas as gpd, pandas as pd
src, dst, map_path = sys.argv[1:4]
if src.endswith(".csv"):
    df = pd.read_csv(src)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs="EPSG:4546")
elif src.endswith(".parquet"):
    pts = gpd.read_parquet(src)
else:
    pts = gpd.read_file(src, engine="pyogrio", use_arrow=True)
zones = gpd.read_file(map_path, layer="grades")[["grade", "geometry"]]
routes = gpd.read_file(map_path, layer="routes")[["id", "name", "price", "geometry"]]
j = gpd.sjoin(pts, zones, how="left", predicate="within").drop(columns="index_right")
j = j[~j.index.duplicated()]
n = gpd.sjoin_nearest(j, routes, how="left", distance_col="route_m")
# equally near routes: keep the one listed first, landgrade's rule
n = n.sort_values("index_right", kind="stable")
n = n[~n.index.duplicated()].sort_index().drop(columns="index_right")
if dst.endswith(".csv"):
    pd.DataFrame(n.drop(columns="geometry")).to_csv(dst, index=False)
elif dst.endswith(".parquet"):
    n.to_parquet(dst)
else:
    n.to_file(dst, engine="pyogrio")
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]
print(time.perf_counter() - t0, hwm)
"""

LANDGRADE = r"""
import sys, time
t0 = time.perf_counter()
from landgrade.jobs.assign import assign_command
src, dst = sys.argv[1:3]
extra = {"crs": "EPSG:4546"} if src.endswith(".csv") else {}
assign_command(src, dst, progress=False, **extra)
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0].split()[1]
print(time.perf_counter() - t0, hwm)
"""

FORMATS = {"parquet": ("points.parquet", "out.parquet"), "csv": ("points.csv", "out.csv"),
           "shp_gpkg": ("points.shp", "out.gpkg")}


def run(code: str, *args: str) -> tuple[float, float]:
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode:
        sys.stderr.write(res.stderr)
        raise SystemExit(1)
    _, hwm = res.stdout.split()[-2:]
    return wall, int(hwm) / 1024


def read_answers(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        df = pd.read_csv(path, usecols=lambda c: c in ("pid", "grade", "route_id", "id"))
    elif path.suffix == ".parquet":
        df = pd.read_parquet(path, columns=None).drop(columns="geometry")
    else:
        import pyogrio

        df = pyogrio.read_dataframe(path, read_geometry=False, use_arrow=True)
    df = df.rename(columns={"id": "route_id"})
    return pd.DataFrame({"pid": df["pid"].to_numpy(),
                         "grade": pd.to_numeric(df["grade"]).fillna(-1).astype(int).to_numpy(),
                         "route": df["route_id"].astype(str).to_numpy()})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--points", type=int, default=1_000_000)
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    t_start = time.perf_counter()
    results: dict = {"points": args.points, "map": "dongkou (bundled, schematic road network)"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # A private map cache, built once here and inherited by every subprocess / worker,
        # so that other landgrade runs on the machine cannot evict it mid-benchmark.
        os.environ["LANDGRADE_CACHE"] = str(tmp_path / "cache")
        grade_map, _, _ = cached_map_and_index()
        map_path = grade_map.to_gpkg(tmp_path / "map.gpkg")
        pts = random_points(grade_map, args.points)
        names = np.array([f"洞口县{i}号" for i in range(97)])
        pts["addr"] = names[np.arange(args.points) % 97]
        for fmt in args.formats.split(","):
            src_name, out_name = FORMATS[fmt]
            src = tmp_path / src_name
            if fmt == "csv":
                xy = pts.get_coordinates()
                pd.DataFrame({"pid": pts["pid"], "addr": pts["addr"], "x": xy.x, "y": xy.y}
                             ).to_csv(src, index=False)
            elif fmt == "parquet":
                pts.to_parquet(src)
            else:
                pts.to_file(src, engine="pyogrio", encoding="UTF-8")
            ours_out, plain_out = tmp_path / f"lg_{out_name}", tmp_path / f"plain_{out_name}"
            t_ours, rss_ours = run(LANDGRADE, str(src), str(ours_out))
            t_plain, rss_plain = run(PLAIN, str(src), str(plain_out), str(map_path))
            a, b = read_answers(ours_out), read_answers(plain_out)
            b = b.set_index("pid").loc[a["pid"]].reset_index()
            results[fmt] = {
                "landgrade_s": round(t_ours, 2), "plain_s": round(t_plain, 2),
                "ratio": round(t_plain / t_ours, 2),
                "landgrade_peak_rss_mb": round(rss_ours), "plain_peak_rss_mb": round(rss_plain),
                "rows": len(a),
                "mismatches": {"grade": int((a["grade"] != b["grade"]).sum()),
                               "route": int((a["route"] != b["route"]).sum())},
            }
            for f in tmp_path.glob("*out*"):
                f.unlink()
    results["timing"] = ("one run per side, each a fresh subprocess (interpreter start, imports, "
                         "read, answer, write); peak RSS = VmHWM of that subprocess")
    results["crs"] = CRS
    results["machine"] = machine()
    results["wall_s"] = round(time.perf_counter() - t_start, 1)
    print(json.dumps(results, indent=None if args.json else 2, ensure_ascii=False))
    if any(any(v["mismatches"].values()) for k, v in results.items()
           if isinstance(v, dict) and "mismatches" in v):
        print("FAIL: landgrade and the plain script disagree", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
