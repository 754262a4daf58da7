"""`landgrade assign parts/ -o out/ --dask` and landgrade.jobs.dask.assign on a local cluster.

The single-process `landgrade assign` is the reference: the dask run must give exactly its
output, row for row, part for part (the hand map of test_engine, Table 6 prices).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from test_assign_cli import setup  # noqa: F401  (the fixture: hand map + county folder)
from test_engine import X0, Y0, box
from typer.testing import CliRunner

from landgrade.cli.app import app

pytest.importorskip("dask_geopandas")
pytest.importorskip("distributed")

runner = CliRunner()


def sample_points(n: int, seed: int = 5) -> gpd.GeoDataFrame:
    """Points over the hand map's 300 × 200 m extent and 50 m beyond it, with attributes."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-50, 350, n), rng.uniform(-50, 250, n)
    return gpd.GeoDataFrame(
        {"pid": np.arange(n), "owner": [f"户{i % 7}" for i in range(n)],
         "area": rng.uniform(10, 500, n)},
        geometry=shapely.points(X0 + x, Y0 + y), crs="EPSG:4546")


def write_parts(gdf: gpd.GeoDataFrame, folder: Path, sizes: list[int]) -> list[Path]:
    folder.mkdir()
    paths, lo = [], 0
    for i, k in enumerate(sizes):
        p = folder / f"part.{i}.parquet"
        gdf.iloc[lo:lo + k].to_parquet(p)
        paths.append(p)
        lo += k
    return paths


def test_dask_cli_gives_the_single_process_output_row_for_row(setup, tmp_path) -> None:  # noqa: F811
    root, opts = setup
    pts = sample_points(3000)
    whole = root / "whole.parquet"
    pts.to_parquet(whole)
    res = runner.invoke(app, ["assign", str(whole), "-o", str(root / "single.parquet"),
                              "--no-progress", *opts, "--lang", "en"])
    assert res.exit_code == 0, res.output
    single = gpd.read_parquet(root / "single.parquet")
    parts = write_parts(pts, root / "parts", [1200, 1000, 800])
    res = runner.invoke(app, ["assign", str(root / "parts"), "-o", str(root / "out"), "--dask",
                              "--workers", "2", *opts, "--lang", "en"])
    assert res.exit_code == 0, res.output
    outs = sorted((root / "out").iterdir())
    assert [p.name for p in outs] == [p.name for p in parts]  # no temporary files left over
    got = [gpd.read_parquet(p) for p in outs]
    assert [len(g) for g in got] == [1200, 1000, 800]  # partitions line up
    both = pd.concat(got, ignore_index=True)
    pd.testing.assert_frame_equal(pd.DataFrame(both), pd.DataFrame(single))
    assert both.crs == single.crs
    # the answers are real: grade 1 in the square, 2 beyond it, none outside the extent
    inside = both.geometry.x.between(X0 + 1, X0 + 99) & both.geometry.y.between(Y0 + 1, Y0 + 94)
    assert (both.loc[inside, "grade"] == 1).all() and inside.sum() > 100
    assert both.loc[both.geometry.x > X0 + 301, "grade"].isna().all()
    assert "rows written in 3 parts" in res.stderr


