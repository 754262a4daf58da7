"""Benchmark landgrade's safe writers and readers against the plain pandas/pyogrio calls.

    python benchmarks/bench_io.py                 # 300,000 rows, best of 2
    python benchmarks/bench_io.py --rows 1000000 --json

On one answer-shaped table (points, the input's text columns and the engine's answer columns:
floats, nullable integers, categoricals, booleans) in the same process:

- CSV: ``io.ChunkWriter`` (pyarrow's CSV writer, atomic) vs ``DataFrame.to_csv``;
- GeoPackage: ``io.ChunkWriter`` (pyogrio through Arrow, GPKG 1.2, atomic) vs
  ``pyogrio.write_dataframe(use_arrow=False)``;
- Shapefile: the same two;
- GeoParquet point read: ``io.iter_chunks`` vs ``geopandas.read_parquet`` (``shapely.from_wkb``),
  once building shapely points from x/y and once ``raw`` (x/y straight from the WKB buffer, the
  geometry left as the file's WKB for a GeoParquet output: what ``assign`` does), and the
  decode alone: ``io.wkb_points_xy`` vs ``shapely.from_wkb`` + ``shapely.get_coordinates``.

Each line prints both times and ``ratio`` = baseline / landgrade (> 1: landgrade faster). Every
landgrade output is read back and compared with the table, so a fast wrong writer cannot win.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import shapely

from landgrade import io


def answer_table(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    grade = rng.integers(1, 6, n)
    inside = rng.random(n) > 0.3
    return gpd.GeoDataFrame({
        "宗地号": [f"{i:012d}" for i in range(n)],
        "权利人": np.where(rng.random(n) > 0.5, "高沙镇文昌路", "Main Street"),
        "in_extent": inside,
        "grade": pd.array(np.where(inside, grade, 0), dtype="Int64").astype("Int64"),
        "p_comm": np.where(inside, grade * 641.0, np.nan),
        "route_id": pd.Categorical(rng.choice([f"A{i:02d}" for i in range(74)], n)),
        "route_m": rng.uniform(0, 500, n),
        "status": pd.Categorical(np.where(inside, "ok", "outside_extent")),
    }, geometry=shapely.points(rng.uniform(454_400, 461_300, n), rng.uniform(2_991_300,
                                                                           2_996_700, n)),
        crs="EPSG:4546")


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    table = answer_table(args.rows)
    results: dict[str, dict[str, float]] = {}

    def record(name: str, ours: float, base: float) -> None:
        results[name] = {"landgrade_s": round(ours, 3), "baseline_s": round(base, 3),
                         "ratio": round(base / ours, 2)}
        if not args.json:
            print(f"{name:<34} landgrade {ours:7.3f} s   baseline {base:7.3f} s   "
                  f"ratio {base / ours:5.2f}×")

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)

        def ours(path: Path) -> Callable[[], object]:
            return lambda: io.write_file(table, path)

        plain = pd.DataFrame(table.drop(columns="geometry"))
        plain["wkt"] = shapely.to_wkt(table.geometry.to_numpy(), rounding_precision=-1)
        record("write CSV (pyarrow vs to_csv)", best(ours(d / "a.csv"), args.repeat),
               best(lambda: plain.to_csv(d / "b.csv", index=False, encoding="utf-8-sig"),
                    args.repeat))
        back = pd.read_csv(d / "a.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert back["宗地号"].tolist() == table["宗地号"].tolist()

        for ext, name in ((".gpkg", "GeoPackage"), (".shp", "Shapefile")):
            base_kw = {"encoding": "UTF-8"} if ext == ".shp" else {}
            record(f"write {name} (arrow vs no arrow)", best(ours(d / f"a{ext}"), args.repeat),
                   best(lambda ext=ext, kw=base_kw: pyogrio.write_dataframe(
                       table, d / f"b{ext}", use_arrow=False, **kw), args.repeat))
            assert pyogrio.read_info(d / f"a{ext}")["features"] == len(table)

        io.write_file(table, d / "p.parquet")

        def read_ours(raw: bool) -> Callable[[], object]:
            def run() -> None:
                for _ in io.iter_chunks(io.open_source(d / "p.parquet"), len(table) + 1,
                                        progress=False, raw=raw):
                    pass
            return run

        baseline = best(lambda: gpd.read_parquet(d / "p.parquet"), args.repeat)
        record("read point GeoParquet (shapely)", best(read_ours(False), args.repeat), baseline)
        record("read point GeoParquet (pass-through)", best(read_ours(True), args.repeat),
               baseline)
        wkb = pq.read_table(d / "p.parquet").column("geometry")
        xy = io.wkb_points_xy(wkb)
        assert xy is not None and np.array_equal(xy, shapely.get_coordinates(table.geometry))
        record("decode point WKB (buffer vs from_wkb)",
               best(lambda: io.wkb_points_xy(wkb), args.repeat),
               best(lambda: shapely.get_coordinates(shapely.from_wkb(
                   wkb.to_numpy(zero_copy_only=False))), args.repeat))
    if args.json:
        print(json.dumps({"rows": args.rows, **results}, indent=2))


if __name__ == "__main__":
    main()
