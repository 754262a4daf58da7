"""The QGIS plugin, in a real headless QGIS 3.22: the provider loads from the ZIP that
``landgrade qgis-plugin`` writes, and each algorithm gives what the command it wraps gives.

QGIS's Python is Debian's ``/usr/bin/python3`` with ``python3-qgis`` (``.ci/run`` installs it;
without it these tests skip and say so). It finds landgrade as the README's Debian steps make
it: a virtualenv of that Python with ``numpy<2`` (QGIS's GDAL bindings are built against NumPy
1) and landgrade installed from this checkout, on ``PYTHONPATH``. The fixture makes that
environment once per run (``LANDGRADE_QGIS_PYTHONPATH`` names a ready one instead). Every
algorithm runs in one QGIS process (``tests/qgis_runner.py``); the tests compare its outputs
with ``landgrade assign``/``value``/``build``/``locate`` run here on the same files.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.outputs.answer_html import answer_rows

ROOT = Path(__file__).resolve().parents[1]
QGIS_PYTHON = "/usr/bin/python3"
RUNNER = Path(__file__).with_name("qgis_runner.py")
OSM = Path(__file__).with_name("data") / "osm"  # © OpenStreetMap contributors, ODbL
# What the README's Debian steps install beside landgrade: QGIS's GDAL needs NumPy 1, and
# pyarrow 26 needs NumPy 2.
QGIS_PINS = ["numpy<2", "pyarrow<26"]
runner = CliRunner()


def _qgis_missing() -> str | None:
    if not Path(QGIS_PYTHON).exists():
        return f"{QGIS_PYTHON} is absent"
    done = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                          text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        return "QGIS's Python is absent (Debian: apt-get install python3-qgis qgis-providers)"
    if sys.version_info[:2] != (3, 11):
        return "QGIS 3.22 on Debian runs Python 3.11; this test run is another Python"
    return None


pytestmark = pytest.mark.skipif(bool(_qgis_missing()), reason=_qgis_missing() or "")


@pytest.fixture(scope="session")
def qgis_pythonpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PYTHONPATH with which QGIS's Python imports landgrade: the README's Debian steps."""
    given = os.environ.get("LANDGRADE_QGIS_PYTHONPATH")
    if given:
        return given
    venv = tmp_path_factory.mktemp("qgis-venv")
    subprocess.run([QGIS_PYTHON, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *QGIS_PINS, str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return str(next((venv / "lib").glob("python3.*")) / "site-packages")


def cli(*args: str, env: dict[str, str]) -> str:
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout  # what a script reads: notes go to stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, dongkou_dir: Path) -> dict[str, Path]:
    """The analyst's files: a GBK shapefile of parcels (CGCS2000 / 3-degree zone 37, as a
    bureau's cadastre is) and a GeoPackage of points over the county seat; the plugin ZIP."""
    tmp = tmp_path_factory.mktemp("qgis-files")
    parcels = gpd.read_file(dongkou_dir / "samples" / "parcels.geojson").to_crs("EPSG:4546")
    parcels = parcels.drop(columns=["note"])
    parcels["权利人"] = ["高沙镇供销社", "黄桥镇", "石柱乡", "洞口县"][: len(parcels)]
    shp = tmp / "宗地.shp"
    pyogrio.write_dataframe(parcels, shp, encoding="GBK")
    assert shp.with_suffix(".cpg").read_text().strip().upper() in ("GBK", "CP936", "936")
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = gpd.read_file(dongkou_dir / "extent.geojson").to_crs(
        "EPSG:4326").total_bounds
    n = 2000
    points = gpd.GeoDataFrame(
        {"点号": [f"P{i:04d}" for i in range(n)]},
        geometry=shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)),
        crs="EPSG:4326")
    pyogrio.write_dataframe(points, tmp / "points.gpkg", layer="查询点")
    no_crs = tmp / "no_crs.shp"
    pyogrio.write_dataframe(parcels, no_crs, encoding="UTF-8")
    no_crs.with_suffix(".prj").unlink()
    env = {"LANDGRADE_CACHE": str(tmp / "cache")}
    cli("qgis-plugin", "-o", str(tmp / "landgrade_qgis.zip"), env=env)
    # Land-use codes as a parcel sheet carries them (the hand-checked sheet of
    # tests/data/landuse, its GB/T 21010-2017 rows that are codes alone), one point each.
    with (ROOT / "tests" / "data" / "landuse" / "sheet200.csv").open(encoding="utf-8") as f:
        codes = [r["用途"] for r in csv.DictReader(f)
                 if r["standard"] == "tdly2017" and r["用途"].isdigit()]
    (tmp / "codes.csv").write_text("x,y,用途\n" + "".join(
        f"110.575,27.06,{c}\n" for c in codes), encoding="utf-8")
    not_a_county = tmp / "not_a_county"
    not_a_county.mkdir()
    return {"tmp": tmp, "codes": tmp / "codes.csv", "parcels": shp,
            "points": tmp / "points.gpkg", "no_crs": no_crs, "zip": tmp / "landgrade_qgis.zip",
            "not_a_county": not_a_county, "cache": tmp / "cache"}