def test_dask_assign_on_a_frame_keeps_partitions_rows_and_order(setup, monkeypatch) -> None:  # noqa: F811
    import dask_geopandas
    from distributed import Client, LocalCluster

    from landgrade.engine import engine as engine_mod
    from landgrade.jobs import dask as lgdask

    _, opts = setup
    map_path, county = opts[1], opts[3]
    parcels = gpd.GeoDataFrame(
        {"pid": [10, 11, 12, 13]},
        geometry=[box(80, 0, 120, 50), box(10, 10, 40, 60), box(250, 0, 350, 50),
                  box(150, 120, 200, 180)], crs="EPSG:4546")
    ddf = dask_geopandas.from_geopandas(parcels, npartitions=2)
    loads: list[str] = []
    real_load = engine_mod.load_engine

    def counting_load(**kw):  # type: ignore[no-untyped-def]
        loads.append(kw["map_path"])
        return real_load(**kw)

    monkeypatch.setattr(engine_mod, "load_engine", counting_load)
    monkeypatch.setattr(lgdask, "_ENGINES", {})
    # threads in this process (processes=False): the worker's engine cache is visible here
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        out = lgdask.assign(ddf, map_path=map_path, county=county)
        assert out.npartitions == 2
        got = out.compute()
    assert len(loads) == 1  # one load for the worker, not one per partition
    expect = real_load(map_path=map_path, county=county).assign(parcels)
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(expect))
    assert got["share_1"].tolist() == pytest.approx([0.5, 1.0, 0.0, 0.0])
    assert got["share_out"].tolist() == pytest.approx([0.0, 0.0, 0.5, 0.0])


def test_dask_refuses_a_single_file_output_and_the_input_folder(setup) -> None:  # noqa: F811
    root, opts = setup
    write_parts(sample_points(10), root / "parts", [10])
    res = runner.invoke(app, ["assign", str(root / "parts"), "-o", str(root / "o.parquet"),
                              "--dask", "--workers", "1", *opts])
    assert res.exit_code == 2 and "output is a folder" in res.output
    res = runner.invoke(app, ["assign", str(root / "parts"), "-o", str(root / "parts"),
                              "--dask", "--workers", "1", *opts])
    assert res.exit_code == 2 and "is the input folder" in res.output
    res = runner.invoke(app, ["assign", str(root / "nothing" / "*.parquet"), "-o",
                              str(root / "out"), "--dask", "--workers", "1", *opts])
    assert res.exit_code == 2 and "no input parts" in res.output


def run_single_and_dask(root: Path, whole: Path, parts: list[Path], out_name: str,
                        options: list[str]) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """``landgrade assign`` on the whole file and ``--dask --workers 2`` on its parts, with the
    same options; the written files read back as text, cell for cell (the single output, then
    each output part)."""
    single = root / out_name
    res = runner.invoke(app, ["assign", str(whole), "-o", str(single), "--no-progress",
                              *options])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["assign", str(parts[0].parent), "-o", str(root / "out"), "--dask",
                              "--workers", "2", *options])
    assert res.exit_code == 0, res.output
    outs = sorted((root / "out").iterdir())
    assert [p.name for p in outs] == [p.name for p in parts]  # one output part per input part

    def read(path: Path) -> pd.DataFrame:
        if path.suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        return pd.DataFrame(gpd.read_parquet(path))

    return read(single), [read(p) for p in outs]


def test_dask_prices_by_a_township_layer_and_each_rows_use_as_one_process_does(
    setup, tmp_path  # noqa: F811
) -> None:
    """--towns, --town-field, --town-grade and --use-field reach every part: each row gets the
    town of the layer, the town's Table 8 prices outside the extent and its own use's price."""
    root, opts = setup
    towns = root / "towns.gpkg"
    gpd.GeoDataFrame(  # 西镇 holds the urban extent, 高沙镇 lies east of x=500
        {"乡镇名称": ["西镇", "高沙镇"]},
        geometry=[box(-1000, -1000, 500, 1200), box(500, -1000, 1300, 1200)], crs="EPSG:4546",
    ).to_crs(4326).to_file(towns)
    rng = np.random.default_rng(7)
    n = 600
    x, y = rng.uniform(-50, 900, n), rng.uniform(-50, 250, n)
    uses = np.array(["商服用地", "residential", "工业", "", "无此用途"], dtype=object)
    pts = gpd.GeoDataFrame({"pid": np.arange(n), "用途": uses[np.arange(n) % len(uses)]},
                           geometry=shapely.points(X0 + x, Y0 + y), crs="EPSG:4546")
    whole = root / "whole.parquet"
    pts.to_parquet(whole)
    parts = write_parts(pts, root / "parts", [250, 200, 150])
    options = ["--towns", str(towns), "--town-field", "乡镇名称", "--town-grade", "1",
               "--use-field", "用途", *opts]
    single, got = run_single_and_dask(root, whole, parts, "single.parquet", options)
    assert [len(g) for g in got] == [250, 200, 150]
    pd.testing.assert_frame_equal(pd.concat(got, ignore_index=True), single)
    # the options were applied, not ignored: towns named, town prices east, each use priced
    assert set(single["town"].dropna()) == {"西镇", "高沙镇"}
    east = single["town"].eq("高沙镇").to_numpy()
    assert east.any() and (single.loc[east, "price_src"] == "town").all()
    assert single["price"].notna().any() and "unknown_use" in set(single["status"])


