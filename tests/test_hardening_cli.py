"""Hardening of the ``landgrade`` command: reproductions of the review findings (map, --dask,
towns), each written as the behaviour a careful operator expects, so each fails until
its finding is fixed.

The map is test_engine's hand map (grade 1 west of x=100, grade 2 east; routes R1 along y=100,
R2 along x=50) with the bundled county's tables, through test_assign_cli's ``setup`` fixture.
The command is run through typer's CliRunner on ``landgrade.cli:app``, or as a real process
(``python -m landgrade.cli``) where worker processes' output matters.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from test_assign_cli import setup  # noqa: F401  (the fixture: hand map + county folder)
from test_engine import CRS, X0, Y0, box, hand_map
from typer.testing import CliRunner

runner = CliRunner()
PAYLOAD = '<img src=x onerror="window.__landgrade_xss=1">'


def _app():
    from landgrade.cli import app

    return app


def cli(*args: object):
    return runner.invoke(_app(), [str(a) for a in args])


def _process(args: list[object], timeout: float = 300) -> subprocess.CompletedProcess:
    """``landgrade ARGS`` as a real process, with this checkout's code first on the path."""
    import landgrade

    src = str(Path(landgrade.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "landgrade.cli", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=timeout)


# === Finding: stored XSS in `landgrade map -o x.html` =========================================
# Today: maps.interactive_map embeds layer attributes as GeoJSON and shows them through
# folium.GeoJsonTooltip / GeoJsonPopup, which put each value into the page as HTML (innerHTML)
# unescaped: a road name `<img src=x onerror=...>` from a user-supplied road layer runs script
# when the road is hovered. Correct: every value shown in every HTML output is escaped, so the
# page holds `&lt;img ...` (the text is shown, never parsed as markup).

def test_map_html_escapes_every_attribute_value(setup, tmp_path) -> None:  # noqa: F811
    # Finding: stored XSS in map HTML tooltips (roads, water, routes).
    _, opts = setup
    gm = hand_map()
    gm.roads = gpd.GeoDataFrame(
        {"name": [PAYLOAD], "road_class": [PAYLOAD]},
        geometry=[shapely.LineString([(X0, Y0 + 150), (X0 + 300, Y0 + 150)])], crs=CRS)
    gm.water = gpd.GeoDataFrame(
        {"name": [PAYLOAD]},
        geometry=[shapely.LineString([(X0 + 10, Y0), (X0 + 10, Y0 + 200)])], crs=CRS)
    gm.routes = gm.routes.assign(name=[PAYLOAD, "二路"])
    map_path = gm.to_gpkg(tmp_path / "xss.gpkg")
    county = opts[opts.index("--county") + 1]
    out = tmp_path / "x.html"
    res = cli("map", "-o", out, "--map", map_path, "--county", county)
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "onerror" in page, "the test values should be on the page (escaped)"
    assert "<img src=x" not in page and "\\u003cimg src=x" not in page, (
        "a layer value is embedded as markup: folium's tooltip/popup would render it as HTML")
    assert "&lt;img src=x" in page


# === Finding: --dask on a mixed folder grades only the .parquet parts, silently ===============
# Today: dask.input_parts lists only *.parquet/*.geoparquet of a folder and ignores the rest.
# Correct (chosen): exit 2 before any work, naming the parts that are not GeoParquet (a glob
# already refuses them); grading every part would also do, and is accepted by the test.

def test_dask_mixed_folder_is_refused_naming_the_csv_part(setup, tmp_path) -> None:  # noqa: F811
    # Finding: --dask mixed folder (parquet + csv parts).
    pytest.importorskip("dask_geopandas")
    pytest.importorskip("distributed")
    _, opts = setup
    parts = tmp_path / "parts"
    parts.mkdir()
    pts = gpd.GeoDataFrame({"pid": [1, 2]}, geometry=shapely.points(
        [X0 + 20, X0 + 150], [Y0 + 20, Y0 + 50]), crs=CRS)
    pts.to_parquet(parts / "part.0.parquet")
    wgs = pts.to_crs(4326)
    pd.DataFrame({"pid": [3, 4], "x": wgs.geometry.x, "y": wgs.geometry.y}).to_csv(
        parts / "part.1.csv", index=False)
    res = cli("assign", parts, "-o", tmp_path / "out", "--dask", "--workers", "1",
              "--no-progress", *opts)
    if res.exit_code == 0:
        assert (tmp_path / "out" / "part.1.csv").exists(), (
            "part.1.csv was silently left out: " + res.output)
    else:
        assert res.exit_code == 2 and "part.1.csv" in res.output, res.output


# === Finding: --dask with one corrupt part: worker tracebacks, 3 of 4 parts, exit 2 ==========
# Today: dask.assign_parts submits every part; the failing one raises in its worker (distributed
# logs the traceback to stderr), client.gather re-raises it while the other parts are written
# and left in OUTPUT. Correct: exit 2 with a one-line error naming the corrupt part, no
# traceback on stderr, and no partial output (no part of OUTPUT written, as a single-file
# assign leaves no partial file).

def test_dask_corrupt_part_is_a_clean_error_with_no_partial_output(setup, tmp_path) -> None:  # noqa: F811
    # Finding: --dask one corrupt part.
    pytest.importorskip("dask_geopandas")
    pytest.importorskip("distributed")
    _, opts = setup
    parts = tmp_path / "parts"
    parts.mkdir()
    for i in range(4):
        gpd.GeoDataFrame({"pid": range(i * 50, i * 50 + 50)}, geometry=shapely.points(
            [X0 + 5 * k for k in range(50)], [Y0 + 20] * 50), crs=CRS
        ).to_parquet(parts / f"part.{i}.parquet")
    bad = parts / "part.2.parquet"
    data = bytearray(bad.read_bytes())
    data[8:len(data) // 2] = b"\xff" * (len(data) // 2 - 8)  # pages garbled, footer intact
    bad.write_bytes(bytes(data))
    out = tmp_path / "out"
    proc = _process(["assign", parts, "-o", out, "--dask", "--workers", "2", "--no-progress",
                     *opts], timeout=300)
    written = sorted(p.name for p in out.glob("*")) if out.exists() else []
    problems = []
    if proc.returncode != 2:
        problems.append(f"exit {proc.returncode}")
    if "part.2.parquet" not in proc.stderr:
        problems.append("the corrupt part is not named")
    if "Traceback" in proc.stderr:
        problems.append("a worker traceback on stderr")
    if written:
        problems.append(f"partial output left: {written}")
    assert not problems, "; ".join(problems) + "\n--- stderr ---\n" + proc.stderr[-1500:]


# === Finding: --dask --workers 100000 is accepted and hangs ==================================
# Today: cli.assign takes any --workers >= 1 and dask.local_cluster starts that many worker
# processes. Correct (chosen): a refusal, exit 2 before any cluster starts, for more than
# 4 x the CPU count, with a message naming --workers and the cap.
# Starting 100,000 real workers on the shared test machine would be a fork bomb, so the test
# replaces distributed.LocalCluster with a stand-in that records the request and fails at once
# (it stands in for the test's timeout: today the command would hang there).

def test_dask_refuses_an_absurd_worker_count(setup, tmp_path, monkeypatch) -> None:  # noqa: F811
    # Finding: --workers 100000 accepted (and hangs).
    pytest.importorskip("dask_geopandas")
    distributed = pytest.importorskip("distributed")
    _, opts = setup
    parts = tmp_path / "parts"
    parts.mkdir()
    gpd.GeoDataFrame({"pid": [1]}, geometry=[shapely.Point(X0 + 20, Y0 + 20)],
                     crs=CRS).to_parquet(parts / "part.0.parquet")
    asked: list[object] = []

    class NoCluster:
        def __init__(self, *args, **kwargs):
            asked.append(kwargs.get("n_workers", args[0] if args else None))
            raise RuntimeError("test stand-in: no cluster is started")

    monkeypatch.setattr(distributed, "LocalCluster", NoCluster)
    res = cli("assign", parts, "-o", tmp_path / "out", "--dask", "--workers", "100000",
              "--no-progress", *opts)
    assert not asked, f"a local cluster of {asked[0]} workers was started"
    assert res.exit_code == 2, res.output
    assert "--workers" in res.output and "100000" in res.output


# === Finding: towns — `assign --towns FILE --town-field 乡镇 --town-grade 1` refused ============
# Today: cli.assign passes town_field=None when --towns is given and assign._check_town_options
# then sees a town grade without a town and refuses ("town prices need both a town and its town
# grade"). The README documents exactly this use: "with --town-grade prices the rows outside
# the extent from that town". Correct: exit 0; each row's town from the layer; rows outside the
# extent priced from their town's Table 8 row at that grade, rows inside keep urban prices.

def _townships(path: Path, crs_label: str | None = None) -> Path:
    """西镇 west of x=500 (holding the urban extent), 高沙镇 east, field 乡镇."""
    towns = gpd.GeoDataFrame(
        {"乡镇": ["西镇", "高沙镇"]},
        geometry=[box(-1000, -1000, 500, 1200), box(500, -1000, 1300, 1200)], crs=CRS)
    if crs_label is None:
        towns.to_crs(4326).to_file(path)
    else:  # metres, labelled as something else
        towns.set_crs(crs_label, allow_override=True).to_file(path)
    return path


def _table8(county: Path, town_class: int, use: str, grade: int) -> float:
    with (county / "town_prices.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if (int(r["town_class"]), r["use"], int(r["grade"])) == (town_class, use, grade):
                return float(r["price"])
    raise KeyError((town_class, use, grade))


def test_assign_with_a_township_layer_and_a_town_grade_works_as_documented(setup, tmp_path  # noqa: F811
                                                                            ) -> None:
    # Finding: --towns FILE --town-field 乡镇 --town-grade 1 refused.
    _, opts = setup
    county = Path(opts[opts.index("--county") + 1])
    towns = _townships(tmp_path / "towns.gpkg")
    pts = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"pid": [1, 2]}, geometry=[shapely.Point(X0 + 20, Y0 + 20),
                                                shapely.Point(X0 + 600, Y0 + 50)],
                     crs=CRS).to_file(pts)
    out = tmp_path / "out.csv"
    res = cli("assign", pts, "-o", out, "--lang", "en", "--towns", towns, "--town-field", "乡镇",
              "--town-grade", "1", "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["town"].tolist() == ["西镇", "高沙镇"]
    assert got["price_src"].tolist() == ["urban", "town"]
    # 高沙镇 is a class-1 town (towns.csv): Table 8, class 1, grade 1, commercial
    assert float(got["p_comm"].iloc[1]) == _table8(county, 1, "commercial", 1)


# === Finding: a township layer in metres labelled EPSG:4326 leaves `town` blank, exit 0 ======
# Today: towns.load_towns reprojects whatever the label says (crs.gdf_to_working): metres read
# as degrees land nowhere, every row's town is blank and the run succeeds. Correct: the same
# check as for inputs (crs.detect_crs_problem: values beyond ±180/±90 declared in degrees) on
# the township layer: exit 2 naming the file and its declared CRS (EPSG:4326).

def test_township_layer_whose_coordinates_do_not_fit_its_crs_is_an_error(setup, tmp_path  # noqa: F811
                                                                         ) -> None:
    # Finding: township layer in metres labelled EPSG:4326.
    _, opts = setup
    towns = _townships(tmp_path / "towns_metres.gpkg", crs_label="EPSG:4326")
    pts = tmp_path / "pts.gpkg"
    gpd.GeoDataFrame({"pid": [1, 2]}, geometry=[shapely.Point(X0 + 20, Y0 + 20),
                                                shapely.Point(X0 + 600, Y0 + 50)],
                     crs=CRS).to_file(pts)
    out = tmp_path / "out.csv"
    res = cli("assign", pts, "-o", out, "--towns", towns, "--town-field", "乡镇",
              "--no-progress", *opts)
    if res.exit_code == 0:
        towns_found = pd.read_csv(out, dtype=str, keep_default_na=False)["town"].tolist()
        pytest.fail(f"exit 0 with town {towns_found} for every row; want an error naming "
                    "towns_metres.gpkg and EPSG:4326")
    assert res.exit_code == 2, res.output
    assert "towns_metres.gpkg" in res.output and "4326" in res.output
    assert not out.exists()