def run_in_qgis(job: dict[str, Any], pythonpath: str, tmp: Path, cache: Path) -> dict[str, Any]:
    job_file, result_file = tmp / "job.json", tmp / "result.json"
    job_file.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": pythonpath, "QT_QPA_PLATFORM": "offscreen",
           "LANDGRADE_CACHE": str(cache), "XDG_RUNTIME_DIR": str(tmp)}
    done = subprocess.run([QGIS_PYTHON, str(RUNNER), str(job_file), str(result_file)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(result_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def qgis(files: dict[str, Path], qgis_pythonpath: str) -> dict[str, Any]:
    """Every algorithm, run once in one headless QGIS."""
    out = files["tmp"] / "out"
    out.mkdir()
    cancelled = files["tmp"] / "cancelled"
    cancelled.mkdir()
    parcels, points = str(files["parcels"]), str(files["points"])
    runs = {
        "assign_parcels": {"alg": "landgrade:assign", "layers": ["OUTPUT"], "parameters": {
            "INPUT": parcels, "USE_FIELD": "用途", "OUTPUT": str(out / "parcels.gpkg")}},
        "assign_points": {"alg": "landgrade:assign", "layers": ["OUTPUT"], "parameters": {
            "INPUT": points, "OUTPUT": "TEMPORARY_OUTPUT"}},
        "assign_memory": {"alg": "landgrade:assign", "parameters": {
            "INPUT": parcels, "OUTPUT": "memory:"}},
        "assign_into_gpkg": {"alg": "landgrade:assign", "parameters": {
            "INPUT": parcels, "OUTPUT": f"ogr:dbname='{points}' table=\"graded\" (geom)"}},
        "assign_first_ten_in_english": {"alg": "landgrade:assign", "parameters": {
            "INPUT": {"path": points, "limit": 10}, "LANG": 2,
            "OUTPUT": str(out / "first_ten.gpkg")}},
        "assign_codes_as_numbers": {"alg": "landgrade:assign", "parameters": {
            # QGIS's delimited text with type detection: 0701 becomes the integer 701
            "INPUT": {"provider": "delimitedtext", "name": "codes", "uri": (
                f"file://{files['codes']}?type=csv&xField=x&yField=y&crs=EPSG:4326"
                "&detectTypes=yes")},
            "USE_FIELD": "用途", "OUTPUT": str(out / "codes.gpkg")}},
        "assign_gcj02": {"alg": "landgrade:assign", "parameters": {
            "INPUT": points, "COORDINATES": 1, "OUTPUT": str(out / "gcj02.gpkg")}},
        "assign_cancelled": {"alg": "landgrade:assign", "cancel_at": 1.0,
                             "files": str(cancelled / "assign"), "parameters": {
                                 "INPUT": points,
                                 "OUTPUT": str(cancelled / "assign" / "points.gpkg")}},
        "locate": {"alg": "landgrade:locate", "parameters": {
            "POINT": "110.575,27.06 [EPSG:4326]", "OUTPUT": str(out / "answer.html")}},
        "locate_projected": {"alg": "landgrade:locate", "parameters": {
            "POINT": "{},{} [EPSG:4546]", "OUTPUT": str(out / "answer4546.html")}},
        "value": {"alg": "landgrade:value", "layers": ["OUTPUT"], "parameters": {
            "INPUT": parcels, "USE_FIELD": "用途", "TERM": 40, "PLOT_RATIO": 2.0,
            "DATE": "2022-06-01", "OUTPUT": str(out / "valued.gpkg"),
            "SHEETS": str(out / "测算表.pdf")}},
        "report": {"alg": "landgrade:parcelreport", "files": str(out / "sheets"), "parameters": {
            "INPUT": parcels, "USE_FIELD": "用途", "OUTPUT": str(out / "sheets")}},
        "build": {"alg": "landgrade:build", "layers": ["GRADES", "REPORT"], "parameters": {
            "COUNTY": str(ROOT / "geo" / "dongkou"),
            "ROADS": str(ROOT / "geo" / "dongkou" / "roads.geojson"),
            "OUTPUT": str(out / "built.gpkg")}},
        "build_osm": {"alg": "landgrade:build", "layers": ["GRADES"], "parameters": {
            "RULES": str(OSM / "longgang_table5.txt"),
            "ROADS": f"{OSM / 'longgang.osm.pbf'}|layername=lines",
            "WATER": f"{OSM / 'longgang.osm.pbf'}|layername=multipolygons",
            "EXTENT": str(OSM / "longgang_extent.geojson"),
            "ROUTES": str(OSM / "longgang_routes.csv"), "LANG": 2,
            "OUTPUT": str(out / "longgang.gpkg")}},
        "value_cancelled_in_sheets": {
            "alg": "landgrade:value", "cancel_at": 100.0, "files": str(cancelled / "value"),
            "parameters": {
                "INPUT": parcels, "USE_FIELD": "用途", "TERM": 40, "PLOT_RATIO": 2.0,
                "DATE": "2022-06-01", "OUTPUT": str(cancelled / "value" / "valued.gpkg"),
                "SHEETS": str(cancelled / "value" / "sheets.pdf")}},
        "build_cancelled": {"alg": "landgrade:build", "cancel_at": 0.0,
                            "files": str(cancelled / "build"), "parameters": {
                                "OUTPUT": str(cancelled / "build" / "built.gpkg")}},
        "export": {"alg": "landgrade:export", "parameters": {
            "OUTPUT": str(out / "export.gpkg")}},
        "no_crs": {"alg": "landgrade:assign", "parameters": {
            "INPUT": str(files["no_crs"]), "OUTPUT": str(out / "no_crs.gpkg")}},
        "not_a_county": {"alg": "landgrade:assign", "parameters": {
            "INPUT": parcels, "COUNTY": str(files["not_a_county"]),
            "OUTPUT": str(out / "bad_county.gpkg")}},
        "bad_factor": {"alg": "landgrade:value", "parameters": {
            "INPUT": parcels, "USE_FIELD": "用途", "TERM": 40, "PLOT_RATIO": 2.0,
            "DATE": "2022-06-01", "FACTORS": "交通便捷度", "OUTPUT": str(out / "bad.gpkg")}},
    }
    # The projected point is the WGS84 one in the county's CGCS2000 zone.
    x, y = gpd.GeoSeries([shapely.Point(110.575, 27.06)], crs="EPSG:4326").to_crs(
        "EPSG:4546").iloc[0].coords[0]
    runs["locate_projected"]["parameters"]["POINT"] = f"{x!r},{y!r} [EPSG:4546]"
    (cancelled / "build").mkdir()
    (cancelled / "assign").mkdir()
    (cancelled / "value").mkdir()
    job = {"plugin_zip": str(files["zip"]), "runs": runs, "keep": str(out)}
    # A cache of its own: QGIS's Python pickles with NumPy 1, this run with NumPy 2.
    return run_in_qgis(job, qgis_pythonpath, files["tmp"], files["tmp"] / "cache-qgis")


@pytest.fixture(scope="module")
def by_cli(files: dict[str, Path], qgis: dict[str, Any]) -> dict[str, Path]:
    """The same work by the command line, beside the QGIS outputs."""
    tmp = files["tmp"] / "cli"
    tmp.mkdir()
    env = {"LANDGRADE_CACHE": str(files["cache"])}
    out = {"parcels": tmp / "parcels.gpkg", "points": tmp / "points.gpkg",
           "points_en": tmp / "points_en.gpkg", "codes": tmp / "codes.gpkg",
           "gcj02": tmp / "gcj02.gpkg", "valued": tmp / "valued.gpkg",
           "built": tmp / "built.gpkg", "longgang": tmp / "longgang.gpkg"}
    cli("assign", str(files["parcels"]), "-o", str(out["parcels"]), "--use-field", "用途",
        "--no-progress", env=env)
    cli("assign", str(files["points"]), "-o", str(out["points"]), "--no-progress", env=env)
    cli("assign", str(files["codes"]), "-o", str(out["codes"]), "--use-field", "用途",
        "--no-progress", env=env)
    cli("assign", str(files["points"]), "-o", str(out["points_en"]), "--lang", "en",
        "--no-progress", env=env)
    cli("assign", str(files["points"]), "-o", str(out["gcj02"]), "--crs", "gcj02",
        "--no-progress", env=env)
    cli("value", str(files["parcels"]), "-o", str(out["valued"]), "--use-field", "用途",
        "--term", "40", "--plot-ratio", "2", "--date", "2022-06-01", "--no-progress", env=env)
    cli("build", "--rules", str(OSM / "longgang_table5.txt"), "--roads",
        str(OSM / "longgang.osm.pbf"), "--water", str(OSM / "longgang.osm.pbf"), "--extent",
        str(OSM / "longgang_extent.geojson"), "--routes", str(OSM / "longgang_routes.csv"),
        "-o", str(out["longgang"]), "--quiet", "--lang", "en", env=env)
    cli("build", "--county", str(ROOT / "geo" / "dongkou"), "--roads",
        str(ROOT / "geo" / "dongkou" / "roads.geojson"), "-o", str(out["built"]), "--quiet",
        env=env)
    return out


def _read(path: str | Path) -> gpd.GeoDataFrame:
    """An output GeoPackage's data layer (named after the file; beside it, its styles)."""
    return gpd.read_file(path, layer=Path(path).stem)


def _same_rows(qgis_file: str, cli_file: Path) -> None:
    got, want = _read(qgis_file), _read(cli_file)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")),
                                  pd.DataFrame(want.drop(columns="geometry")))
    assert got.geometry.geom_equals_exact(want.geometry, tolerance=0).all()


def test_the_provider_loads_from_the_zip_with_every_algorithm(qgis: dict[str, Any]) -> None:
    provider = qgis["provider"]
    assert qgis["qgis"].startswith("3.")
    assert provider["loaded"], qgis["log"]
    assert set(provider["algorithms"]) == {
        f"landgrade:{a}" for a in ("assign", "locate", "build", "parcelreport", "value",
                                   "export")}
    # The toolbox speaks the default county's language (Dongkou: Chinese).
    assert provider["algorithms"]["landgrade:assign"] == "赋土地级别与基准地价"
    assert "GCJ-02" in provider["help"]["landgrade:assign"]
    # The answer goes to the results viewer (an HTML output), the grade to the modeller.
    assert provider["outputs"]["landgrade:locate"]["OUTPUT"] == "outputHtml"
    assert provider["outputs"]["landgrade:locate"]["GRADE"] == "outputNumber"
    assert provider["outputs"]["landgrade:build"]["REPORT"] == "outputVector"
    # Every algorithm runs in the background, can be cancelled, and runs in batch mode.
    can_cancel, batch, no_threading = 1 << 4, 1 << 3, 1 << 6  # QgsProcessingAlgorithm.Flag
    for flags in provider["flags"].values():
        assert flags & can_cancel and flags & batch and not flags & no_threading
    assert not [m for m in qgis["log"] if m[0] == "landgrade"], qgis["log"]


def test_assign_gives_what_landgrade_assign_gives_on_a_gbk_shapefile(
    qgis: dict[str, Any], by_cli: dict[str, Path], files: dict[str, Path]
) -> None:
    run = qgis["runs"]["assign_parcels"]
    assert "results" in run, run
    _same_rows(run["results"]["OUTPUT"], by_cli["parcels"])
    got = _read(run["results"]["OUTPUT"])
    # The GBK text comes back exactly; three sample parcels lie in grades, one outside.
    assert got["权利人"].tolist() == gpd.read_file(files["parcels"], encoding="GBK")[
        "权利人"].tolist()
    assert got["status"].tolist().count("ok") == 3
    assert got.loc[got["status"] == "ok", "price"].notna().all()


def test_assign_result_is_styled_by_grade_with_chinese_aliases(
    qgis: dict[str, Any], dongkou_dir: Path
) -> None:
    layer = qgis["runs"]["assign_points"]["layers"]["OUTPUT"]
    assert layer["valid"] and layer["features"] == 2000
    assert layer["renderer"] == "categorizedSymbol"
    grades = sorted(_read(qgis["runs"]["assign_points"]["results"]["OUTPUT"])[
        "grade"].dropna().astype(int).unique())
    assert {str(g) for g in grades} <= set(layer["categories"])
    assert layer["aliases"]["grade"] == "级别"
    assert layer["aliases"]["p_comm"].startswith("商服用地")


def test_assign_points_and_gcj02_match_the_command_line(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    _same_rows(qgis["runs"]["assign_points"]["results"]["OUTPUT"], by_cli["points"])
    _same_rows(qgis["runs"]["assign_gcj02"]["results"]["OUTPUT"], by_cli["gcj02"])
    plain, shifted = _read(by_cli["points"]), _read(by_cli["gcj02"])
    # GCJ-02 moves points some hundreds of metres: some grades differ, so the option is read.
    assert (plain["grade"].fillna(0) != shifted["grade"].fillna(0)).any()


def test_a_layer_qgis_must_copy_first_is_graded_the_same_and_in_english(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    run = qgis["runs"]["assign_first_ten_in_english"]  # its log in English too
    assert "results" in run, run
    # The first ten features, written by QGIS to a GeoPackage of its own, then graded.
    read = [text for _, text in run["lines"] if text.startswith("Reading ")]
    assert len(read) == 1 and read[0].endswith(".gpkg") and "points.gpkg" not in read[0]
    got, want = _read(run["results"]["OUTPUT"]), _read(by_cli["points_en"]).head(10)
    assert got["点号"].tolist() == want["点号"].tolist()
    for column in ("grade", "status", "message", "p_comm", "route_id"):
        pd.testing.assert_series_equal(got[column], want[column].reset_index(drop=True))
    assert "answered" in got["message"].tolist()  # LANG English: the engine's own words
    # The layer's description names the layer graded, not the copy QGIS wrote.
    with sqlite3.connect(run["results"]["OUTPUT"]) as db:
        (description,) = db.execute("SELECT description FROM layer_styles").fetchone()
    assert "INPUT" not in description and "points graded" in description, description


def test_temporary_and_memory_outputs_are_geopackages_and_a_table_into_one_is_refused(
    qgis: dict[str, Any], files: dict[str, Path]
) -> None:
    for name in ("assign_points", "assign_memory"):
        written = Path(qgis["runs"][name]["temporary"]["OUTPUT"])  # in QGIS's temporary folder
        assert written.suffix == ".gpkg" and written.parent.name != "out", written
        assert Path(qgis["runs"][name]["results"]["OUTPUT"]).is_file()  # its copy
    before = {name for name, _ in pyogrio.list_layers(files["points"])}
    run = qgis["runs"]["assign_into_gpkg"]
    assert "results" not in run and "GeoPackage" in run["exception"], run
    assert {name for name, _ in pyogrio.list_layers(files["points"])} == before


def test_codes_qgis_read_as_numbers_are_refused_never_priced_otherwise(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    run = qgis["runs"]["assign_codes_as_numbers"]
    assert "results" in run, run
    got, want = _read(run["results"]["OUTPUT"]), _read(by_cli["codes"])  # CLI: cells as text
    assert got["用途"].dtype.kind == "i"  # what QGIS handed on: 0701 as 701
    same = got["price"].fillna(-1) == want["price"].fillna(-1)
    # 0701 → 701 is restored and priced as the CLI prices it; a first-level 05 → 5 cannot be,
    # and is refused: no row gets another price than the code as written would.
    assert same.sum() > len(got) / 2
    assert (got.loc[~same, "status"] == "unknown_use").all()
    assert (got.loc[~same, "price"].isna()).all()
    two_digit_priced = want["用途"].str.len().eq(2) & want["price"].notna()
    assert set(want.loc[~same, "用途"]) == set(want.loc[two_digit_priced, "用途"])
    warnings = [text for kind, text in run["lines"] if kind == "warning"]
    assert any("'用途'" in text and "数值" in text for text in warnings), run["lines"]


def test_progress_moves_and_a_cancelled_run_leaves_no_file(qgis: dict[str, Any]) -> None:
    done = qgis["runs"]["assign_points"]
    assert len({round(p) for p in done["progress"]}) >= 3  # 2,000 rows in chunks of 1,000
    # value_cancelled_in_sheets: its layer was written, then the sheets were cancelled: the
    # layer goes too.
    said = [text for _, text in qgis["runs"]["value_cancelled_in_sheets"]["lines"]]
    assert any("valued.gpkg：已写入 4 行" in text for text in said), said
    for name in ("assign_cancelled", "build_cancelled", "value_cancelled_in_sheets"):
        run = qgis["runs"][name]
        assert "results" not in run and "escaped" not in run, run
        assert run["exception"] == "已取消：未写出任何文件"
        assert run["files"] == [], run["files"]  # no output, no temporary file


def test_locate_reports_the_answer_of_landgrade_locate(
    qgis: dict[str, Any], files: dict[str, Path]
) -> None:
    env = {"LANDGRADE_CACHE": str(files["cache"])}
    want = json.loads(cli("locate", "110.575", "27.06", "--json", env=env))
    for name in ("locate", "locate_projected"):
        got = qgis["runs"][name]["results"]
        assert got["GRADE"] == want["grade"] and got["STATUS"] == want["status"]
        assert json.loads(got["ANSWER"])["prices"] == want["prices"]
    page = Path(qgis["runs"]["locate"]["results"]["OUTPUT"]).read_text(encoding="utf-8")
    text = cli("locate", "110.575", "27.06", env=env)
    # Every column of every line the CLI prints is a cell of the page, in its order.
    cells = [c for row in answer_rows(text) for c in row if c]
    assert len(cells) > 10 and all(f">{html.escape(c)}</" in page for c in cells), cells
    assert re.search(r"<th>级别</th><td[^>]*>一级</td>", page) and "洞政发〔2022〕1号" in page


def test_value_matches_landgrade_value_and_writes_the_sheets(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    run = qgis["runs"]["value"]
    assert "results" in run, run
    _same_rows(run["results"]["OUTPUT"], by_cli["valued"])
    pdf = Path(run["results"]["SHEETS"]).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(
        b"/Type /Page ") >= 1


def test_parcel_report_writes_one_pdf_per_parcel_named_by_its_number(
    qgis: dict[str, Any], files: dict[str, Path]
) -> None:
    run = qgis["runs"]["report"]
    assert "results" in run, run
    numbers = gpd.read_file(files["parcels"], encoding="GBK")["宗地号"]
    assert run["files"] == sorted(f"{n}.pdf" for n in numbers)
    assert sorted(Path(p).name for p in run["results"]["FILES"]) == run["files"]
    # Each page is drawn as the rows are: the bar moves once per sheet.
    assert len(run["progress"]) >= len(numbers)


def test_build_gives_the_command_lines_grades_and_adds_the_report(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    run = qgis["runs"]["build"]
    assert "results" in run, run
    got = gpd.read_file(run["results"]["OUTPUT"], layer="grades")
    want = gpd.read_file(by_cli["built"], layer="grades")
    assert got["grade"].tolist() == want["grade"].tolist()
    np.testing.assert_allclose(got.area, want.area, rtol=1e-9)
    report = run["layers"]["REPORT"]
    assert report["valid"] and report["features"] == len(
        pyogrio.read_dataframe(by_cli["built"], layer="report", read_geometry=False))
    assert run["layers"]["GRADES"]["renderer"] == "categorizedSymbol"


def test_build_on_openstreetmap_layers_reads_the_osm_file_as_the_cli_does(
    qgis: dict[str, Any], by_cli: dict[str, Path]
) -> None:
    run = qgis["runs"]["build_osm"]
    assert "results" in run, run
    # QGIS's OSM layers (lines, multipolygons) are handed on as the .osm.pbf they come from:
    # its highways are the roads, not every line of the file.
    read = [text for _, text in run["lines"] if text.startswith("Reading longgang:")]
    assert len(read) == 2 and all(text.endswith("longgang.osm.pbf") for text in read), read
    got = gpd.read_file(run["results"]["OUTPUT"], layer="grades")
    want = gpd.read_file(by_cli["longgang"], layer="grades")
    assert got["grade"].tolist() == want["grade"].tolist()
    np.testing.assert_allclose(got.area, want.area, rtol=1e-9)
    routes = gpd.read_file(run["results"]["OUTPUT"], layer="routes")
    np.testing.assert_allclose(routes.length, gpd.read_file(by_cli["longgang"],
                                                            layer="routes").length, rtol=1e-9)


def test_export_writes_the_styled_grade_map(qgis: dict[str, Any]) -> None:
    run = qgis["runs"]["export"]
    layers = {name for name, _ in pyogrio.list_layers(run["results"]["OUTPUT"])}
    assert {"grades", "routes", "layer_styles"} <= layers


@pytest.mark.parametrize(("name", "named"), [
    ("no_crs", "no_crs"),  # the layer
    ("not_a_county", "not_a_county"),  # the folder
    ("bad_factor", "交通便捷度"),  # the value typed
])
def test_bad_input_gets_a_named_message_and_no_traceback(
    qgis: dict[str, Any], name: str, named: str
) -> None:
    run = qgis["runs"][name]
    assert "results" not in run and "escaped" not in run, run
    assert named in run["exception"]
    said = [run["exception"], *(text for kind, text in run["lines"] if kind != "debug")]
    assert not any("Traceback" in t or "意外错误" in t for t in said), said


def test_the_zip_is_what_install_from_zip_takes(files: dict[str, Path]) -> None:
    from landgrade._version import __version__

    with zipfile.ZipFile(files["zip"]) as zf:
        names = zf.namelist()
        meta = zf.read("landgrade_qgis/metadata.txt").decode("utf-8")
    assert {"landgrade_qgis/__init__.py", "landgrade_qgis/metadata.txt",
            "landgrade_qgis/icon.svg"} <= set(names)
    assert all(n.startswith("landgrade_qgis/") and "__pycache__" not in n for n in names)
    fields = dict(line.split("=", 1) for line in meta.splitlines() if "=" in line)
    assert fields["version"] == __version__ and fields["hasProcessingProvider"] == "yes"
    assert fields["qgisMinimumVersion"] == "3.22"


def test_the_toolbox_speaks_english_when_the_setting_says_so(
    files: dict[str, Path], qgis_pythonpath: str, tmp_path: Path
) -> None:
    job = {"plugin_zip": str(files["zip"]), "toolbox_lang": "en", "runs": {}}
    got = run_in_qgis(job, qgis_pythonpath, tmp_path, tmp_path / "cache")
    names = got["provider"]["algorithms"]
    assert names["landgrade:assign"] == "Assign grades and prices"
    assert names["landgrade:parcelreport"] == "Parcel report (查询单)"
    assert got["provider"]["name"] == "landgrade benchmark land prices"


def test_without_landgrade_the_plugin_says_how_to_install_it(
    files: dict[str, Path], tmp_path: Path
) -> None:
    job = {"plugin_zip": str(files["zip"]), "runs": {}}
    # QGIS's Python alone: no landgrade on its path.
    got = run_in_qgis(job, "", tmp_path, tmp_path / "cache")
    assert not got["provider"]["loaded"]
    said = [m[1] for m in got["log"] if m[0] == "landgrade"]
    assert said and "landgrade" in said[0] and 'pip install "numpy<2"' in said[0]
    assert "PYTHONPATH" in said[0] and "/lib/python3.11/site-packages" in said[0]
