"""A real QGIS (python3-qgis, its OAPIF provider) adds the service's OGC API – Features and
reads the grades with Table 6's prices and the Table 7 routes.

QGIS runs in the system Python (``/usr/bin/python3``), in a subprocess, against the service
started by uvicorn on 127.0.0.1; the test skips, saying why, where QGIS is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[serve]')")
from service_helpers import LiveServer, interior_point

from landgrade.engine import load_engine
from landgrade.service.app import create_app

SYSTEM_PYTHON = Path("/usr/bin/python3")

PROBE = r"""
import json, os, sys
from qgis.core import QgsApplication, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant
qgs = QgsApplication([], False)
qgs.initQgis()
url = sys.argv[1]
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"url='{url}' typename='{name}'", name, "OAPIF")
    info = {"valid": layer.isValid()}
    if layer.isValid():
        info["crs"] = layer.crs().authid()
        info["fields"] = [f.name() for f in layer.fields()]
        whole = (QVariant.Int, QVariant.LongLong)
        info["numeric"] = {f.name(): "integer" if f.type() in whole
                           else "real" if f.isNumeric() else "other" for f in layer.fields()}
        info["features"] = []
        for f in layer.getFeatures():
            g = f.geometry()
            attrs = {}
            for k, v in zip(info["fields"], f.attributes()):
                attrs[k] = v if isinstance(v, (int, float, str, type(None))) else str(v)
            info["features"].append({"attrs": attrs, "wkt": g.asWkt(7)})
    out[name] = info
print(json.dumps(out, ensure_ascii=False), flush=True)
os._exit(0)  # QGIS 3.22 may crash in exitQgis() when headless; the answer is already out
"""


def _qgis_available() -> str | None:
    if not SYSTEM_PYTHON.exists():
        return "no /usr/bin/python3"
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True,
                           env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    if probe.returncode != 0:
        return "QGIS Python bindings not installed (Debian: apt-get install python3-qgis)"
    return None


def _gpkg_kinds(tmp_path: Path) -> dict[str, dict[str, str]]:
    """integer / real / other of each field of the grades and routes `landgrade export`
    writes, as QGIS would tell them apart."""
    import pyogrio

    from landgrade.outputs.export import export_command

    gpkg = export_command(tmp_path / "export.gpkg").files[0]
    out = {}
    for layer in ("grades", "routes"):
        info = pyogrio.read_info(gpkg, layer=layer)
        out[layer] = {str(f): "integer" if str(d).startswith("int") else
                      "real" if str(d).startswith("float") else "other"
                      for f, d in zip(info["fields"], info["dtypes"], strict=True)}
    return out


def test_qgis_reads_grades_and_routes_over_oapif(tmp_path) -> None:
    missing = _qgis_available()
    if missing:
        pytest.skip(missing)
    engine = load_engine()
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("PYTHONPATH", None)  # the system Python must not see the virtualenv's packages
    with LiveServer(create_app(engine=engine)) as server:
        run = subprocess.run([str(SYSTEM_PYTHON), str(script), f"{server.url}/ogc", "grades",
                              "routes"], capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])

    grades = out["grades"]
    assert grades["valid"] and grades["crs"] in ("EPSG:4326", "OGC:CRS84")
    assert {"grade", "p_comm", "p_resi", "t_comm", "r_comm", "val_date"} <= set(grades["fields"])
    # the terms are whole years: QGIS must type them as integers, not real numbers (40.0)
    kinds = grades["numeric"]
    assert {k: v for k, v in kinds.items() if k.startswith("t_")} == {
        k: "integer" for k in grades["fields"] if k.startswith("t_")}
    # every field typed as in the GeoPackage `landgrade export` writes: grade, whole-yuan
    # prices and terms integers, plot ratios real (before: prices real, routes.grade text)
    exported = _gpkg_kinds(tmp_path)
    assert kinds == {k: exported["grades"][k] for k in kinds}, (kinds, exported["grades"])
    assert kinds["grade"] == kinds["p_comm"] == "integer" and kinds["r_comm"] == "real"
    book = engine.pricebook
    by_grade = {f["attrs"]["grade"]: f for f in grades["features"]}
    assert sorted(by_grade) == list(book.grades)
    for g, f in by_grade.items():
        for use, key in (("commercial", "comm"), ("residential", "resi"),
                         ("industrial", "indu"), ("public_1", "pub1"), ("public_2", "pub2")):
            assert f["attrs"][f"p_{key}"] == book.urban_price(g, use)  # Table 6
            c = book.connotation(g, use)
            assert f["attrs"][f"t_{key}"] == c.term_years
            assert type(f["attrs"][f"t_{key}"]) is int
            assert f["attrs"][f"r_{key}"] == c.plot_ratio
    # QGIS put grade 1 where it is: its polygon holds grade 1's interior point (lon, lat).
    import shapely

    assert shapely.from_wkt(by_grade[1]["wkt"]).contains(
        shapely.Point(interior_point(engine, 1)))

    routes = out["routes"]
    assert routes["valid"] and {"id", "name", "price", "standard_depth_m"} <= set(
        routes["fields"])
    assert routes["numeric"] == {k: exported["routes"][k] for k in routes["numeric"]}
    assert routes["numeric"]["grade"] == routes["numeric"]["price"] == "integer"
    assert len(routes["features"]) == len(book.routes) == 74
    a01 = next(f for f in routes["features"] if f["attrs"]["id"] == "A01")
    assert a01["attrs"]["price"] == book.route("A01").price


def test_gdal_oapif_pages_through_every_route(tmp_path) -> None:
    """GDAL's own OAPIF client (the system ogr2ogr, in a subprocess) follows the `next` links
    page by page (PAGE_SIZE=20) and gets every Table 7 route once, with its price."""
    import shutil

    import geopandas as gpd

    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        pytest.skip("GDAL command-line tools not installed (Debian: apt-get install gdal-bin)")
    engine = load_engine()
    out = tmp_path / "routes.geojson"
    inner = create_app(engine=engine)
    asked: list[str] = []

    async def app(scope, receive, send):  # records what GDAL asks for
        if scope["type"] == "http":
            asked.append(scope["path"] + "?" + scope["query_string"].decode())
        await inner(scope, receive, send)

    with LiveServer(app) as server:
        run = subprocess.run([ogr2ogr, "-f", "GeoJSON", str(out), f"OAPIF:{server.url}/ogc",
                              "routes", "-oo", "PAGE_SIZE=20"],
                             capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    pages = [a for a in asked if a.startswith("/ogc/collections/routes/items")]
    assert sum("offset=" in a for a in pages) >= 3, asked  # 74 routes, 20 a page
    routes = gpd.read_file(out)
    assert list(routes["id"]) == list(engine.grade_map.routes["id"])
    book = engine.pricebook
    assert [float(p) for p in routes["price"]] == [book.route(r).price for r in routes["id"]]
