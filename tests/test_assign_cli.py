"""`landgrade locate` and `landgrade assign` end to end, on the hand map of test_engine.

The county folder is a copy of the bundled gazette tables (so prices are Table 6's) with an
outline drawn around the hand map; the grade map is the hand map saved as a GeoPackage.
"""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from test_engine import X0, Y0, box, hand_map, rel
from typer.testing import CliRunner

from landgrade import io
from landgrade.cli.app import app
from landgrade.io.crs import transform

runner = CliRunner()
COMMERCIAL_GRADE_1 = 3194.0  # Table 6: grade 1 commercial, yuan/m²
COMMERCIAL_GRADE_2 = 2248.0


@pytest.fixture
def setup(tmp_path, monkeypatch, dongkou_dir):
    monkeypatch.setenv("LANDGRADE_CACHE", str(tmp_path / "cache"))
    county = tmp_path / "county"
    county.mkdir()
    for f in dongkou_dir.glob("*.csv"):
        shutil.copy(f, county / f.name)
    shutil.copy(dongkou_dir / "metadata.json", county / "metadata.json")
    outline = gpd.GeoDataFrame(geometry=[box(-1000, -1000, 1300, 1200)], crs="EPSG:4546")
    outline.to_crs(4326).to_file(county / "outline.geojson")
    map_path = hand_map().to_gpkg(tmp_path / "hand.gpkg")
    return tmp_path, ["--map", str(map_path), "--county", str(county)]


def test_locate_json_contract(setup) -> None:
    _, opts = setup
    lon, lat = transform(X0 + 200, Y0 + 102, "EPSG:4546", "EPSG:4326")
    res = runner.invoke(app, ["locate", repr(lon), repr(lat), "--json", *opts])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["inside_extent"] is True and out["grade"] == 1
    assert set(out["prices"]) == {"commercial", "residential", "industrial", "public_1",
                                  "public_2"}
    assert out["prices"]["commercial"] == COMMERCIAL_GRADE_1
    assert out["connotation"]["commercial"]["term_years"] == 40  # Table 1
    nr = out["nearest_route"]
    assert nr["id"] == "R1" and nr["within_standard_depth"] is True and nr["price"] == 3000
    assert nr["distance_m"] == pytest.approx(2.0, abs=0.01)
    assert out["status"] == "ok"


