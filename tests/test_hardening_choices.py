"""The choices made when the hardening findings were fixed, held: what the guards let through
and what they refuse beyond the reproductions in test_hardening_*.py.

- the CRS guard passes the systems a bureau's files carry (WKT1, ESRI WKT, WKT2, PROJJSON of
  CGCS2000 and WGS84) and refuses every way a CRS text can name a file or an address, in
  every upload format the service takes (GeoPackage and GeoParquet too);
- the Host check answers IP addresses and configured domains, and nothing that merely
  contains them;
- stale upload folders: only this user's real folders are removed, never through a symlink;
- Excel: a mixed column written to CSV is the text Excel shows; a formula with a stored
  value reads as that value; a hidden sheet is still read when named.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj
import pytest
import shapely
from test_assign_cli import setup  # noqa: F401  (the fixture: hand map + county folder)
from test_engine import X0, Y0
from typer.testing import CliRunner

from landgrade.io.crs import UntrustedCrsError, check_untrusted_crs

openpyxl = pytest.importorskip("openpyxl")
runner = CliRunner()
GRID = "/srv/secret/grid.gsb"
_TO_WGS84 = pyproj.Transformer.from_crs("EPSG:4546", "EPSG:4326", always_xy=True)
P1 = tuple(map(float, _TO_WGS84.transform(X0 + 20, Y0 + 20)))


def _refused(text: str) -> bool:
    try:
        check_untrusted_crs(text, "upload.prj")
    except UntrustedCrsError as e:
        assert "upload.prj" in str(e) and "coordinate system" in str(e)
        return True
    return False


# --- the CRS guard --------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:You will likely lose:UserWarning")
@pytest.mark.parametrize("code", [4546, 4525, 4326, 4490, 2383, 32649])
@pytest.mark.parametrize("form", ["WKT1_GDAL", "WKT1_ESRI", "WKT2_2019", "PROJJSON", "PROJ"])
def test_the_systems_files_carry_pass_the_guard(code, form) -> None:
    crs = pyproj.CRS.from_epsg(code)
    text = crs.to_json() if form == "PROJJSON" else crs.to_proj4() if form == "PROJ" \
        else crs.to_wkt(form)
    assert not _refused(text), text[:200]


@pytest.mark.parametrize("name", ["urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4546",
                                  "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "EPSG:4490"])
def test_geojson_crs_names_pass_the_guard(name) -> None:
    assert not _refused(json.dumps({"type": "name", "properties": {"name": name}}))


@pytest.mark.parametrize("text", [
    f"+proj=longlat +ellps=WGS84 +nadgrids={GRID}",
    f"+proj=longlat +ellps=WGS84 +geoidgrids=@{GRID}",
    "+init=epsg:4326",
    "+proj=pipeline +step +proj=hgridshift +grids=conus",
    pyproj.CRS(f"+proj=longlat +ellps=WGS84 +nadgrids={GRID} +no_defs").to_wkt("WKT1_GDAL"),
    pyproj.CRS(f"+proj=longlat +ellps=WGS84 +nadgrids={GRID} +no_defs").to_wkt("WKT2_2019"),
    # PROJJSON names a grid only as a parameter's text value, here without any path
    pyproj.CRS("+proj=longlat +ellps=WGS84 +nadgrids=conus +no_defs").to_json(),
    json.dumps({"type": "link", "properties": {"href": "http://evil.example/crs.wkt"}}),
    json.dumps({"type": "name", "properties": {"name": "/etc/passwd"}}),
    json.dumps({"type": "name", "properties": {"name": "..\\\\..\\\\boot.ini"}}),
    json.dumps({"type": "name", "properties": {"name": "C:\\\\data\\\\crs.prj"}}),
    json.dumps({"type": "name", "properties": {"name": "/vsicurl/https://evil.example/x"}}),
    "file:///etc/passwd",
], ids=["nadgrids", "geoidgrids@", "init", "pipeline", "wkt1-extension", "wkt2-parameterfile",
        "projjson-parameter", "link", "abs-path", "rel-path", "drive-path", "vsi", "file-url"])
def test_every_file_or_address_reference_is_refused(text) -> None:
    assert _refused(text), text[:200]


def test_the_crs_parameter_is_a_code_or_a_name_only() -> None:
    check_untrusted_crs("EPSG:4546", "crs", code_only=True)
    check_untrusted_crs("gcj02", "crs", code_only=True)
    with pytest.raises(UntrustedCrsError, match="not a coordinate system code"):
        check_untrusted_crs(pyproj.CRS.from_epsg(4326).to_wkt(), "crs", code_only=True)


# --- the service ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    from fastapi.testclient import TestClient

    from landgrade.engine import load_engine
    from landgrade.service.app import ServiceConfig, create_app

    config = ServiceConfig(allowed_hosts=("*.example.gov.cn", "gis.bureau"))
    with TestClient(create_app(config, engine=load_engine()),
                    base_url="http://127.0.0.1") as c:
        yield c


def _points_layer(path: Path, crs: str) -> Path:
    gpd.GeoDataFrame({"pid": [1]}, geometry=[shapely.Point(110.575, 27.06)],
                     crs="EPSG:4326").to_crs(crs).to_file(path)
    return path


def test_a_geopackage_whose_srs_names_a_grid_is_refused(client, tmp_path) -> None:
    gpkg = _points_layer(tmp_path / "p.gpkg", "EPSG:4326")
    wkt = pyproj.CRS(f"+proj=longlat +ellps=WGS84 +nadgrids={GRID} +no_defs").to_wkt("WKT1_GDAL")
    with sqlite3.connect(gpkg) as con:  # the layer's srs rewritten as a grid-shifted one
        con.execute("UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = 4326", (wkt,))
    r = client.post("/api/assign", files={"file": ("宗地.gpkg", gpkg.read_bytes())})
    assert r.status_code == 400, r.text[:300]
    assert "宗地.gpkg" in r.json()["detail"] and "refers to a grid" in r.json()["detail"]


def test_a_geoparquet_whose_crs_names_a_grid_is_refused(client, tmp_path) -> None:
    pq = tmp_path / "p.parquet"
    gpd.GeoDataFrame({"pid": [1]}, geometry=[shapely.Point(110.575, 27.06)],
                     crs=pyproj.CRS(f"+proj=longlat +ellps=WGS84 +nadgrids={GRID} +no_defs")
                     ).to_parquet(pq)
    r = client.post("/api/assign", files={"file": ("p.parquet", pq.read_bytes())})
    assert r.status_code == 400, r.text[:300]
    assert "p.parquet" in r.json()["detail"] and "refers to a grid" in r.json()["detail"]


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "zip"])
def test_uploads_in_a_gauss_kruger_zone_are_still_graded(client, tmp_path, fmt) -> None:
    if fmt == "parquet":
        path = tmp_path / "p.parquet"
        gpd.GeoDataFrame({"pid": [1]}, geometry=[shapely.Point(110.575, 27.06)],
                         crs="EPSG:4326").to_crs("EPSG:4546").to_parquet(path)
        data = path.read_bytes()
    elif fmt == "gpkg":
        data = _points_layer(tmp_path / "p.gpkg", "EPSG:4546").read_bytes()
    else:
        shp = _points_layer(tmp_path / "p.shp", "EPSG:4546")
        path = tmp_path / "p.zip"
        with zipfile.ZipFile(path, "w") as z:
            for part in shp.parent.glob("p.*"):
                if part.suffix != ".zip":
                    z.write(part, part.name)
        data = path.read_bytes()
    r = client.post("/api/assign", params={"format": "csv"},
                    files={"file": (f"p.{fmt}", data)})
    assert r.status_code == 200, r.text[:300]
    assert ",1," in r.text and "ok" in r.text


@pytest.mark.parametrize(("host", "answered"), [
    ("192.168.1.5:8000", True), ("[fe80::1]", True), ("LOCALHOST", True), ("localhost.", True),
    ("gis.example.gov.cn", True), ("a.b.example.gov.cn:443", True), ("gis.bureau", True),
    ("example.gov.cn", False), ("example.gov.cn.evil.example", False),
    ("gis.bureau.evil.example", False), ("192.168.1.5.nip.io", False),
])
def test_host_check_answers_addresses_and_configured_names_only(client, host, answered) -> None:
    r = client.get("/api/health", headers={"Host": host})
    assert (r.status_code == 200) is answered, (host, r.status_code)
    if not answered:
        assert r.status_code == 421 and "--allowed-host" in r.json()["detail"]


def test_any_host_when_asked(tmp_path) -> None:
    from landgrade.service.guards import HostCheck

    assert HostCheck(None, ("*",)).allows("anything.example")
    assert not HostCheck(None, ()).allows("anything.example")


def test_stale_upload_cleaning_never_follows_a_symlink(tmp_path, monkeypatch) -> None:
    from landgrade.service.files import remove_stale_uploads

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "宗地.shp").write_bytes(b"a user's parcels")
    link = tmp_path / "tmp" / "landgrade-serve-link"
    link.symlink_to(precious, target_is_directory=True)
    old = time.time() - 86400
    os.utime(precious / "宗地.shp", (old, old))
    os.utime(precious, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    assert remove_stale_uploads() == []
    assert (precious / "宗地.shp").read_bytes() == b"a user's parcels"


# --- Excel ----------------------------------------------------------------------------------
def _cli(*args: object):
    from landgrade.cli import app

    return runner.invoke(app, [str(a) for a in args])


def test_a_mixed_excel_column_written_to_csv_is_the_text_excel_shows(setup, tmp_path  # noqa: F811
                                                                     ) -> None:
    _, opts = setup
    book = openpyxl.Workbook()
    book.active.append(["id", "x", "y", "area", "date"])
    book.active.append([1, *P1, 100, dt.datetime(2021, 10, 1)])
    book.active.append([2, *P1, 200.5, "unknown"])
    book.active.append([3, *P1, "n/a", dt.datetime(2022, 2, 7)])
    book.save(tmp_path / "mixed.xlsx")
    out = tmp_path / "out.csv"
    res = _cli("assign", tmp_path / "mixed.xlsx", "-o", out, "--no-progress", *opts)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["area"].tolist() == ["100", "200.5", "n/a"]
    assert got["date"].tolist() == ["2021-10-01T00:00:00", "unknown", "2022-02-07T00:00:00"]


def test_a_formula_with_its_stored_value_reads_as_that_value(tmp_path) -> None:
    from landgrade.io.readers import read_file

    book = openpyxl.Workbook()
    book.active.append(["id", "x", "y", "area"])
    book.active.append([1, *P1, "=2*50"])
    book.save(tmp_path / "raw.xlsx")
    # As Excel saves it: the formula and, after it, its calculated value.
    with zipfile.ZipFile(tmp_path / "raw.xlsx") as zin, \
            zipfile.ZipFile(tmp_path / "saved.xlsx", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<v />" in data or b"<v/>" in data
                data = data.replace(b"<v />", b"<v>100</v>").replace(b"<v/>", b"<v>100</v>")
            zout.writestr(info, data)
    assert read_file(tmp_path / "saved.xlsx")["area"].tolist() == [100]


def test_a_hidden_sheet_is_read_when_named(tmp_path) -> None:
    from landgrade.io.readers import read_file

    book = openpyxl.Workbook()
    book.active.title = "old"
    book.active.append(["id", "x", "y"])
    book.active.append(["H1", *P1])
    book.active.sheet_state = "hidden"
    book.create_sheet("宗地").append(["id", "x", "y"])
    book.active = 1
    book.save(tmp_path / "h.xlsx")
    assert read_file(tmp_path / "h.xlsx", sheet="old")["id"].tolist() == ["H1"]
    assert read_file(tmp_path / "h.xlsx").empty  # the visible sheet has a header only