def test_dask_reads_csv_parts_with_the_coordinate_columns_given(setup, tmp_path) -> None:  # noqa: F811
    """--x-field/--y-field (and --crs) read every CSV part as they read the whole CSV; each
    output part is the single-process CSV's rows, cell for cell."""
    root, opts = setup
    pts = sample_points(900, seed=11)
    table = pd.DataFrame({"pid": pts["pid"], "owner": pts["owner"],
                          "东坐标m": pts.geometry.x.round(3), "北坐标m": pts.geometry.y.round(3),
                          "x": "not a coordinate"})  # a column the detection would pick
    whole = root / "whole.csv"
    table.to_csv(whole, index=False)
    (root / "parts").mkdir()
    parts = []
    for i, (lo, hi) in enumerate([(0, 400), (400, 700), (700, 900)]):
        parts.append(root / "parts" / f"part.{i}.csv")
        table.iloc[lo:hi].to_csv(parts[-1], index=False)
    options = ["--x-field", "东坐标m", "--y-field", "北坐标m", "--crs", "EPSG:4546", *opts,
               "--lang", "en"]  # the field codes as CSV headers
    single, got = run_single_and_dask(root, whole, parts, "single.csv", options)
    assert [len(g) for g in got] == [400, 300, 200]
    pd.testing.assert_frame_equal(pd.concat(got, ignore_index=True), single)
    assert set(single["grade"]) >= {"1", "2"}  # the coordinates were read: real answers


def test_dask_refuses_a_bad_town_grade_as_one_process_does(setup) -> None:  # noqa: F811
    """One check for both: a town grade is a whole number from 1, refused before any cluster
    starts or any output folder is made."""
    root, opts = setup
    write_parts(sample_points(10), root / "parts", [10])
    for extra in ([], ["--dask", "--workers", "1"]):
        res = runner.invoke(app, ["assign", str(root / "parts" / "part.0.parquet")
                                  if not extra else str(root / "parts"),
                                  "-o", str(root / ("o.parquet" if not extra else "out")),
                                  "--town", "高沙镇", "--town-grade", "-1", *extra, *opts])
        assert res.exit_code == 2, res.output
        assert "--town-grade -1: a town grade is a whole number, 1 or more" in res.output
    assert not (root / "out").exists()


def test_local_workers_get_heap_backed_arrays_not_a_fresh_mmap_each() -> None:
    """dask's nanny pins glibc's mmap threshold at 128 KiB (MALLOC_TRIM_THRESHOLD_), which made
    a worker 1.5x slower than one process on the same part; landgrade's local cluster lifts it,
    and keeps dask's own settings."""
    import os

    from distributed import Client

    from landgrade.jobs.dask import WORKER_ENVIRON, local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client:
        seen = client.run(lambda: {k: os.environ.get(k) for k in
                                   ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
                                    "OMP_NUM_THREADS")})
    (env,) = seen.values()
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(WORKER_ENVIRON["MALLOC_MMAP_THRESHOLD_"])
    assert env["MALLOC_TRIM_THRESHOLD_"] == str(WORKER_ENVIRON["MALLOC_TRIM_THRESHOLD_"])
    assert env["OMP_NUM_THREADS"] == "1"