def test_locate_text_in_working_crs(setup) -> None:
    _, opts = setup
    cmd = ["locate", str(X0 + 20), str(Y0 + 20), "--crs", "EPSG:4546", *opts]
    res = runner.invoke(app, [*cmd, "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "grade      1" in res.stdout
    assert "R2 二路: 30.0 m (beyond its standard depth)" in res.stdout
    assert "Commercial and business services" in res.stdout and "3194" in res.stdout  # uses.csv
    # The county's metadata says "language": "zh", so that is the default.
    zh = runner.invoke(app, cmd)
    assert zh.exit_code == 0, zh.output
    assert "级别       一级" in zh.stdout and "商服用地" in zh.stdout and "3194" in zh.stdout
    assert "R2 二路：距离 30.0 米" in zh.stdout and "元/平方米" in zh.stdout
    assert "grade" not in zh.stdout and "yuan" not in zh.stdout


def test_locate_text_for_swapped_coordinates_says_why_without_a_route(setup) -> None:
    _, opts = setup
    lon, lat = transform(X0 + 20, Y0 + 20, "EPSG:4546", "EPSG:4326")
    res = runner.invoke(app, ["locate", repr(lat), repr(lon), *opts, "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "crs_suspect_swapped" in res.stdout and "swap them" in res.stdout
    assert "route" not in res.stdout.replace("status", "") and "nan" not in res.stdout


def messy_parcels(path) -> None:
    """GBK attributes, no .cpg; invalid, empty, duplicate-id and out-of-county parcels."""
    bowtie = shapely.Polygon([rel(10, 10), rel(60, 60), rel(60, 10), rel(10, 60)])
    gdf = gpd.GeoDataFrame(
        {"id": [1, 2, 2, 3, 4, 5],
         "名称": ["高沙镇地块", "文昌路北", "文昌路北", "无效", "空", "县外"]},
        geometry=[box(20, 20, 40, 40), box(150, 150, 170, 170), box(150, 150, 170, 170),
                  bowtie, shapely.Polygon(), box(20_000, 0, 20_050, 50)],
        crs="EPSG:4546",
    )
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()


def test_assign_messy_gbk_shapefile_keeps_every_row(setup) -> None:
    tmp, opts = setup
    src, out = tmp / "parcels.shp", tmp / "out.shp"
    messy_parcels(src)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--no-progress", *opts,
                              "--lang", "en"])
    assert res.exit_code == 0, res.output
    back = io.read_file(out)
    assert out.with_suffix(".cpg").read_text().strip() == "UTF-8"
    assert back["id"].tolist() == [1, 2, 2, 3, 4, 5]
    assert back["名称"].tolist() == ["高沙镇地块", "文昌路北", "文昌路北", "无效", "空", "县外"]
    status = back["status"].tolist()
    assert status[:3] == ["ok", "ok", "ok"]
    assert status[3] == "invalid_geometry_repaired"
    assert status[4] in ("empty_geometry", "null_geometry")  # GDAL stores it as a null shape
    assert status[5] == "outside_county"
    assert back["grade"].tolist()[:4] == [1, 2, 2, 1]
    assert back["p_comm"].tolist()[:3] == [COMMERCIAL_GRADE_1, COMMERCIAL_GRADE_2,
                                           COMMERCIAL_GRADE_2]
    assert all(len(c) <= 10 for c in back.columns)
    assert "6 rows written" in res.output and "outside_county" in res.output


def test_assign_csv_defaults_to_wgs84(setup) -> None:
    tmp, opts = setup
    lon, lat = transform([X0 + 20, X0 + 200, X0 + 400], [Y0 + 20, Y0 + 150, Y0 + 50],
                         "EPSG:4546", "EPSG:4326")
    src, out = tmp / "pts.csv", tmp / "pts_out.csv"
    pd.DataFrame({"name": ["a", "b", "c"], "lng": lon, "lat": lat}).to_csv(src, index=False)
    # --lang en: the field codes as headers (the county's default, Chinese, heads them in words)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--no-progress", *opts,
                              "--lang", "en"])
    assert res.exit_code == 0, res.output
    back = pd.read_csv(out)
    assert back["name"].tolist() == ["a", "b", "c"]
    assert back["grade"].tolist()[:2] == [1, 2] and pd.isna(back["grade"].iloc[2])
    assert back["status"].tolist() == ["ok", "ok", "outside_extent"]
    assert "wkt" not in back.columns  # the coordinate columns already say where


def test_assign_parquet_streams_in_chunks_like_one_pass(setup) -> None:
    tmp, opts = setup
    import numpy as np

    rng = np.random.default_rng(0)
    pts = gpd.GeoDataFrame({"pid": np.arange(2000)}, geometry=shapely.points(
        rng.uniform(X0 - 50, X0 + 350, 2000), rng.uniform(Y0 - 50, Y0 + 250, 2000)),
        crs="EPSG:4546")
    io.write_file(pts, tmp / "pts.parquet")
    for name, size in (("one.parquet", "5000"), ("many.parquet", "300")):
        res = runner.invoke(app, ["assign", str(tmp / "pts.parquet"), "-o", str(tmp / name),
                                  "--chunk-size", size, "--no-progress", *opts])
        assert res.exit_code == 0, res.output
    one, many = io.read_file(tmp / "one.parquet"), io.read_file(tmp / "many.parquet")
    pd.testing.assert_frame_equal(pd.DataFrame(one.drop(columns="geometry")),
                                  pd.DataFrame(many.drop(columns="geometry")))
    assert many["pid"].tolist() == list(range(2000))


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_assign_errors_name_the_file_and_fix(setup) -> None:
    tmp, opts = setup
    res = runner.invoke(app, ["assign", str(tmp / "a.dwg"), "-o", str(tmp / "o.shp"), *opts])
    assert res.exit_code == 2 and "unknown file type '.dwg'" in res.output
    nocrs = tmp / "nocrs.shp"
    pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=[shapely.Point(rel(20, 20))]), nocrs)
    res = runner.invoke(app, ["assign", str(nocrs), "-o", str(tmp / "o.gpkg"), *opts])
    assert res.exit_code == 2 and "nocrs.shp" in res.output and "--crs" in res.output
    res = runner.invoke(app, ["assign", str(nocrs), "-o", str(tmp / "o.gpkg"), "--crs",
                              "EPSG:4546", "--no-progress", *opts])
    assert res.exit_code == 0 and io.read_file(tmp / "o.gpkg")["grade"].tolist() == [1]


def test_assign_refuses_to_write_over_its_input(setup) -> None:
    tmp, opts = setup
    src = tmp / "pts.csv"
    src.write_text("lng,lat\n110.57,27.06\n", encoding="utf-8")
    before = src.read_bytes()
    res = runner.invoke(app, ["assign", str(src), "-o", str(src), "--no-progress", *opts])
    assert res.exit_code == 2 and "is the input file" in res.output
    assert src.read_bytes() == before  # the input is untouched


def test_assign_gcj02_output_says_it_has_no_crs_label(setup) -> None:
    tmp, opts = setup
    lon, lat = transform(X0 + 20, Y0 + 20, "EPSG:4546", "gcj02")
    src = tmp / "amap.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(lon, lat)], crs=4326).to_file(src)
    out = tmp / "amap_out.gpkg"
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--crs", "gcj02",
                              "--no-progress", *opts, "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "stays in gcj02" in res.output and "UserWarning" not in res.output
    back = io.read_file(out)
    assert back.crs is None and back["grade"].tolist() == [1]
    assert back.geometry.iloc[0].x == pytest.approx(lon)  # the coordinates as given


@pytest.mark.parametrize(("edit", "message"), [
    (lambda g: g.drop(columns="grade"), "no `grade` column"),
    (lambda g: g.assign(grade=[None, *g["grade"].iloc[1:]]), "feature 1: the grade is empty"),
    (lambda g: g.assign(grade=[1.5, *g["grade"].iloc[1:]]), "1.5 is not a whole number"),
])
def test_a_grade_map_with_bad_grades_is_a_named_error(setup, tmp_path, edit, message) -> None:
    from landgrade.build.grade_map import GradeMap

    _, opts = setup
    good = GradeMap.read(opts[opts.index("--map") + 1])
    good.grades = edit(good.grades)
    bad = good.to_gpkg(tmp_path / "bad.gpkg")
    for cmd in (["locate", str(X0 + 20), str(Y0 + 20), "--crs", "EPSG:4546"], ["audit"]):
        res = runner.invoke(app, [*cmd, "--map", str(bad)])
        assert res.exit_code == 2, res.output
        assert "bad.gpkg" in res.output and message in res.output


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".csv", ".xlsx", ".parquet", ".geojson"])
def test_assign_of_an_empty_geojson_writes_an_empty_file(setup, suffix) -> None:
    """'0 rows written' must be true of a file that exists: an empty input gives an empty,
    readable output of the asked format, not a message about a file that is not there."""
    root, opts = setup
    empty = root / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    out = root / f"out{suffix}"
    res = runner.invoke(app, ["assign", str(empty), "-o", str(out), "--no-progress", *opts,
                              "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "0 rows written" in res.stderr
    assert out.exists()
    if suffix == ".csv":
        assert out.read_bytes().lstrip(b"\xef\xbb\xbf").strip() == b""
    elif suffix == ".xlsx":
        assert pd.read_excel(out).empty
    else:
        assert len(io.read_file(out)) == 0
    assert sorted(p.name for p in root.iterdir() if ".lgtmp-" in p.name) == []
